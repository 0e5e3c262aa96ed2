"""Where the time of raw answers -> themes goes at scale (issue 20's speed figures).

`python -m bench analysis_profile N [--cache PATH] [--profile OUT.prof] [--stages]`: the same
synthetic NHS-like texts as `bench analysis --speed-child N 0 1` (seed 0), embedded once into a
SQLite cache so later runs time everything but the model; prints wall and CPU seconds per
pipeline stage (from `analyse`'s progress reports) and, with --profile, writes a cProfile dump.
"""

from __future__ import annotations

import argparse
import cProfile
import json
import os
import resource
import time


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench analysis_profile")
    parser.add_argument("n", type=int)
    parser.add_argument("--cache", default="/tmp/chorus-speed-embeddings.sqlite")
    parser.add_argument("--profile")
    args = parser.parse_args(argv)
    from analysis import SentenceTransformerEmbedder, SqliteEmbeddingCache, analyse
    from bench.analysis import real_base_texts, synthetic_texts

    texts = synthetic_texts(real_base_texts(), args.n, 0)
    embedder = SentenceTransformerEmbedder()
    cache = SqliteEmbeddingCache(args.cache)
    stages: dict[str, list[float]] = {}
    last = {"stage": None, "wall": time.perf_counter(), "cpu": time.process_time()}

    def progress(stage: str, done: int, total: int) -> None:
        if stage != last["stage"]:
            wall, cpu = time.perf_counter(), time.process_time()
            if last["stage"] is not None:
                got = stages.setdefault(last["stage"], [0.0, 0.0])
                got[0] += wall - last["wall"]
                got[1] += cpu - last["cpu"]
            last.update(stage=stage, wall=wall, cpu=cpu)

    profiler = cProfile.Profile() if args.profile else None
    started, cpu = time.perf_counter(), time.process_time()
    if profiler:
        profiler.enable()
    result = analyse(texts, embedder=embedder, cache=cache, seed=0, progress=progress)
    if profiler:
        profiler.disable()
        profiler.dump_stats(args.profile)
    progress("end", 0, 0)
    print(
        json.dumps(
            {
                "n": args.n,
                "seconds": round(time.perf_counter() - started, 1),
                "cpu_seconds": round(time.process_time() - cpu, 1),
                "stages_wall_cpu": {k: [round(v[0], 1), round(v[1], 1)] for k, v in stages.items()},
                "themes": len(result.top_themes),
                "leaves": sum(1 for t in result.themes if t.parent_id is not None),
                "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
                "load_average": round(os.getloadavg()[0], 1),
            }
        )
    )
    return 0
