"""Run every benchmark with its defaults, one after another (this takes a long while).

    python -m bench all [--skip analysis,...]

Each benchmark writes bench/results/<name>.json; docs/benchmarks.md says what each figure means
and what was measured on the reference machine.
"""

import argparse
import importlib
import sys
import time

ORDER = ["panels", "forums", "consultations", "petitions", "review", "load", "analysis", "analysis_ceiling", "coding", "mixed",
         "lighthouse"]


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench all")
    parser.add_argument("--skip", default="", help="comma-separated names to skip")
    args = parser.parse_args(argv)
    skipped = {name.strip() for name in args.skip.split(",") if name.strip()}
    failures = 0
    for name in ORDER:
        if name in skipped:
            continue
        started = time.perf_counter()
        print(f"== bench {name}", file=sys.stderr, flush=True)
        try:
            status = importlib.import_module(f"bench.{name}").main([]) or 0
        except Exception as error:  # one broken benchmark must not hide the others' figures
            print(f"bench {name} failed: {error!r}", file=sys.stderr)
            status = 1
        failures += bool(status)
        print(f"== bench {name}: exit {status} after {time.perf_counter() - started:.0f}s", file=sys.stderr)
    return 1 if failures else 0
