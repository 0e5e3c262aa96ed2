"""How high can any clustering of these vectors score against the NHS codes?

    python -m bench analysis_ceiling [--cache var/bench-embeddings.sqlite]

Issue 3 asks Chorus for an NMI 0.05 above BERTopic's on the NHS patient feedback, with the
packaged all-MiniLM-L6-v2. `bench analysis` shows Chorus +0.02 on the codes' top level and
level on the subcategories. This benchmark measures what the vectors and the codes allow, on
the same embeddings, so the gap can be judged rather than argued:

- k-means at every granularity from the true k to BERTopic's ~200 topics (no-comment answers
  set aside, as Chorus does): the best any number of centroid themes reaches;
- Chorus with every answer coded "Couldn't be improved" moved to its no-comment bucket: the
  most that recognising the largest code perfectly could add;
- a classifier *trained on the codes* (logistic regression, 5-fold cross-validated): what the
  vectors carry of the codes at all.

Writes bench/results/analysis_ceiling.json and prints a Markdown table.
"""

from __future__ import annotations

import argparse
import json
import os
import time

import numpy as np

from bench.analysis import RESULTS as ANALYSIS_RESULTS
from bench.analysis import ROOT, data_root_or_skip, load_nhs, run_chorus

RESULTS = ROOT / "bench" / "results" / "analysis_ceiling.json"
KS = (9, 24, 44, 100, 200)
SEEDS = (0, 1, 2)
NOTHING_TO_IMPROVE = "Couldn't be improved"


def kmeans_sweep(x: np.ndarray, rows: np.ndarray, n: int, truths: dict) -> dict:
    from sklearn.cluster import KMeans
    from sklearn.metrics import normalized_mutual_info_score

    out: dict[str, dict[str, float]] = {name: {} for name in truths}
    for k in KS:
        per_seed = {name: [] for name in truths}
        for seed in SEEDS:
            found = np.full(n, -1)
            found[rows] = KMeans(k, n_init=3, random_state=seed).fit_predict(x)
            for name, truth in truths.items():
                per_seed[name].append(normalized_mutual_info_score(truth, found))
        for name in truths:
            out[name][str(k)] = round(float(np.mean(per_seed[name])), 4)
    return out


def chorus_with_perfect_bucket(texts, truths: dict, embedder, cache) -> dict:
    from sklearn.metrics import normalized_mutual_info_score

    found, _, _, leaf = run_chorus(texts, cache, embedder, seed=0)
    label = truths["label"]

    def bucketed(assigned):
        return [
            "no_comment" if code == NOTHING_TO_IMPROVE else a for a, code in zip(assigned, label, strict=True)
        ]

    return {
        name: {
            "themes": round(float(normalized_mutual_info_score(truth, found)), 4),
            "themes_perfect_bucket": round(float(normalized_mutual_info_score(truth, bucketed(found))), 4),
            "sub_themes": round(float(normalized_mutual_info_score(truth, leaf)), 4),
            "sub_themes_perfect_bucket": round(float(normalized_mutual_info_score(truth, bucketed(leaf))), 4),
        }
        for name, truth in truths.items()
    }


def supervised(x_all: np.ndarray, truths: dict) -> dict:
    from sklearn.linear_model import LogisticRegression
    from sklearn.metrics import normalized_mutual_info_score
    from sklearn.model_selection import StratifiedKFold, cross_val_predict

    out = {}
    for name, truth in truths.items():
        _, y = np.unique(truth, return_inverse=True)
        counts = np.bincount(y)
        keep = counts[y] >= 5  # a code with fewer than 5 answers cannot be split five ways
        model = LogisticRegression(C=4.0, max_iter=2000)
        folds = StratifiedKFold(5, shuffle=True, random_state=0)
        predicted = cross_val_predict(model, x_all[keep], y[keep], cv=folds)
        out[name] = round(float(normalized_mutual_info_score(y[keep], predicted)), 4)
    return out


def targets() -> dict:
    """BERTopic's NMI in the last `bench analysis` run, plus the 0.05 the issue asks for."""
    if not ANALYSIS_RESULTS.exists():
        return {}
    nhs = json.loads(ANALYSIS_RESULTS.read_text())["quality"]["nhs_phase1"]["by_label"]
    return {
        name: {
            "bertopic": methods["bertopic_defaults"]["nmi_mean"],
            "target": round(methods["bertopic_defaults"]["nmi_mean"] + 0.05, 4),
            "chorus": methods["chorus_auto_k"]["nmi_mean"],
        }
        for name, methods in nhs.items()
    }


def render(results: dict) -> str:
    lines = ["| measure | label | subcategory |", "| --- | --- | --- |"]

    def row(title: str, values: dict) -> None:
        lines.append(f"| {title} | {values['label']:.3f} | {values['subcategory']:.3f} |")

    if results["targets"]:
        row("BERTopic (last `bench analysis`)", {n: v["bertopic"] for n, v in results["targets"].items()})
        row("**target: BERTopic + 0.05**", {n: v["target"] for n, v in results["targets"].items()})
        row("Chorus (last `bench analysis`)", {n: v["chorus"] for n, v in results["targets"].items()})
    for k in KS:
        row(
            f"k-means, k = {k} (mean of {len(SEEDS)} seeds)",
            {n: v[str(k)] for n, v in results["kmeans"].items()},
        )
    chorus = results["chorus_seed0"]
    for key, title in (
        ("themes", "Chorus themes, seed 0"),
        ("sub_themes", "Chorus sub-themes as leaves, seed 0"),
        ("themes_perfect_bucket", f'Chorus themes, every "{NOTHING_TO_IMPROVE}" answer bucketed'),
        ("sub_themes_perfect_bucket", f'Chorus sub-themes, every "{NOTHING_TO_IMPROVE}" answer bucketed'),
    ):
        row(title, {n: v[key] for n, v in chorus.items()})
    row("logistic regression trained on the codes (5-fold)", results["supervised"])
    return "\n".join(lines)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench analysis_ceiling")
    parser.add_argument("--cache", help="SQLite embedding cache (the one `bench analysis --cache` used)")
    args = parser.parse_args(argv)
    root = data_root_or_skip()
    if root is None:
        return 0
    from analysis import InMemoryEmbeddingCache, SentenceTransformerEmbedder, SqliteEmbeddingCache
    from analysis.embedding import embed
    from analysis.preparation import is_no_comment, normalise

    started = time.perf_counter()
    nhs = load_nhs(root)
    texts = [normalise(t) for t in nhs["texts"]]
    truths = nhs["labels"]
    embedder = SentenceTransformerEmbedder()
    cache = SqliteEmbeddingCache(args.cache) if args.cache else InMemoryEmbeddingCache()
    x_all = embed(texts, embedder, cache=cache)
    rows = np.array([i for i, t in enumerate(texts) if t and not is_no_comment(t)])
    results = {
        "n": len(texts),
        "model": embedder.name,
        "load_average_at_start": os.getloadavg()[0],
        "date": time.strftime("%Y-%m-%d %H:%M"),
        "targets": targets(),
        "kmeans": kmeans_sweep(x_all[rows], rows, len(texts), truths),
        "chorus_seed0": chorus_with_perfect_bucket(texts, truths, embedder, cache),
        "supervised": supervised(x_all, truths),
    }
    results["seconds"] = round(time.perf_counter() - started, 1)
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(results, indent=2) + "\n")
    print(render(results))
    return 0
