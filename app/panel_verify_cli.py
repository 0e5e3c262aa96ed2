"""`panel-verify`: check a published panel lottery and show the winning ticket's panel.

    python -m app panel-verify --published lottery.txt (--ticket N | --seed TEXT) [--digest HEX]

Prints the file's SHA-256 digest and checks it against --digest, or against the digest in
lottery.txt.sha256 when that file exists beside it; then the ticket's panel as pseudonymous
numbers, one per line; then a JSON last line with ticket, lottery_size, panel, digest and
digest_ok. With --seed the ticket is int(sha256(seed).hexdigest(), 16) % M + 1.
Exit status: 0 checked, 1 the digest differs, 2 the file or ticket cannot be read.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path

from panel_draw.transparent import parse_published, sha256_hex, ticket_from_seed

COMMAND = "panel-verify"


def main(argv: Sequence[str]) -> int:
    arguments = list(argv)
    if arguments[:1] == [COMMAND]:
        arguments = arguments[1:]
    options = _parser().parse_args(arguments)
    path = Path(options.published)
    try:
        data = path.read_bytes()
        tickets = parse_published(data.decode("utf-8"))
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        print(f"panel-verify: cannot read {path}: {exc}", file=sys.stderr)
        return 2
    digest = sha256_hex(data)
    expected = options.digest or _companion_digest(path)
    ticket = options.ticket if options.ticket is not None else ticket_from_seed(options.seed, len(tickets))
    if ticket not in tickets:
        print(f"panel-verify: ticket {ticket} is not between 1 and {len(tickets)}", file=sys.stderr)
        return 2
    digest_ok = None if expected is None else expected.strip().lower() == digest
    print(f"SHA-256 {digest}: " + {None: "no published digest given to compare",
                                    True: "matches the published digest",
                                    False: f"DIFFERS from the published digest {expected}"}[digest_ok],
          file=sys.stderr)
    for number in tickets[ticket]:
        print(number)
    print(json.dumps({"ticket": ticket, "lottery_size": len(tickets), "panel": list(tickets[ticket]),
                      "digest": digest, "digest_ok": digest_ok}))
    return 1 if digest_ok is False else 0


def _companion_digest(path: Path) -> str | None:
    companion = path.with_name(path.name + ".sha256")
    if not companion.exists():
        return None
    return companion.read_text().split()[0]


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=f"python -m app {COMMAND}",
        description="Check a published citizens' panel lottery and print the winning panel.",
    )
    parser.add_argument("--published", required=True, help="the published lottery file")
    which = parser.add_mutually_exclusive_group(required=True)
    which.add_argument("--ticket", type=int, help="the winning ticket number (1..M)")
    which.add_argument("--seed", help="a published seed: ticket = sha256(seed) mod M + 1")
    parser.add_argument("--digest", help="the published SHA-256 digest (hex) to check against")
    return parser


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
