"""How the panel draw grows with the pool: 1,000 -> 10,000 -> 50,000 volunteers.

    python -m bench panels_scaling [--six] [--no-docs]

Pools from bench/panel_pools.py (`skewed_pool`: seeded numpy PCG64, seed = pool size; older
people and some wards over-volunteer, service users under-volunteer, and the service-user quota
asks for 1.5 x their population share). Each case runs `draw_panel` (LEXIMIN; AUTO picks the
type-based method from 60 groups up) and then rounds it to a uniform lottery of 1,000 tickets
(`panel_draw.transparent`), in its own spawned process so that peak RSS is the case's alone.
`--six` adds 10,000 -> 100 with six categories (666 types; about 230 s of CPU, see
docs/benchmarks.md). `--render` rewrites the docs section from bench/results/panels_scaling.json.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import platform
import resource
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "results" / "panels_scaling.json"
DOC = ROOT / "docs" / "benchmarks.md"
SECTION = "## Citizens' panel draw: scaling to 50,000"
CASES = [(1_000, 100, 4), (10_000, 100, 4), (10_000, 100, 5), (50_000, 150, 4), (50_000, 150, 5)]
LOTTERY = 1000


def _case(volunteers: int, size: int, categories: int, connection) -> None:
    from bench.panel_pools import skewed_pool
    from panel_draw import draw_panel
    from panel_draw.pool import build_pool
    from panel_draw.transparent import uniform_lottery

    pool, quotas, size = skewed_pool(volunteers, size, seed=volunteers, categories=categories)
    built = build_pool(pool, quotas, size)
    groups = len(built.groups)
    wall, cpu = time.perf_counter(), time.process_time()
    draw = draw_panel(pool, quotas, size, seed=20261206)
    draw_wall, draw_cpu = time.perf_counter() - wall, time.process_time() - cpu
    wall = time.perf_counter()
    lottery = uniform_lottery(draw.distribution, draw.probabilities, LOTTERY, seed=20261206, pool=built)
    details = draw.details
    connection.send(
        {
            "pool": volunteers,
            "panel": size,
            "categories": categories,
            "groups": groups,
            "algorithm": draw.algorithm,
            "method": details.get("method"),
            "seconds": round(draw_wall, 2),
            "cpu_seconds": round(draw_cpu, 2),
            "min_selection_probability": draw.min_selection_probability,
            "maximin_upper_bound": draw.maximin_upper_bound,
            "gap": None
            if draw.maximin_upper_bound is None
            else draw.maximin_upper_bound - draw.min_selection_probability,
            "type_shortfall": details.get("type_shortfall"),
            "levels": details.get("stages"),
            "pricing_rounds": details.get("pricing_rounds"),
            "mip_calls": details.get("mip_calls"),
            "panels": details.get("panels_generated"),
            "lottery_seconds": round(time.perf_counter() - wall, 2),
            "lottery_largest_change": lottery.largest_change,
            "lottery_min": lottery.min_selection_probability,
            "lottery_bytes": len(lottery.published_text().encode()),
            "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        }
    )
    connection.close()


def run_case(volunteers: int, size: int, categories: int) -> dict:
    context = multiprocessing.get_context("spawn")
    receiver, sender = context.Pipe(duplex=False)
    child = context.Process(target=_case, args=(volunteers, size, categories, sender))
    child.start()
    sender.close()
    result = receiver.recv()
    child.join()
    return result


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench panels_scaling", description=__doc__)
    parser.add_argument("--six", action="store_true", help="also 10,000 -> 100 with six categories")
    parser.add_argument("--no-docs", action="store_true")
    parser.add_argument("--render", action="store_true", help="only rewrite the docs from the saved results")
    options = parser.parse_args(argv)
    if options.render:
        write_section(json.loads(RESULTS.read_text()))
        return 0
    cases = CASES + ([(10_000, 100, 6)] if options.six else [])
    load = os.getloadavg()
    results = []
    for case in cases:
        results.append(run_case(*case))
        print(json.dumps(results[-1]), flush=True)
    record = {
        "date": date.today().isoformat(),
        "machine": f"{platform.machine()}, {multiprocessing.cpu_count()} cores",
        "load_average_before": [round(x, 1) for x in load],
        "load_average_after": [round(x, 1) for x in os.getloadavg()],
        "results": results,
    }
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(record, indent=2) + "\n")
    if not options.no_docs:
        write_section(record)
    return 0


def render(record: dict) -> str:
    rows = [
        "| pool → seats | categories | types | algorithm (method) | levels | seconds | CPU s "
        "| peak RSS MB | min probability | proven bound | gap | type shortfall "
        "| lottery of 1,000: s | largest change | lottery min |",
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for r in record["results"]:
        shortfall = r.get("type_shortfall")
        rows.append(
            f"| {r['pool']:,} → {r['panel']} | {r['categories']} | {r['groups']} "
            f"| {r['algorithm']} ({r['method']}) | {r['levels']} | {r['seconds']} | {r['cpu_seconds']} "
            f"| {r['peak_rss_mb']} | {r['min_selection_probability']:.6f} "
            f"| {r['maximin_upper_bound']:.6f} | {r['gap']:.1e} "
            f"| {'' if shortfall is None else f'{shortfall:.1e}'} | {r['lottery_seconds']} "
            f"| {r['lottery_largest_change']:.6f} | {r['lottery_min']:.4f} |"
        )
    return "\n".join(
        [
            SECTION,
            "",
            "`python -m bench panels_scaling` (bench/panels_scaling.py; pools from bench/panel_pools.py,",
            "`skewed_pool(volunteers, size, seed=volunteers, categories)`: numpy PCG64, older people and",
            "the first wards over-volunteer, service users under-volunteer, service-user quota 1.5 x",
            "their population share; `python -m bench panel_pools --out DIR` writes the same pool as",
            "CSV for `python -m app panel-draw`). Each case in its own process (peak RSS its own).",
            f"Measured {record['date']} on {record['machine']}, load average before "
            f"{record['load_average_before']}, after {record['load_average_after']} (shared machine:",
            "wall time includes waiting for a core; CPU s is the draw's own).",
            "",
            *rows,
            "",
            '"gap" is the proven maximin bound (first level of the LP relaxation\'s LEXIMIN) minus the',
            'minimum reached; "type shortfall" the largest distance of any type from the relaxation\'s',
            'LEXIMIN (the type-based method stops at 5e-5). "largest change" is the most any',
            "volunteer's probability moves when the lottery is rounded to 1,000 equally likely panels",
            "(within 1/1,000 when the rounding's repair brings every type inside its window).",
            "",
            "Where the time goes (decision 0102; cProfile of the type-based method on 10,000 → 100",
            "with six categories, 666 types, to s ≤ 5e-5): 626 pricing rounds, of which the master LP",
            "(min s with every type within s of its relaxation target) took 530 s of 584 s wall under",
            "load 12-24, over 627 re-solves; pricing MIP 14 s (157 calls), swap search 38 s; the 18",
            "relaxation levels 0.2 s. A warm re-solve after one new panel takes 4 to 900 simplex",
            "iterations (degenerate), so the master LP dominates, not the pricing problem, the number",
            "of LEXIMIN levels (computed on the relaxation at once) nor the grouping key (666 types is",
            "the number of distinct feature combinations). Tried and measured, not kept: a slack per",
            "type instead of one s (the largest distance stayed above 0.9 after 150 rounds), 40 swap",
            "starts per round instead of 6 (slower per round), and closing the tail by moving weight",
            "between panels one seat apart (made the largest distance worse). The work budget is now",
            "1,000 pricing rounds and 250 MIP calls, so 50,000 → 150 with five categories finishes by",
            'types. Per the "largest change" column, the public lottery keeps everyone within 1/1,000',
            "(seats move between types inside tickets where copies of panels alone cannot).",
            "",
        ]
    )


def write_section(record: dict) -> None:
    text = DOC.read_text()
    section = render(record)
    start = text.find(SECTION)
    if start == -1:
        text = text.rstrip("\n") + "\n\n" + section
    else:
        end = text.find("\n## ", start + len(SECTION))
        text = text[:start] + section + ("" if end == -1 else text[end:])
    DOC.write_text(text)


if __name__ == "__main__":
    raise SystemExit(main(__import__("sys").argv[1:]))
