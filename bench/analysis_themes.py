"""`python -m bench analysis_themes` (also run by `python -m bench analysis`): themes officers can
trust (issue 20) in one table: stability, direction, theme counts, labels, privacy, NMI, time.

Every set is analysed with the packaged model through the embedding cache (`--cache`), so a
re-run costs clustering and labelling only. Results: bench/results/analysis_themes.json and the
"## Analysis: themes officers can trust" section of docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import csv
import json
import re
import time
from pathlib import Path

import numpy as np

from bench.analysis import (
    ROOT,
    data_root_or_skip,
    load_gambling,
    load_nhs,
    run_kmeans_embeddings,
    seeds_for,
)

RESULTS = ROOT / "bench" / "results" / "analysis_themes.json"
DOC = ROOT / "docs" / "benchmarks.md"
HEADING = "## Analysis: themes officers can trust"


def load_polis(root: Path) -> dict[str, list[str]]:
    out = {}
    for folder in sorted((root / "polis_opendata").iterdir()):
        path = folder / "comments.csv"
        if path.exists():
            with open(path, newline="", encoding="utf-8") as f:
                out[f"polis {folder.name}"] = [r["comment-body"] for r in csv.DictReader(f)]
    return out


def criticality(value: str) -> int:
    try:
        number = int(value)
    except ValueError:
        return 0
    return 1 if number >= 1 else (-1 if number <= -1 else 0)


# --- injected personal data ---------------------------------------------------------

INJECTIONS = [
    ("NHS number", "My NHS number is 943 476 5919.", ["943 476 5919", "9434765919"]),
    ("NI number", "My NI number is QQ 12 34 56 C.", ["QQ 12 34 56 C", "qq123456c"]),
    ("date of birth", "DOB 14/07/1962.", ["14/07/1962"]),
    ("title name", "Nurse Bethany Okafor was wonderful.", ["okafor", "bethany"]),
    ("role name", "My husband Trevor waited with me.", ["trevor"]),
    ("name pair", "I spoke to Gareth Pemberton at reception.", ["pemberton", "gareth"]),
    ("phone", "Call me on 07700 900123.", ["07700 900123", "07700900123"]),
    ("email", "Write to jo.bloggs@example.com please.", ["jo.bloggs", "example.com"]),
    ("postcode", "I live near LS6 2AB.", ["ls6 2ab", "ls62ab"]),
    ("address", "We are at 14 Larkspur Road.", ["larkspur"]),
    ("sexuality", "I am gay and felt judged.", ["gay"]),
    ("health", "My HIV status was discussed loudly.", ["hiv"]),
]


def inject(texts: list[str], every: int = 25) -> tuple[list[str], dict[int, int]]:
    """Every `every`-th answer gets one of the injections appended (cycling through them)."""
    out, injected = list(texts), {}
    for n, i in enumerate(range(0, len(texts), every)):
        kind = n % len(INJECTIONS)
        out[i] = f"{texts[i]} {INJECTIONS[kind][1]}"
        injected[i] = kind
    return out, injected


def leaks(result, injected: dict[int, int]) -> dict[str, int]:
    """Injected personal data found in any label, keyword, description or quote."""
    shown = []
    for t in result.themes:
        shown += [("label", t.label), ("description", t.description)]
        shown += [("keyword", k) for k in t.keywords]
        shown += [("quote", q) for _, q in t.quotes]
    shown += [("quote", c.quote) for c in result.campaigns]
    counts = {name: 0 for name, _, _ in INJECTIONS}
    used = {kind for kind in injected.values()}
    for kind in used:
        name, _, needles = INJECTIONS[kind]
        for where, text in shown:
            low = re.sub(r"\s+", " ", text.lower())
            special = name in {"sexuality", "health"}
            if special and where == "quote":
                continue  # disclosures are kept out of labels and keywords; quotes keep them
            if any(n.lower() in low for n in needles):
                counts[name] += 1
    return counts


# --- label checks ---------------------------------------------------------------------


def label_checks(result, texts: list[str]) -> dict:
    from analysis.labels import clean_for_labels, spoken_phrases

    phrases = used_twice = 0
    keyword_single = keywords = 0
    themes = [t for t in result.themes if t.label not in {"General praise and thanks", "Various comments"}]
    cache: dict[int, set[str]] = {}

    def grams(i: int) -> set[str]:
        if i not in cache:
            cache[i] = spoken_phrases(clean_for_labels(texts[i]), 1, 5)
        return cache[i]

    for t in themes:
        label = t.label.lower()
        phrases += " " in label
        users = sum(1 for i in t.member_indices if label in grams(i))
        used_twice += users >= 2
        for k in t.keywords:
            keywords += 1
            words = k.split()
            users = sum(1 for i in t.member_indices if all(w in " ".join(grams(i)).split() for w in words))
            keyword_single += users < 2
    n = max(len(themes), 1)
    return {
        "themes": len(themes),
        "phrase_share": round(phrases / n, 3),
        "used_by_two_share": round(used_twice / n, 3),
        "keywords": keywords,
        "keywords_from_one_answer": keyword_single,
    }


# --- running ---------------------------------------------------------------------------


def analyse_set(texts, embedder, cache, seed=0, order=None, stance=None):
    from analysis import analyse

    started = time.perf_counter()
    if order is None:
        result = analyse(texts, embedder=embedder, cache=cache, seed=seed, stance=stance)
        return result, list(result.assignment), time.perf_counter() - started
    result = analyse(
        [texts[i] for i in order],
        embedder=embedder,
        cache=cache,
        seed=seed,
        stance=[stance[i] for i in order] if stance else None,
    )
    back = [None] * len(texts)
    for j, i in enumerate(order):
        back[i] = result.assignment[j]
    return result, back, time.perf_counter() - started


def leaves_of(result, found: list[str]) -> list[str]:
    leaf = list(found)
    for t in result.themes:
        if t.parent_id is not None:
            for i in t.member_indices:
                leaf[i] = t.id
    return leaf


def stability(texts, embedder, cache, log, name) -> dict:
    from sklearn.metrics import adjusted_rand_score

    _, places, _ = analyse_set(texts, embedder, cache, seed=0)
    _, other_seed, _ = analyse_set(texts, embedder, cache, seed=1)
    order = np.random.default_rng(7).permutation(len(texts))
    _, reordered, _ = analyse_set(texts, embedder, cache, seed=2, order=list(order))
    out = {
        "seed": round(float(adjusted_rand_score(places, other_seed)), 4),
        "row_order": round(float(adjusted_rand_score(places, reordered)), 4),
    }
    log(f"{name}: stability {out}")
    return out


def restart_agreement(texts, embedder, cache) -> float:
    """How much k-means alone depends on its initialisation here: mean ARI between the restarts
    Chorus measures (what consensus or a fixed initialisation has to overcome)."""
    from analysis import analyse

    result = analyse(texts, embedder=embedder, cache=cache)
    values = list(result.parameters.get("restart_agreement", {}).values())
    return round(float(values[0]), 3) if values else 1.0


def per_set(name, texts, embedder, cache, log, truth=None, crit=None) -> dict:
    from sklearn.metrics import normalized_mutual_info_score

    from analysis.direction import mixed_share
    from analysis.embedding import embed
    from analysis.evaluation import flat_labels
    from analysis.preparation import normalise

    result, _, seconds = analyse_set(texts, embedder, cache)
    top = result.top_themes
    in_themes = result.accounting.in_themes + result.accounting.in_campaigns
    said = len(texts) - result.accounting.no_comment - result.accounting.blank
    out = {
        "n": len(texts),
        "seconds": round(seconds, 1),
        "top_themes": len(top),
        "leaves": len(
            {t.id for t in result.themes if t.parent_id}
            | {t.id for t in top if not any(s.parent_id == t.id for s in result.themes)}
        ),
        "answers_per_theme_median": float(np.median([t.size for t in top])) if top else 0.0,
        "smallest_theme": min((t.size for t in top), default=0),
        "other_share": round(result.accounting.other / max(said, 1), 3),
        "other_language": result.accounting.other_language,
        "in_themes_share": round(in_themes / max(said, 1), 3),
        "k_method": result.parameters.get("k_method"),
        "tentative": sum(t.tentative for t in result.themes),
        "labels": label_checks(result, [normalise(t) for t in texts]),
        "top_labels": [
            f"{t.label} ({t.size}, {t.direction}{', tentative' if t.tentative else ''})" for t in top
        ],
    }
    found = flat_labels(result.assignment, {c.id: c.theme_id for c in result.campaigns})
    leaf = leaves_of(result, found)
    if crit is not None:
        out["mixed_share"] = round(mixed_share(crit, leaf), 3)
        out["mixed_share_top"] = round(mixed_share(crit, found), 3)
    if truth:
        vectors = None
        out["nmi"] = {}
        for label_name, codes in truth.items():
            k_true = len(set(codes))
            if vectors is None:
                vectors = embed([normalise(t) for t in texts], embedder, cache=cache)
            km = [
                normalized_mutual_info_score(codes, run_kmeans_embeddings(vectors, k_true, s)[0])
                for s in seeds_for(len(texts))
            ]  # as `bench analysis`: 5 seeds on small sets, 3 on NHS
            n_leaves = len({x for x in leaf if x.startswith("t")})  # leaf themes, buckets left out
            top_nmi = normalized_mutual_info_score(codes, found)
            leaf_nmi = normalized_mutual_info_score(codes, leaf) if n_leaves <= max(k_true, 40) else None
            best = max(top_nmi if len(top) <= 15 else -1, leaf_nmi if leaf_nmi is not None else -1)
            out["nmi"][label_name] = {
                "top": round(float(top_nmi), 4),
                "leaves": round(float(leaf_nmi), 4) if leaf_nmi is not None else None,
                "leaf_count": n_leaves,
                "best": round(float(best), 4),
                "kmeans_true_k": round(float(np.mean(km)), 4),
                "vs_kmeans": round(float(best - np.mean(km)), 4),
            }
    log(f"{name}: {out}")
    return out


def run(root: Path, embedder, cache, log) -> dict:
    nhs = load_nhs(root)
    with open(root / "nhs_patient_feedback" / "phase1_text_data.csv", newline="", encoding="utf-8") as f:
        crit = [criticality(r["criticality"]) for r in csv.DictReader(f)]
    results: dict = {"sets": {}, "stability": {}, "date": time.strftime("%Y-%m-%d %H:%M")}
    results["sets"]["NHS phase 1"] = per_set(
        "NHS phase 1", nhs["texts"], embedder, cache, log, truth=nhs["labels"], crit=crit
    )
    results["stability"]["NHS phase 1"] = stability(nhs["texts"], embedder, cache, log, "NHS phase 1")
    results["restart_agreement_nhs"] = restart_agreement(nhs["texts"], embedder, cache)
    for part in (1, 2):
        data = load_gambling(root, part)
        name = f"gambling q{part}"
        results["sets"][name] = per_set(name, data["texts"], embedder, cache, log, truth=data["labels"])
        results["stability"][name] = stability(data["texts"], embedder, cache, log, name)
    for name, texts in load_polis(root).items():
        results["sets"][name] = per_set(name, texts, embedder, cache, log)
    injected_texts, injected = inject(nhs["texts"])
    from analysis import analyse

    result = analyse(injected_texts, embedder=embedder, cache=cache)
    results["pii"] = {"answers_injected": len(injected), "leaks": leaks(result, injected)}
    log(f"pii: {results['pii']}")
    return results


def render(results: dict) -> str:
    sets = results["sets"]
    nhs = sets["NHS phase 1"]
    st = results["stability"]
    lines = [
        HEADING,
        "",
        f"`python -m bench analysis_themes --cache var/bench-embeddings.sqlite` (bench/analysis_themes.py; also run"
        f" by `python -m bench analysis`; raw figures in bench/results/analysis_themes.json; {results['date']},"
        " shared 2-core host under other engineers' load, so seconds are pessimistic). Issue 20.",
        "",
        "| measure | data | figure |",
        "| --- | --- | --- |",
    ]
    for name, s in st.items():
        lines.append(
            f"| stability ARI (seed / row order) | {name} | {s['seed']:.3f} / {s['row_order']:.3f} |"
        )
    lines.append(
        f"| k-means restarts' own agreement (what the fixed start overcomes) | NHS phase 1 |"
        f" {results.get('restart_agreement_nhs')} |"
    )
    lines.append(
        f"| share of directed answers in mixed-direction leaves (target ≤ 0.20) | NHS phase 1"
        f" (`criticality`) | {nhs['mixed_share']:.3f} (top level alone: {nhs['mixed_share_top']:.3f}) |"
    )
    for name, s in sets.items():
        lines.append(
            f"| top-level themes; answers per theme (median, smallest); other; leaves | {name} (n={s['n']}) |"
            f" {s['top_themes']}; {s['answers_per_theme_median']:.0f}, {s['smallest_theme']};"
            f" other {s['other_share']:.1%}; {s['leaves']} leaves ({s['k_method']}) |"
        )
    for name, s in sets.items():
        lab = s["labels"]
        lines.append(
            f"| labels: phrases; used by ≥ 2 answers; keywords from one answer | {name} |"
            f" {lab['phrase_share']:.0%}; {lab['used_by_two_share']:.0%}; {lab['keywords_from_one_answer']}"
            f" of {lab['keywords']} |"
        )
    pii = results["pii"]
    total = sum(pii["leaks"].values())
    lines.append(
        f"| injected-PII leaks into labels, keywords, descriptions, quotes | NHS phase 1,"
        f" {pii['answers_injected']} answers injected | {total}"
        f" ({', '.join(f'{k} {v}' for k, v in pii['leaks'].items() if v) or 'none'}) |"
    )
    bertopic = _bertopic_figures()
    for name, s in sets.items():
        for label_name, n in (s.get("nmi") or {}).items():
            leaves = (
                f"{n['leaves']:.3f} ({n['leaf_count']} leaves)"
                if n["leaves"] is not None
                else "n/a (over the cap)"
            )
            bt = bertopic.get((name, label_name))
            versus = f"; BERTopic {bt:.3f} ({n['best'] - bt:+.3f})" if bt is not None else ""
            lines.append(
                f"| NMI top / leaves / best; k-means true k; BERTopic defaults | {name} `{label_name}` |"
                f" {n['top']:.3f} / {leaves} / **{n['best']:.3f}**; {n['kmeans_true_k']:.3f}"
                f" ({n['vs_kmeans']:+.3f}){versus} |"
            )
    for name, s in sets.items():
        lines.append(f"| time, raw answers to themes (embeddings cached) | {name} | {s['seconds']:.1f} s |")
    for n, figure in sorted((results.get("speed") or {}).items(), key=lambda kv: int(kv[0])):
        lines.append(
            f"| time, raw answers to themes, embedding and model load included | {int(n):,} synthetic NHS-like"
            f" answers | {figure['wall_seconds_including_model_load']:.1f} s{_cpu(figure)} (analyse alone"
            f" {figure['seconds']:.1f} s, peak {figure['peak_rss_mb']} MB, load average"
            f" {_before(figure)}{figure['load_average']} after;"
            f" {figure['measured']}) |"
        )
    lines += ["", "Top-level themes on NHS phase 1: " + "; ".join(nhs["top_labels"]) + "."]
    return "\n".join(lines) + "\n"


def _before(figure: dict) -> str:
    before = figure.get("load_average_before")
    return f"{before} before, " if before is not None else ""


def _cpu(figure: dict) -> str:
    cpu = figure.get("cpu_seconds_including_model_load")
    return f", {cpu:.1f} CPU-s" if cpu is not None else ""


def _bertopic_figures() -> dict:
    """BERTopic's mean NMI from the last `bench analysis` run (same data, same vectors): running it
    again costs minutes of a shared CPU and its figure does not depend on Chorus."""
    path = ROOT / "bench" / "results" / "analysis.json"
    if not path.exists():
        return {}
    quality = json.loads(path.read_text()).get("quality", {})
    names = {"nhs_phase1": "NHS phase 1", "gambling_XS_q1": "gambling q1", "gambling_XS_q2": "gambling q2"}
    out = {}
    for key, name in names.items():
        for label_name, methods in quality.get(key, {}).get("by_label", {}).items():
            if "bertopic_defaults" in methods:
                out[(name, label_name)] = methods["bertopic_defaults"]["nmi_mean"]
    return out


def speed_including_load(n: int) -> dict:
    """`bench analysis`'s speed child (synthetic NHS-like texts, embedded for real) timed from
    process start, so importing and loading the model count too."""
    import os
    import resource
    import subprocess
    import sys

    load_before = round(os.getloadavg()[0], 1)
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    out = subprocess.run(
        [sys.executable, "-m", "bench", "analysis", "--speed-child", str(n), "0", "1"],
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
    ).stdout
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    figure = json.loads(out.strip().splitlines()[-1])
    figure["wall_seconds_including_model_load"] = round(time.perf_counter() - started, 1)
    # CPU of the whole child, imports and model load included: on a shared host the wall time
    # says how busy the host was, the CPU seconds what the run itself cost.
    figure["cpu_seconds_including_model_load"] = round(
        after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime, 1
    )
    figure["load_average_before"] = load_before
    figure["measured"] = time.strftime("%Y-%m-%d %H:%M")
    return figure


def write_doc(results: dict) -> None:
    text = DOC.read_text()
    if not text.startswith("# Benchmarks") or HEADING not in text:
        # Another engineer's tool was rewriting the file at that moment (it once read as empty
        # here and the whole file was replaced by this section): leave it alone.
        print(f"docs/benchmarks.md not updated (read {len(text)} characters without {HEADING!r})")
        return
    section = render(results)
    start = text.find(HEADING)
    if start >= 0:
        end = text.find("\n## ", start + len(HEADING))
        text = text[:start] + section + (text[end + 1 :] if end >= 0 else "")
    else:
        anchor = text.find("\n## Analysis: what the NHS codes allow")
        text = (
            text[: anchor + 1] + section + "\n" + text[anchor + 1 :] if anchor >= 0 else text + "\n" + section
        )
    DOC.write_text(text)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench analysis_themes")
    parser.add_argument("--cache", help="SQLite embedding cache")
    parser.add_argument(
        "--speed",
        action="store_true",
        help="also time 20,000 and 50,000 raw answers to themes in a fresh process",
    )
    parser.add_argument(
        "--speed-only", action="store_true", help="time 20,000 and 50,000 only; keep the last quality figures"
    )
    args = parser.parse_args(argv)
    root = data_root_or_skip()
    if root is None:
        return 0
    if args.speed_only:
        results = json.loads(RESULTS.read_text())
        results["speed"] = {}
        for n in (20_000, 50_000):
            results["speed"][str(n)] = speed_including_load(n)
            print(f"speed {n}: {results['speed'][str(n)]}", flush=True)
        RESULTS.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n")
        write_doc(results)
        return 0
    from analysis import SentenceTransformerEmbedder, SqliteEmbeddingCache

    embedder = SentenceTransformerEmbedder()
    cache = SqliteEmbeddingCache(args.cache) if args.cache else None

    def log(message: str) -> None:
        print(message, flush=True)

    results = run(root, embedder, cache, log)
    if args.speed:
        results["speed"] = {str(n): speed_including_load(n) for n in (20_000, 50_000)}
    elif RESULTS.exists():  # keep the last measured speed figures (they say when they were taken)
        previous = json.loads(RESULTS.read_text()).get("speed")
        if previous:
            results["speed"] = previous
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n")
    write_doc(results)
    return 0
