"""Command line: python -m analysis themes | evaluate (see --help)."""

import sys

from analysis.cli import main

sys.exit(main())
