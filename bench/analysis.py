"""`python -m bench analysis`: Chorus against BERTopic and k-means baselines, plus speed runs.

Every method on a data set sees the same embeddings (packaged all-MiniLM-L6-v2,
int8). Results go to bench/results/analysis.json and the `## Analysis` section of
docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import platform
import resource
import subprocess
import sys
import threading
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results" / "analysis.json"
DOC = ROOT / "docs" / "benchmarks.md"


def data_root() -> Path | None:
    for candidate in (Path("/work/shared/data"), ROOT.parent / "shared" / "data"):
        if (candidate / "nhs_patient_feedback").exists():
            return candidate
    return None


def data_root_or_skip() -> Path | None:
    """The shared data folder, with the model set to load offline; None (said on stderr) if absent."""
    root = data_root()
    if root is None:
        print("skipped: shared data not found (../shared/data)", file=sys.stderr)
        return None
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    return root


# --- data sets ----------------------------------------------------------------


def load_nhs(root: Path) -> dict:
    path = root / "nhs_patient_feedback" / "phase1_text_data.csv"
    with open(path, newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    return {
        "texts": [r["feedback"] for r in rows],
        "labels": {
            "label": [r["label"] for r in rows],
            "subcategory": [r["subcategory"] for r in rows],
        },
    }


def load_gambling(root: Path, part: int) -> dict:
    base = root / "themefinder_synthetic" / "gambling_XS"
    responses = _jsonl(base / "inputs" / f"question_part_{part}" / "responses.jsonl")
    mapping_dir = base / "outputs" / "mapping" / "2025-07-22" / f"question_part_{part}"
    first_label = {m["response_id"]: m["labels"][0] for m in _jsonl(mapping_dir / "mapping.jsonl")}
    kept = [r for r in responses if r["response_id"] in first_label]
    return {
        "texts": [r["response"] for r in kept],
        "labels": {"first theme": [first_label[r["response_id"]] for r in kept]},
    }


def _jsonl(path: Path) -> list[dict]:
    with open(path, encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


# --- methods ------------------------------------------------------------------


def run_chorus(texts, cache, embedder, k=None, seed=0):
    from analysis import Options, analyse
    from analysis.evaluation import flat_labels

    started = time.perf_counter()
    result = analyse(texts, embedder=embedder, cache=cache, options=Options(k=k), seed=seed)
    seconds = time.perf_counter() - started
    found = flat_labels(result.assignment, {c.id: c.theme_id for c in result.campaigns})
    leaf = _leaf_labels(result, found)
    return found, len(result.top_themes), seconds, leaf


def _leaf_labels(result, found):
    leaf = list(found)
    for theme in result.themes:
        if theme.parent_id is not None:
            for i in theme.member_indices:
                leaf[i] = theme.id
    return leaf


def run_bertopic(texts, vectors, model, seed=0):
    from bertopic import BERTopic
    from umap import UMAP

    # BERTopic's own default UMAP, given a seed so runs can be repeated.
    umap = UMAP(
        n_neighbors=15, n_components=5, min_dist=0.0, metric="cosine", low_memory=False, random_state=seed
    )
    started = time.perf_counter()
    topics, _ = BERTopic(embedding_model=model, umap_model=umap).fit_transform(
        list(texts), embeddings=vectors
    )
    seconds = time.perf_counter() - started
    return topics, len(set(topics) - {-1}), seconds


def run_kmeans_embeddings(vectors, k, seed=0):
    from sklearn.cluster import KMeans

    started = time.perf_counter()
    labels = KMeans(k, n_init=3, random_state=seed).fit_predict(vectors)
    return labels, k, time.perf_counter() - started


def run_tfidf_kmeans(texts, k, seed=0):
    from sklearn.cluster import KMeans
    from sklearn.feature_extraction.text import TfidfVectorizer

    started = time.perf_counter()
    tfidf = TfidfVectorizer(stop_words="english", sublinear_tf=True, min_df=2).fit_transform(texts)
    labels = KMeans(k, n_init=3, random_state=seed).fit_predict(tfidf)
    return labels, k, time.perf_counter() - started


def scores(truth, found, k_found, seconds):
    from analysis.evaluation import score

    other = sum(1 for f in found if str(f) in {"other", "-1"}) / max(len(found), 1)
    return score(truth, found, k_found=k_found, other_fraction=other, seconds=seconds).to_dict()


def quality(name: str, data: dict, embedder, log, cache=None) -> dict:
    from analysis.embedding import InMemoryEmbeddingCache, embed
    from analysis.preparation import normalise

    texts = [normalise(t) for t in data["texts"]]
    cache = cache if cache is not None else InMemoryEmbeddingCache()
    started = time.perf_counter()
    vectors = embed(texts, embedder, cache=cache)
    embed_seconds = time.perf_counter() - started
    log(f"{name}: embedded {len(texts)} texts in {embed_seconds:.1f}s")
    out = {"n": len(texts), "embedding_seconds": round(embed_seconds, 1), "by_label": {}}
    runs: dict[str, dict[str, list[dict]]] = {label: {} for label in data["labels"]}
    seeds = seeds_for(len(texts))
    for seed in seeds:
        chorus, k_chorus, t_chorus, leaf = run_chorus(texts, cache, embedder, seed=seed)
        bert, k_bert, t_bert = run_bertopic(texts, vectors, embedder.model, seed)
        log(
            f"{name} seed {seed}: chorus {k_chorus} themes in {t_chorus:.1f}s, bertopic {k_bert} in {t_bert:.1f}s"
        )
        for label_name, truth in data["labels"].items():
            k_true = len(set(truth))
            km, _, t_km = run_kmeans_embeddings(vectors, k_true, seed)
            tf, _, t_tf = run_tfidf_kmeans(texts, k_true, seed)
            chorus_k, kk, t_ck = run_chorus(texts, cache, embedder, k=k_true, seed=seed)[:3]
            for method, s in {
                "chorus_auto_k": scores(truth, chorus, k_chorus, t_chorus),
                "chorus_auto_k_leaf": scores(truth, leaf, len(set(leaf)), t_chorus),
                "chorus_given_true_k": scores(truth, chorus_k, kk, t_ck),
                "bertopic_defaults": scores(truth, bert, k_bert, t_bert),
                "kmeans_embeddings_true_k": scores(truth, km, k_true, t_km),
                "tfidf_kmeans_true_k": scores(truth, tf, k_true, t_tf),
            }.items():
                runs[label_name].setdefault(method, []).append(s)
    for label_name, methods in runs.items():
        out["by_label"][label_name] = {method: _over_seeds(per_seed) for method, per_seed in methods.items()}
        log(f"{name}/{label_name}: " + _summary(out["by_label"][label_name]))
    return out


def seeds_for(n: int) -> tuple[int, ...]:
    """Every method is run with several seeds and judged on the mean: on 100 answers one seed's
    NMI moved by 0.03-0.07 from the next (k-means and Chorus alike), more than the margins
    the targets ask for. Large sets move less and cost more, so they get fewer."""
    return tuple(range(5 if n <= 1000 else 3))


def _over_seeds(per_seed: list[dict]) -> dict:
    """Seed 0's figures as they were, plus the NMI's mean and spread over all seeds."""
    nmis = [s["nmi"] for s in per_seed]
    return {
        **per_seed[0],
        "seeds": len(per_seed),
        "nmi_mean": round(float(np.mean(nmis)), 4),
        "nmi_sd": round(float(np.std(nmis)), 4),
        "nmi_by_seed": nmis,
        "k_found_by_seed": [s["k_found"] for s in per_seed],
    }


def _summary(methods: dict) -> str:
    return ", ".join(
        f"{m} nmi={s['nmi_mean']:.3f}±{s['nmi_sd']:.3f} k={s['k_found_by_seed']}" for m, s in methods.items()
    )


# --- embedding throughput -------------------------------------------------------


def throughput(texts: list[str], log, n: int = 1500, repeats: int = 3) -> dict:
    """Each precision and runtime at several batch sizes on the same texts, runs alternating (so
    drift in the host's load hits all), best of `repeats` each. Each is taken at the batch size
    Chorus uses for it, against torch fp32 at *its* best batch size, so the speed-up is not
    flattered by a bad fp32 setting; "chosen" is what the defaults pick here."""
    from analysis import SentenceTransformerEmbedder
    from analysis.embedding import cpu_precision
    from analysis.openvino_runtime import openvino_available

    rng = np.random.default_rng(0)
    sample = [texts[i] for i in rng.choice(len(texts), n, replace=False)]
    models = {p: SentenceTransformerEmbedder(precision=p, runtime="torch") for p in ("fp32", "int8", "bf16")}
    if openvino_available():
        models["openvino-bf16"] = SentenceTransformerEmbedder(precision="bf16", runtime="openvino")
    own_batch = {name: model.batch_size for name, model in models.items()}
    sizes = sorted({8, 16, 32, 64})
    wall = {(m, b): float("inf") for m in models for b in sizes}
    cpu = dict(wall)
    vectors = {}
    for _ in range(repeats):
        for b in sizes:
            for name, model in models.items():
                model.batch_size = b
                model.encode(sample[:32])
                started, cpu_started = time.perf_counter(), time.process_time()
                encoded = model.encode(sample)
                wall[name, b] = min(wall[name, b], time.perf_counter() - started)
                cpu[name, b] = min(cpu[name, b], time.process_time() - cpu_started)
                if b == own_batch[name]:
                    vectors[name] = encoded
    rate = {f"{m}@{b}": round(n / wall[m, b], 1) for m, b in wall}
    cpu_rate = {f"{m}@{b}": round(n / cpu[m, b], 1) for m, b in cpu}
    fp32_best = max(rate[f"fp32@{b}"] for b in sizes)
    reduced = [name for name in models if name != "fp32"]
    at_own_batch = {p: rate[f"{p}@{own_batch[p]}"] for p in reduced}
    chosen = _chosen_name(cpu_precision())
    log(f"throughput texts/s: {rate}; chosen here: {chosen}")
    return {
        "n": n,
        "batch_size": own_batch,
        "chosen_precision": chosen,
        "texts_per_second": {"fp32": fp32_best, "fp32_default_batch_32": rate["fp32@32"], **at_own_batch},
        "texts_per_second_by_batch": rate,
        "texts_per_cpu_second_by_batch": cpu_rate,
        "speedup": {p: round(r / fp32_best, 2) for p, r in at_own_batch.items()},
        "load_average": round(os.getloadavg()[0], 1),
        "cosine_to_fp32_mean": {
            p: round(float(np.mean(np.sum(vectors["fp32"] * vectors[p], axis=1))), 4) for p in reduced
        },
        "_vectors": vectors,
    }


def _chosen_name(precision: str) -> str:
    """The key `throughput` gives what the defaults run: the cache name's suffix."""
    from analysis.embedding import _name_suffix, _runtime_for

    return _name_suffix(_runtime_for(precision), precision).removeprefix("+") or "fp32"


def throughput_as_chorus_runs(texts: list[str], log, n: int = 6000, repeats: int = 3) -> dict:
    """What Chorus runs on this CPU (its precision and runtime, plus helper processes where it
    starts them) against the model's plain fp32 speed (sentence-transformers' defaults: torch,
    one process, all threads, batch 32), on the same `n` texts in the chunks `embed` makes,
    alternating, best of `repeats`. Helpers are started and warmed before the clock: start-up
    (5-15 s) and the first compile of each batch shape are paid once per analysis and sit
    inside the end-to-end speed figures."""
    import torch

    from analysis import SentenceTransformerEmbedder
    from analysis.embedding import _chunks_of_similar_work
    from analysis.helper_processes import HelperProcess, encode_shared

    rng = np.random.default_rng(1)
    sample = sorted((texts[i] for i in rng.choice(len(texts), min(n, len(texts)), replace=False)), key=len)
    numbered = _chunks_of_similar_work(list(range(len(sample))), list(map(len, sample)), 512)
    chunks = [[sample[i] for i in chunk] for chunk in numbered]
    plain = SentenceTransformerEmbedder(precision="fp32", runtime="torch", batch_size=32, helpers=0)
    chorus = SentenceTransformerEmbedder()
    seconds = {"fp32": float("inf"), "chorus": float("inf")}
    for _ in range(repeats):
        plain.encode(sample[:64])
        started = time.perf_counter()
        plain.encode(sample)
        seconds["fp32"] = min(seconds["fp32"], time.perf_counter() - started)
        helpers = [HelperProcess(chorus.spec()) for _ in range(chorus.helpers)]
        for helper in helpers:
            helper.encode(sample)
        threads = torch.get_num_threads()
        torch.set_num_threads(1 if helpers else threads)  # as it runs beside helpers, so warm as that
        chorus.encode(sample)
        torch.set_num_threads(threads)
        started = time.perf_counter()
        if helpers:
            done = list(encode_shared(chorus.encode, chunks, helpers.pop, len(helpers)))
        else:
            done = list(chorus.encode_chunks(chunks))
        seconds["chorus"] = min(seconds["chorus"], time.perf_counter() - started)
        assert sorted(i for i, _ in done) == list(range(len(chunks)))
    rate = {k: round(len(sample) / v, 1) for k, v in seconds.items()}
    out = {
        "n": len(sample),
        "repeats": repeats,
        "precision": chorus.precision,
        "runtime": chorus.runtime,
        "helpers": chorus.helpers,
        "texts_per_second": rate,
        "speedup": round(rate["chorus"] / rate["fp32"], 2),
        "load_average": round(os.getloadavg()[0], 1),
    }
    log(f"as Chorus runs: {out}")
    return out


def quantisation_quality(vectors: dict, truth: list, log) -> dict:
    from sklearn.metrics import normalized_mutual_info_score

    k = len(set(truth))
    out = {}
    for name, x in vectors.items():
        nmis = []
        for seed in range(3):
            labels = run_kmeans_embeddings(x, k, seed)[0]
            nmis.append(normalized_mutual_info_score(truth, labels))
        out[name] = round(float(np.mean(nmis)), 4)
    log(f"k-means NMI {_nmi_by_precision(out)}")
    return out


# --- speed at scale -------------------------------------------------------------


def synthetic_texts(texts: list[str], n: int, seed: int) -> list[str]:
    """n distinct texts made from real ones: a real text with ~15% of words dropped and a
    clause from another real text appended (sampling with replacement plus perturbation)."""
    rng = np.random.default_rng(seed)
    words = [t.split() for t in texts if len(t.split()) >= 3]
    out, seen = [], set()
    while len(out) < n:
        base = words[rng.integers(len(words))]
        keep = [w for w in base if rng.random() > 0.15] or base
        extra = words[rng.integers(len(words))]
        start = rng.integers(len(extra))
        text = " ".join(keep + extra[start : start + 6])
        if text not in seen:
            seen.add(text)
            out.append(text)
    return out


def speed_child(argv: list[str]) -> int:
    """Runs in a fresh process so its peak memory is its own."""
    n, seed, embed_for_real = int(argv[0]), int(argv[1]), argv[2] == "1"
    base_cache = argv[3] if len(argv) > 3 else None
    from analysis import InMemoryEmbeddingCache, SentenceTransformerEmbedder, analyse
    from analysis.embedding import cache_key

    base = real_base_texts()
    texts = synthetic_texts(base, n, seed)
    embedder = SentenceTransformerEmbedder()
    cache = InMemoryEmbeddingCache()
    if not embed_for_real:
        cache.put_many(_stand_in_vectors(texts, base, embedder, cache_key, base_cache))
    started, cpu = time.perf_counter(), time.process_time()
    with TreeMemory() as tree:
        result = analyse(texts, embedder=embedder, cache=cache, seed=seed)
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    own_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    peak_mb = max(own_mb, tree.peak_mb)
    print(
        json.dumps(
            {
                "n": n,
                "embedded_for_real": embed_for_real,
                "seconds": round(seconds, 1),
                "cpu_seconds": round(cpu, 1),
                "load_average": round(os.getloadavg()[0], 1),
                "themes": len(result.top_themes),
                "peak_rss_mb": round(peak_mb),
                "own_peak_rss_mb": round(own_mb),
                "helper_processes": embedder.helpers,
            }
        )
    )
    return 0


class TreeMemory:
    """Peak resident memory of this process and its children (the embedding helpers) together,
    sampled every 50 ms. (RUSAGE_CHILDREN cannot serve: a forked child is charged with its
    parent's pages until it execs, so it reports the parent's size, not the helper's.)"""

    def __init__(self, interval: float = 0.05):
        self.interval = interval
        self.peak_mb = 0.0
        self._stop = threading.Event()

    def __enter__(self) -> TreeMemory:
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()

    def _sample(self) -> None:
        import psutil

        me = psutil.Process()
        while not self._stop.wait(self.interval):
            total = 0
            for process in [me, *me.children(recursive=True)]:
                try:
                    total += process.memory_info().rss
                except psutil.NoSuchProcess:
                    continue
            self.peak_mb = max(self.peak_mb, total / 2**20)


def real_base_texts() -> list[str]:
    from analysis.preparation import normalise

    return [normalise(t) for t in load_nhs(data_root())["texts"] if t.strip()]


def _stand_in_vectors(texts, base, embedder, cache_key, base_cache=None) -> dict:
    """Vectors for synthetic texts without embedding them all: the embedding of a real text
    plus noise. Used where embedding every text would take longer than the bench allows;
    the embedding time is then added from the measured throughput (reported as such)."""
    from analysis import SqliteEmbeddingCache
    from analysis.embedding import embed

    rng = np.random.default_rng(1)
    cache = SqliteEmbeddingCache(base_cache) if base_cache else None
    real = embed(base, embedder, cache=cache)
    picks = rng.integers(len(base), size=len(texts))
    noisy = real[picks] + rng.normal(0, 0.02, size=(len(texts), real.shape[1])).astype(np.float32)
    noisy /= np.linalg.norm(noisy, axis=1, keepdims=True)
    return {cache_key(t, embedder.name): v for t, v in zip(texts, noisy, strict=True)}


def speed(n: int, embed_for_real: bool, log, base_cache: str | None) -> dict:
    cmd = [sys.executable, "-m", "bench", "analysis", "--speed-child", str(n), "0"]
    cmd += ["1" if embed_for_real else "0", *([base_cache] if base_cache else [])]
    done = subprocess.run(cmd, capture_output=True, text=True, check=True, cwd=ROOT)
    out = json.loads(done.stdout.strip().splitlines()[-1])
    log(f"speed {n}: {out}")
    return out


def incremental(log, base_cache=None, n_previous: int = 100_000, n_new: int = 1000) -> dict:
    from analysis import InMemoryEmbeddingCache, SentenceTransformerEmbedder, analyse, assign_incremental
    from analysis.embedding import cache_key

    base = real_base_texts()
    texts = synthetic_texts(base, n_previous + n_new, 7)
    previous_texts, new_texts = texts[:n_previous], texts[n_previous:]
    embedder = SentenceTransformerEmbedder()
    cache = InMemoryEmbeddingCache()
    cache.put_many(_stand_in_vectors(previous_texts, base, embedder, cache_key, base_cache))
    started = time.perf_counter()
    previous = analyse(previous_texts, embedder=embedder, cache=cache)
    first = time.perf_counter() - started
    started, cpu = time.perf_counter(), time.process_time()
    update = assign_incremental(previous, new_texts, embedder=embedder, cache=cache)
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    counts = update.counts
    out = {
        "n_previous": n_previous,
        "n_new": n_new,
        "previous_run_seconds_without_embedding": round(first, 1),
        "incremental_seconds_including_embedding_new": round(seconds, 1),
        "incremental_cpu_seconds": round(cpu, 1),
        "load_average": round(os.getloadavg()[0], 1),
        "new_in_existing_themes": sum(v for k, v in counts.items() if k.startswith("t")),
        "new_themes_proposed": len(update.new_themes),
    }
    log(f"incremental: {out}")
    return out


# --- report ---------------------------------------------------------------------


def main(argv: list[str]) -> int:
    if argv[:1] == ["--speed-child"]:
        return speed_child(argv[1:])
    parser = argparse.ArgumentParser(prog="python -m bench analysis")
    parser.add_argument("--skip-speed", action="store_true")
    parser.add_argument(
        "--stand-in-vectors",
        action="store_true",
        help="speed runs on real-embedding-plus-noise vectors; embedding time projected",
    )
    parser.add_argument("--cache", help="SQLite embedding cache for the quality data sets")
    args = parser.parse_args(argv)
    root = data_root_or_skip()
    if root is None:
        return 0
    log = _logger()
    from analysis import SentenceTransformerEmbedder, SqliteEmbeddingCache

    embedder = SentenceTransformerEmbedder()
    cache = SqliteEmbeddingCache(args.cache) if args.cache else None
    nhs = load_nhs(root)
    results = {"host": _host(), "quality": {}}
    results["quality"]["nhs_phase1"] = quality("nhs_phase1", nhs, embedder, log, cache)
    for part in (1, 2):
        name = f"gambling_XS_q{part}"
        data = load_gambling(root, part)
        results["quality"][name] = quality(name, data, embedder, log, cache)
    tp = throughput(nhs["texts"], log)
    vectors = tp.pop("_vectors")
    rng = np.random.default_rng(0)
    idx = rng.choice(len(nhs["texts"]), tp["n"], replace=False)
    tp["kmeans_nmi_label"] = quantisation_quality(vectors, [nhs["labels"]["label"][i] for i in idx], log)
    results["embedding_throughput"] = tp
    results["embedding_as_chorus_runs"] = throughput_as_chorus_runs(nhs["texts"], log)
    if not args.skip_speed:
        real = not args.stand_in_vectors
        results["speed"] = {str(n): speed(n, real, log, args.cache) for n in (50_000, 250_000)}
        results["speed_measured_on"] = time.strftime("%Y-%m-%d %H:%M")
        if not real:
            rate = results["embedding_as_chorus_runs"]["texts_per_second"]["chorus"]
            for n, s in results["speed"].items():
                s["projected_embedding_seconds"] = round(int(n) / rate, 1)
                s["projected_total_seconds"] = round(s["seconds"] + int(n) / rate, 1)
        results["incremental"] = incremental(log, args.cache)
    else:
        results.update(_previous_speed_figures())
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(results, indent=2) + "\n")
    write_doc(results)
    log(f"wrote {RESULTS.relative_to(ROOT)} and {DOC.relative_to(ROOT)}")
    return 0


def _previous_speed_figures() -> dict:
    """With --skip-speed the last measured speed figures are kept (they say when they were taken)."""
    if not RESULTS.exists():
        return {}
    previous = json.loads(RESULTS.read_text())
    kept = {k: previous[k] for k in ("speed", "incremental") if k in previous}
    if kept:
        kept["speed_measured_on"] = previous.get("speed_measured_on", previous["host"]["date"])
    return kept


def _logger():
    started = time.perf_counter()

    def log(message: str) -> None:
        print(f"[{time.perf_counter() - started:7.1f}s] {message}", file=sys.stderr, flush=True)

    return log


def _host() -> dict:
    return {
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
        "machine": platform.machine(),
        "load_average_at_start": os.getloadavg()[0],
        "date": time.strftime("%Y-%m-%d"),
    }


def _nmi_by_precision(nmi: dict) -> str:
    return ", ".join(f"{name} {value}" for name, value in nmi.items())


def write_doc(results: dict) -> None:
    section = render_section(results)
    text = DOC.read_text() if DOC.exists() else "# Benchmarks\n"
    start = text.find("\n## Analysis")
    if start == -1:
        text = text.rstrip("\n") + "\n\n" + section
    else:
        end = text.find("\n## ", start + 1)
        text = text[: start + 1] + section + (text[end + 1 :] if end != -1 else "")
    DOC.parent.mkdir(parents=True, exist_ok=True)
    DOC.write_text(text if text.endswith("\n") else text + "\n")


def render_section(results: dict) -> str:
    lines = [
        "## Analysis",
        "",
        "`python -m bench analysis` (bench/analysis.py; raw figures in"
        " bench/results/analysis.json). Host: "
        f"{results['host']['cpus']} CPUs, shared with other work"
        f" (load average {results['host']['load_average_at_start']:.1f} at start),"
        f" {results['host']['date']}. All methods on a set use the same embeddings"
        f" (packaged all-MiniLM-L6-v2 at this CPU's precision, {results['embedding_throughput']['chosen_precision']})."
        ' "other"/no-comment/BERTopic\'s -1 count as'
        " clusters of their own. Gambling XS truth is each response's first theme. Every method"
        " runs with several seeds (5 on the 100-answer sets, 3 on NHS); **NMI mean ± sd** is over"
        " those seeds and is what the targets are judged on; the other columns are seed 0's.",
        "",
        "| data set | truth | method | k found (by seed) | NMI mean ± sd | NMI seed 0 | ARI | acc | other | seconds |",
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for name, q in results["quality"].items():
        for label, methods in q["by_label"].items():
            for method, s in methods.items():
                ks = "/".join(map(str, s.get("k_found_by_seed", [s["k_found"]])))
                lines.append(
                    f"| {name} (n={q['n']}) | {label} | {method} | {ks}"
                    f" | {s.get('nmi_mean', s['nmi']):.3f} ± {s.get('nmi_sd', 0):.3f} | {s['nmi']:.3f}"
                    f" | {s['ari']:.3f} | {s['acc']:.3f} | {s['other_fraction']:.2f}"
                    f" | {s['seconds']:.1f} |"
                )
    lines += ["", "Against the targets (means over seeds; Chorus with k chosen automatically):", ""]
    for name, q in results["quality"].items():
        for label, methods in q["by_label"].items():
            chorus = methods["chorus_auto_k"]["nmi_mean"]
            vs_bertopic = chorus - methods["bertopic_defaults"]["nmi_mean"]
            vs_kmeans = chorus - methods["kmeans_embeddings_true_k"]["nmi_mean"]
            lines.append(
                f"- {name} / {label}: Chorus {chorus:.3f} (themes and sub-themes as leaves:"
                f" {methods['chorus_auto_k_leaf']['nmi_mean']:.3f}); vs BERTopic {vs_bertopic:+.3f}"
                f" ({'met' if vs_bertopic >= 0.05 else 'missed'}: +0.05 asked);"
                f" vs k-means given the true k {vs_kmeans:+.3f}"
                f" ({'met' if vs_kmeans >= -0.02 else 'missed'}: no worse than -0.02 asked)."
            )
    tp = results["embedding_throughput"]
    lines += [
        "",
        f"Embedding throughput ({tp['n']} NHS texts, best of 3 alternating runs, load average"
        f" {tp['load_average']}): fp32 at its best batch size {tp['texts_per_second']['fp32']}/s"
        f" (at sentence-transformers' default batch of 32: {tp['texts_per_second']['fp32_default_batch_32']}/s);"
        + "".join(
            f" {p} at batch {tp['batch_size'][p]} {tp['texts_per_second'][p]}/s = {tp['speedup'][p]}x,"
            f" cosine to fp32 {tp['cosine_to_fp32_mean'][p]};"
            for p in tp["speedup"]
        )
        + f" this CPU runs {tp['chosen_precision']}: {tp['speedup'][tp['chosen_precision']]}x;"
        f" texts/s by precision@batch {tp['texts_per_second_by_batch']};"
        f" k-means (true k) NMI {_nmi_by_precision(tp['kmeans_nmi_label'])}.",
    ]
    if "embedding_as_chorus_runs" in results:
        run = results["embedding_as_chorus_runs"]
        lines += [
            "",
            f"**As Chorus embeds here** ({run['n']} NHS texts in `embed`'s chunks, best of"
            f" {run['repeats']} alternating runs, load average {run['load_average']}):"
            f" {run['runtime']} {run['precision']} with {run['helpers']} helper process(es)"
            f" {run['texts_per_second']['chorus']}/s against plain fp32 (torch, one process, batch 32)"
            f" {run['texts_per_second']['fp32']}/s: **{run['speedup']}x**.",
        ]
    if "speed" in results:
        inc = results["incremental"]
        lines += [
            "",
            f"Speed (measured {results.get('speed_measured_on', results['host']['date'])};"
            " synthetic texts: real NHS comments sampled with replacement, ~15% of"
            " words dropped and a clause of another comment appended, so all distinct):",
        ]
        for n, s in results["speed"].items():
            if s.get("embedded_for_real"):
                lines.append(
                    f"- {int(n):,} raw → labelled themes, embedding included: {s['seconds']} s,"
                    f" peak RSS {s['peak_rss_mb']} MB (the process and its"
                    f" {s.get('helper_processes', 0)} embedding helper(s) together), {s['themes']} themes."
                )
            else:
                lines.append(
                    f"- {int(n):,}: everything after embedding took {s['seconds']} s (peak RSS"
                    f" {s['peak_rss_mb']} MB, {s['themes']} themes) on stand-in vectors (real"
                    " embedding + noise); embedding at the measured int8 rate would add"
                    f" {s['projected_embedding_seconds']} s: projected total"
                    f" {s['projected_total_seconds']} s. Not measured end to end."
                )
        lines.append(
            f"- {inc['n_new']:,} new on {inc['n_previous']:,}: assign_incremental took"
            f" {inc['incremental_seconds_including_embedding_new']} s including embedding"
            f" the new texts ({inc['new_in_existing_themes']} joined existing themes,"
            f" {inc['new_themes_proposed']} new themes proposed)."
        )
    return "\n".join(lines) + "\n\n"


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
