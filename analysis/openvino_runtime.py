"""all-MiniLM-L6-v2's transformer run by OpenVINO instead of torch, on CPUs with bf16 units.

Measured on the 2-CPU Intel host with AMX (`python -m bench analysis`, decision 0003): torch in
bf16 gains nothing from a second thread, so Chorus had to start a second process to use it;
OpenVINO compiles the same weights into one model that runs two inference streams at once
from one process, and embeds more texts per second than torch plus a helper process, with
vectors at cosine 0.9999 to torch fp32's. Tokenising stays sentence-transformers' own; the
forward pass and the model's mean pooling run in OpenVINO.
"""

from __future__ import annotations

import threading
import warnings
from collections.abc import Iterator, Sequence

import numpy as np

INPUTS = ("input_ids", "attention_mask", "token_type_ids")


class OpenVinoTransformer:
    """Mean-pooled vectors (the caller normalises them) from the SentenceTransformer's own
    tokenizer and weights, with the pooling compiled into the graph. `threads=None` lets
    OpenVINO pick the number of parallel streams for this CPU (one per core on small hosts);
    `threads` pins one stream to that many threads instead."""

    def __init__(self, model, *, precision: str = "bf16", threads: int | None = None):
        import openvino as ov

        _require_mean_pooling(model)
        self._model = model
        self.dim = int(model.get_embedding_dimension())
        config = {
            "INFERENCE_PRECISION_HINT": {"bf16": "bf16", "fp32": "f32"}[precision],
            # Kernels kept per input shape: the default 5,000 grew memory with every new batch
            # shape (+900 MB over 150,000 texts); batches come sorted by length, so few shapes
            # recur at once, and 16 embedded as fast with 530 MB less.
            "CPU_RUNTIME_CACHE_CAPACITY": 16,
        }
        if threads:
            config |= {"PERFORMANCE_HINT": "LATENCY", "INFERENCE_NUM_THREADS": threads}
        else:
            config |= {"PERFORMANCE_HINT": "THROUGHPUT"}
        self._compiled = ov.Core().compile_model(_converted(model), "CPU", config)
        self.streams = int(self._compiled.get_property("OPTIMAL_NUMBER_OF_INFER_REQUESTS"))
        # Two requests per stream: the next batch is tokenised while each stream computes.
        self.requests = 2 * self.streams

    def encode(self, texts: Sequence[str], batch_size: int) -> np.ndarray:
        return dict(self.encode_chunks([texts], batch_size))[0]

    def encode_chunks(
        self, chunks: Sequence[Sequence[str]], batch_size: int
    ) -> Iterator[tuple[int, np.ndarray]]:
        """(chunk number, vectors) for every chunk, in order. The next chunk's batches are queued
        before the last one's vectors are handed over, so the streams never wait between chunks
        (waiting cost a fifth of the speed with `embed`'s small final chunks). Within a chunk,
        texts are batched shortest first, as sentence-transformers does."""
        import openvino as ov

        queue = ov.AsyncInferQueue(self._compiled, self.requests)
        queue.set_callback(_store_batch)
        previous: tuple[int, _Chunk] | None = None
        try:
            for number, texts in enumerate(chunks):
                chunk = self._queue(queue, texts, batch_size)
                if previous is not None:
                    yield previous[0], previous[1].vectors()
                previous = number, chunk
            if previous is not None:
                yield previous[0], previous[1].vectors()
        finally:
            queue.wait_all()
            self._compiled.release_memory()  # the requests' buffers, sized for the longest batch

    def _queue(self, queue, texts: Sequence[str], batch_size: int) -> _Chunk:
        chunk = _Chunk(len(texts), self.dim, batches=-(-len(texts) // batch_size))
        order = np.argsort([len(t) for t in texts], kind="stable")
        for start in range(0, len(texts), batch_size):
            rows = order[start : start + batch_size]
            features = self._model.preprocess([texts[i] for i in rows])
            arrays = {name: features[name].numpy() for name in INPUTS}
            queue.start_async(arrays, (chunk, rows), share_inputs=False)
        return chunk


class _Chunk:
    """One chunk's rows, filled by OpenVINO's callback threads as its batches finish."""

    def __init__(self, size: int, dim: int, batches: int):
        self._out = np.empty((size, dim), dtype=np.float32)
        self._left = batches
        self._failure: BaseException | None = None
        self._lock = threading.Lock()
        self._finished = threading.Event()
        if batches == 0:
            self._finished.set()

    def store(self, rows: np.ndarray, request) -> None:
        try:
            self._out[rows] = request.get_output_tensor(0).data
        except BaseException as error:  # handed to the caller's thread by vectors()
            self._failure = error
        finally:
            with self._lock:
                self._left -= 1
                if self._left == 0:
                    self._finished.set()

    def vectors(self) -> np.ndarray:
        self._finished.wait()
        if self._failure is not None:
            raise self._failure
        return self._out


def _store_batch(request, job) -> None:
    chunk, rows = job
    chunk.store(rows, request)


def _require_mean_pooling(model) -> None:
    pooling = model[1].get_config_dict() if len(model) > 1 else {}
    if pooling.get("pooling_mode") != "mean":
        raise ValueError("the OpenVINO runtime reproduces mean pooling only")


def _converted(model):
    """The transformer and its mean pooling traced once from a short example batch; sequence
    length and batch size stay dynamic in the converted graph. The tracer's warnings are about
    branches on shapes that hold for every padded batch, so they are silenced here only."""
    import openvino as ov
    import torch

    class MeanPooled(torch.nn.Module):
        def __init__(self, transformer):
            super().__init__()
            self.transformer = transformer

        def forward(self, input_ids, attention_mask, token_type_ids):
            hidden = self.transformer(
                input_ids=input_ids, attention_mask=attention_mask, token_type_ids=token_type_ids
            ).last_hidden_state
            weights = attention_mask.unsqueeze(-1).to(hidden.dtype)
            return (hidden * weights).sum(dim=1) / weights.sum(dim=1).clamp(min=1e-9)

    example = model.preprocess(["An example answer to trace", "and a shorter one"])
    with warnings.catch_warnings(), torch.no_grad():
        warnings.simplefilter("ignore")
        return ov.convert_model(
            MeanPooled(model[0].auto_model.eval()), example_input={k: example[k] for k in INPUTS}
        )


def openvino_available() -> bool:
    try:
        import openvino  # noqa: F401
    except ImportError:
        return False
    return True
