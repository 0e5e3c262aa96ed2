"""Command line: python -m app <command>. Run with --help for the list."""

import argparse
import sys

from app.cli import COMMANDS


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if not argv or argv[0] in ("-h", "--help") or argv[0] not in COMMANDS:
        parser = argparse.ArgumentParser(prog="python -m app")
        parser.add_argument("command", choices=sorted(COMMANDS))
        parser.print_help()
        return 0 if argv and argv[0] in ("-h", "--help") else 2
    return COMMANDS[argv[0]](argv[1:])


if __name__ == "__main__":
    sys.exit(main())
