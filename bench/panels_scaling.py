"""How the panel draw grows with the pool: 1,000 -> 10,000 -> 50,000 volunteers.

    python -m bench panels_scaling [--no-docs] [--render]

Pools from bench/panel_pools.py (`skewed_pool`: seeded numpy PCG64, seed = pool size; older
people and some wards over-volunteer, service users under-volunteer, and the service-user quota
asks for 1.5 x their population share). Each case runs `draw_panel` (LEXIMIN; AUTO picks the
type-based method from 60 groups up) and then rounds it to a uniform lottery of 1,000 tickets
(`panel_draw.transparent`), in its own spawned process so that peak RSS is the case's alone.
Cases: 1,000 -> 100, 10,000 -> 100 and 50,000 -> 150, each with 4, 5 and 6 categories.
`--render` rewrites the docs section from bench/results/panels_scaling.json.
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
CASES = [
    (volunteers, size, categories)
    for volunteers, size in ((1_000, 100), (10_000, 100), (50_000, 150))
    for categories in (4, 5, 6)
]
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
            "decomposition_panels": details.get("decomposition_panels"),
            "decomposition_mip_calls": details.get("decomposition_mip_calls"),
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
    parser.add_argument("--no-docs", action="store_true")
    parser.add_argument("--render", action="store_true", help="only rewrite the docs from the saved results")
    options = parser.parse_args(argv)
    if options.render:
        write_section(json.loads(RESULTS.read_text()))
        return 0
    cases = CASES
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
        "| pool → seats | categories | types | algorithm (method) | levels | peeled panels (MIPs) "
        "| pricing rounds | seconds | CPU s | peak RSS MB | min probability | proven bound | gap "
        "| type shortfall | lottery of 1,000: s | largest change | lottery min |",
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- "
        "| --- | --- |",
    ]
    for r in record["results"]:
        shortfall = r.get("type_shortfall")
        peeled = r.get("decomposition_panels")
        peeled_text = "" if peeled is None else f"{peeled} ({r.get('decomposition_mip_calls')})"
        rows.append(
            f"| {r['pool']:,} → {r['panel']} | {r['categories']} | {r['groups']} "
            f"| {r['algorithm']} ({r['method']}) | {r['levels']} "
            f"| {peeled_text} "
            f"| {r['pricing_rounds']} | {r['seconds']} | {r['cpu_seconds']} "
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
            "CSV for `python -m app panel-draw`). The draw's seed is 20261206. Each case in its own",
            "process (peak RSS its own, including building the pool).",
            f"Measured {record['date']} on {record['machine']}, load average before "
            f"{record['load_average_before']}, after {record['load_average_after']} (shared machine:",
            "wall time includes waiting for a core; CPU s is the draw's own).",
            "",
            *rows,
            "",
            '"levels" are the LEXIMIN levels (distinct probabilities of the relaxation\'s LEXIMIN);',
            '"peeled panels (MIPs)" the panels the decomposition took off the targets and the panel-MIP',
            'calls it made; "pricing rounds" the column-generation rounds needed after it (0: the',
            'master LP over the peeled panels was within tolerance at once). "gap" is the proven',
            "maximin bound (first level of the LP relaxation's LEXIMIN) minus the minimum reached;",
            '"type shortfall" the largest distance of any type from the relaxation\'s LEXIMIN (the',
            "type-based method stops at 5e-5; the issue asks for 1e-4). \"largest change\" is the",
            "most any volunteer's probability moves when the lottery is rounded to 1,000 equally",
            "likely panels (within 1/1,000 when the rounding's repair brings every type inside its",
            "window); that rounding is not part of the LEXIMIN time.",
            "",
            "Where the time went, and what changed (decision 0102): on 10,000 → 100 with six",
            "categories (666 types) the earlier column generation over a master LP (min s, every type",
            "within s of its relaxation target) took 626 pricing rounds (627 master solves) and 157",
            "pricing MIPs, 255.7 s of CPU, of which the degenerate master LP was 226.8 s, the panel",
            "MIPs 10.8 s (with the 43 that find covering panels) and swap search 17.5 s (plain timers",
            "around the solver calls, 6 December 2026 20:11, load 2 to 9). The master is no longer grown panel by",
            "panel: the targets are first projected into the relaxation (they sit up to 3e-6 outside",
            "it, from the levels' fixing slack) and then peeled: each step takes the panel MIP with",
            "its bounds tightened so that the panel fits a step of at least the weight tried, takes",
            "the largest weight that keeps the residual inside the relaxation, and goes on with the",
            "mass left until under 1e-5. One master LP over those panels then confirms the",
            "shortfall; column generation only runs if that is over 5e-5 (where the relaxation",
            "cannot be realised it proves so, and the stage method takes over). A complete peeling",
            "also proves every type with a target is in some panel, so the covering panels (one",
            "MIP per batch of uncovered types, 10 of the 21 CPU-s at 50,000 x 6) are only looked",
            "for when the peeling gets stuck.",
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
