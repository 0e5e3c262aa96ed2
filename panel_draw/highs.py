"""Create quiet HiGHS solver instances, or say clearly why HiGHS cannot be used."""

from __future__ import annotations

import os
import sys
import threading
from typing import Any

from .models import SolverUnavailableError

_banner_lock = threading.Lock()
_banner_silenced = False


def new_highs(**options: Any) -> Any:
    """A HiGHS instance with logging off and the given options set."""
    try:
        import highspy
    except ImportError as exc:  # pragma: no cover - exercised only where highspy is missing
        raise SolverUnavailableError(f"the HiGHS solver (highspy) is not installed: {exc}") from exc
    highs = _construct_without_banner(highspy)
    highs.setOptionValue("output_flag", False)
    highs.setOptionValue("threads", 1)
    for name, value in options.items():
        highs.setOptionValue(name, value)
    return highs


def _construct_without_banner(highspy: Any) -> Any:
    # HiGHS prints a copyright banner on the C-level stdout the first time a solver is built;
    # the command line's stdout must carry only ids and the JSON line, so hide that once.
    global _banner_silenced
    with _banner_lock:
        if _banner_silenced:
            return highspy.Highs()
        sys.stdout.flush()
        saved = os.dup(1)
        devnull = os.open(os.devnull, os.O_WRONLY)
        try:
            os.dup2(devnull, 1)
            highs = highspy.Highs()
        finally:
            os.dup2(saved, 1)
            os.close(saved)
            os.close(devnull)
        _banner_silenced = True
        return highs


def highs_module() -> Any:
    import highspy

    return highspy
