"""`panel-draw`: draw a fair citizens' panel from two spreadsheets.

    python -m app panel-draw --pool respondents.csv --quotas categories.csv \\
        --size K --seed S [--households-column COL] [--record draw.json] \\
        [--lottery M [--publish lottery.txt]]

respondents.csv has one row per volunteer, one column per quota category and an optional
`id` column (otherwise the row number, from 1, is the id); categories.csv has the columns
category,feature,min,max. Prints the selected ids, one per line, then as the last line a JSON
object with selected, quota_violations, min_selection_probability, gini, algorithm, seconds.
With --lottery M the LEXIMIN lottery is rounded to M equally likely panels (panel_draw.transparent),
the panel drawn is ticket int(sha256(str(seed)).hexdigest(), 16) % M + 1, the JSON adds
lottery_size and ticket, and min_selection_probability is the uniform lottery's minimum.
Exit status: 0 drawn, 1 drawn but a quota is not met, 2 bad input or infeasible quotas.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from dataclasses import asdict
from pathlib import Path

from panel_draw import (
    InfeasibleQuotasError,
    PanelDraw,
    PoolError,
    SolverUnavailableError,
    check_quotas,
    draw_panel,
)
from panel_draw.pool import build_pool
from panel_draw.spreadsheets import InputError, read_pool, read_quotas
from panel_draw.transparent import ticket_from_seed, uniform_lottery

COMMAND = "panel-draw"


def main(argv: Sequence[str]) -> int:
    arguments = list(argv)
    if arguments[:1] == [COMMAND]:
        arguments = arguments[1:]
    options = _parser().parse_args(arguments)
    try:
        quotas = read_quotas(options.quotas)
        volunteers = read_pool(options.pool, quotas, options.households_column)
        draw = draw_panel(
            volunteers,
            quotas,
            options.size,
            options.seed,
            one_per_household=options.households_column is not None,
            time_limit_seconds=options.time_limit,
        )
    except (InputError, PoolError, InfeasibleQuotasError) as exc:
        print(f"panel-draw: {exc}", file=sys.stderr)
        print(json.dumps(_failure_summary(str(exc))))
        return 2
    result = summary(draw)
    record = audit_record(draw)
    selected = draw.selected_ids
    if options.lottery is not None:
        try:
            households = options.households_column is not None
            pool = build_pool(volunteers, quotas, options.size, one_per_household=households)
            lottery = uniform_lottery(
                draw.distribution, draw.probabilities, options.lottery, options.seed, pool=pool
            )
        except (PoolError, SolverUnavailableError) as exc:
            print(f"panel-draw: {exc}", file=sys.stderr)
            print(json.dumps(_failure_summary(str(exc))))
            return 2
        ticket = ticket_from_seed(str(options.seed), lottery.size)
        selected = tuple(v.id for v in volunteers if v.id in set(lottery.panel_ids(ticket)))
        violations = check_quotas(
            volunteers,
            quotas,
            selected,
            size=options.size,
            one_per_household=options.households_column is not None,
        )
        result.update(
            selected=list(selected),
            quota_violations=[asdict(v) for v in violations],
            min_selection_probability=lottery.min_selection_probability,
            lottery_size=lottery.size,
            ticket=ticket,
        )
        record.update(
            result,
            lottery_digest=lottery.digest(),
            lottery_largest_change=lottery.largest_change,
            lottery_probabilities=dict(lottery.probabilities),
            pseudonyms={str(n): vid for n, vid in sorted(lottery.pseudonyms.items())},
        )
        if options.publish:
            Path(options.publish).write_bytes(lottery.published_text().encode("utf-8"))
            Path(options.publish + ".sha256").write_text(
                f"{lottery.digest()}  {Path(options.publish).name}\n"
            )
        print(
            f"panel-draw: lottery of {lottery.size} tickets, SHA-256 {lottery.digest()}, "
            f"ticket {ticket}, largest change from LEXIMIN {lottery.largest_change:.6f}",
            file=sys.stderr,
        )
    if options.record:
        Path(options.record).write_text(json.dumps(record, indent=2) + "\n")
    for member in selected:
        print(member)
    if draw.fallback_reason:
        print(f"panel-draw: fell back to {draw.algorithm}: {draw.fallback_reason}", file=sys.stderr)
    print(json.dumps(result))
    return 0 if not result["quota_violations"] else 1


def summary(draw: PanelDraw) -> dict:
    return {
        "selected": list(draw.selected_ids),
        "quota_violations": [asdict(v) for v in draw.quota_violations],
        "min_selection_probability": draw.min_selection_probability,
        "gini": draw.gini,
        "algorithm": draw.algorithm,
        "seconds": round(draw.seconds, 3),
    }


def audit_record(draw: PanelDraw) -> dict:
    """Everything needed to audit the draw: the lottery, every probability, the seed."""
    return {
        **summary(draw),
        "seed": draw.seed,
        "fallback_reason": draw.fallback_reason,
        "maximin_upper_bound": draw.maximin_upper_bound,
        "unselectable": list(draw.unselectable_ids),
        "details": dict(draw.details),
        "probabilities": dict(draw.probabilities),
        "distribution": [
            {
                "probability": panel.probability,
                "groups": [{"members": list(g.member_ids), "count": g.count} for g in panel.groups],
            }
            for panel in draw.distribution
        ],
    }


def _failure_summary(error: str) -> dict:
    return {
        "selected": [],
        "quota_violations": [],
        "min_selection_probability": None,
        "gini": None,
        "algorithm": None,
        "seconds": None,
        "error": error,
    }


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=f"python -m app {COMMAND}",
        description="Draw a citizens' panel that meets every quota, as fairly as possible "
        "(LEXIMIN, Flanigan et al., Nature 2021).",
    )
    parser.add_argument("--pool", required=True, help="respondents.csv: one row per volunteer")
    parser.add_argument("--quotas", required=True, help="categories.csv: category,feature,min,max")
    parser.add_argument("--size", required=True, type=int, help="panel size")
    parser.add_argument("--seed", required=True, type=int, help="recorded seed for the draw")
    parser.add_argument(
        "--households-column", help="column with an address/household key: one person per key"
    )
    parser.add_argument("--record", help="write the full audit record (JSON) to this file")
    parser.add_argument(
        "--lottery",
        type=int,
        metavar="M",
        help="round LEXIMIN to M equally likely numbered panels (a draw anyone can verify); "
        "the ticket is int(sha256(str(seed)).hexdigest(), 16) %% M + 1",
    )
    parser.add_argument(
        "--publish",
        metavar="FILE",
        help="with --lottery: write the M panels (pseudonymous numbers) here and FILE.sha256",
    )
    parser.add_argument(
        "--time-limit",
        type=float,
        default=1800.0,
        help="wall-clock safety stop in seconds (default 1800); LEXIMIN normally stops on its "
        "work budget first, which keeps a seed's panel reproducible",
    )
    return parser


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
