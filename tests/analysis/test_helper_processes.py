"""Helper processes embed chunks beside the main process; whatever happens to them, every
chunk is embedded exactly once. Real subprocesses, running the deterministic fake embedder."""

import logging
import os
import signal
import threading

import numpy as np
import pytest
import torch

from analysis.embedding import FakeEmbedder, _chunks_of_similar_work, embed, embedder_from_spec
from analysis.helper_processes import HelperFailed, HelperProcess, encode_shared

FAKE_SPEC = ["fake", "64"]


def chunks_of_texts(count: int = 12, size: int = 5) -> list[list[str]]:
    return [[f"answer {c} about parking and bins number {i}" for i in range(size)] for c in range(count)]


class WatchedHelper(HelperProcess):
    """A real helper that counts its chunks, signals after its first, and can be made to die
    (killed outright) on a given chunk."""

    def __init__(self, spec, die_on: int | None = None, **limits):
        super().__init__(spec, **limits)
        self.calls = 0
        self.die_on = die_on
        self.worked = threading.Event()

    def encode(self, texts):
        self.calls += 1
        if self.calls == self.die_on:
            self._process.kill()
            self._process.wait()
        try:
            return super().encode(texts)
        finally:
            self.worked.set()


def waits_for(event: threading.Event, encode):
    """The main process's encode, held back until the helper has done something."""

    def wait_then_encode(texts):
        assert event.wait(60), "the helper never took a chunk"
        return encode(texts)

    return wait_then_encode


def test_a_helper_encodes_exactly_as_the_same_embedder_here():
    texts = ["Parking fees are too high", "", "bins — emptied fortnightly ✓", "x" * 5000]
    helper = HelperProcess(FAKE_SPEC)
    try:
        assert helper.dim == 64
        np.testing.assert_array_equal(helper.encode(texts), FakeEmbedder(64).encode(texts))
        assert helper.encode([]).shape == (0, 64)
    finally:
        helper.close()


def test_every_chunk_is_embedded_once_by_someone():
    chunks = chunks_of_texts()
    fake = FakeEmbedder(64)
    helper = WatchedHelper(FAKE_SPEC)
    results = list(encode_shared(waits_for(helper.worked, fake.encode), chunks, lambda: helper, helpers=1))
    assert sorted(i for i, _ in results) == list(range(len(chunks)))
    assert 1 <= helper.calls < len(chunks)
    for i, vectors in results:
        np.testing.assert_array_equal(vectors, fake.encode(chunks[i]))


def test_a_helper_that_cannot_start_leaves_the_work_here(caplog):
    chunks = chunks_of_texts(4)
    fake = FakeEmbedder(64)
    with caplog.at_level(logging.WARNING, logger="analysis.helper_processes"):
        results = dict(encode_shared(fake.encode, chunks, lambda: HelperProcess(["no-such-model"]), helpers=1))
    assert sorted(results) == [0, 1, 2, 3]
    assert "did not start" in caplog.text and "unknown embedder spec" in caplog.text


def embed_all_beside(helper: WatchedHelper, chunks, caplog) -> None:
    """Runs the chunks with this (failing) helper and checks each was embedded exactly once."""
    fake = FakeEmbedder(64)
    with caplog.at_level(logging.WARNING, logger="analysis.helper_processes"):
        results = list(encode_shared(waits_for(helper.worked, fake.encode), chunks, lambda: helper, helpers=1))
    assert sorted(i for i, _ in results) == list(range(len(chunks)))
    for i, vectors in results:
        np.testing.assert_array_equal(vectors, fake.encode(chunks[i]))


def test_a_helper_that_dies_gives_its_chunk_back(caplog):
    helper = WatchedHelper(FAKE_SPEC, die_on=1)
    embed_all_beside(helper, chunks_of_texts(20), caplog)
    assert helper.calls == 1 and "helper failed" in caplog.text


def test_threads_and_tokenizer_setting_are_restored():
    threads = torch.get_num_threads()
    before = os.environ.get("TOKENIZERS_PARALLELISM")
    fake = FakeEmbedder(64)
    list(encode_shared(fake.encode, chunks_of_texts(3), lambda: HelperProcess(FAKE_SPEC), helpers=1))
    assert torch.get_num_threads() == threads
    assert os.environ.get("TOKENIZERS_PARALLELISM") == before


def test_reading_from_a_dead_helper_says_so():
    helper = HelperProcess(FAKE_SPEC)
    helper._process.kill()
    helper._process.wait()
    with pytest.raises(HelperFailed):
        helper.encode(["anything"])
    helper.close()


def test_unknown_spec_refused():
    with pytest.raises(ValueError, match="unknown embedder spec"):
        embedder_from_spec(["word2vec"])


def test_embed_uses_an_embedders_own_chunk_encoding():
    class CountsChunks(FakeEmbedder):
        def __init__(self):
            super().__init__(64)
            self.chunks = 0

        def encode_chunks(self, chunks):
            self.chunks = len(chunks)
            return reversed(list(enumerate(map(self.encode, chunks))))  # out of order on purpose

    texts = [f"text number {i} about buses" for i in range(30)]
    embedder = CountsChunks()
    x = embed(texts, embedder, chunk_size=4)
    assert embedder.chunks == 8
    np.testing.assert_array_equal(x, FakeEmbedder(64).encode(texts))


def test_long_texts_come_in_smaller_chunks():
    lengths = [10] * 100 + [40_000] * 4
    chunks = _chunks_of_similar_work(list(range(104)), lengths, size=64)
    assert [i for chunk in chunks for i in chunk] == list(range(104))
    assert len(chunks[0]) == 64 and all(len(c) == 1 for c in chunks[-4:])
    assert _chunks_of_similar_work([], [], size=64) == []


def _helpers_in_a_daemon(results) -> None:
    fake = FakeEmbedder(64)
    helper = WatchedHelper(FAKE_SPEC)
    done = dict(encode_shared(waits_for(helper.worked, fake.encode), chunks_of_texts(6), lambda: helper, helpers=1))
    results.put((sorted(done), helper.calls))


def test_helpers_start_inside_a_daemonic_worker_process():
    """Huey's process workers are daemonic, and daemonic processes may not start
    multiprocessing children; helpers are plain subprocesses, so they still run there."""
    import multiprocessing

    context = multiprocessing.get_context("spawn")
    results = context.Queue()
    worker = context.Process(target=_helpers_in_a_daemon, args=(results,), daemon=True)
    worker.start()
    chunks_done, helper_calls = results.get(timeout=120)
    worker.join(30)
    assert chunks_done == list(range(6)) and helper_calls >= 1


def test_a_helper_that_stops_answering_is_stopped_and_its_chunk_done_here(caplog):
    helper = WatchedHelper(FAKE_SPEC, limits=(60.0, 1.0, 0.0))
    os.kill(helper._process.pid, signal.SIGSTOP)  # alive but silent, as a swapping or deadlocked one
    embed_all_beside(helper, chunks_of_texts(6), caplog)
    assert helper.calls == 1 and "did not answer in time" in caplog.text
    assert helper._process.poll() is not None  # killed, not left behind


def test_a_helper_that_never_gets_ready_is_stopped():
    with pytest.raises(HelperFailed, match="did not answer in time"):
        HelperProcess(FAKE_SPEC, limits=(0.01, 1.0, 0.0))  # an interpreter alone needs longer
