"""Embedding on every CPU: helper processes, one thread each, take chunks beside this process.

all-MiniLM-L6-v2 is small enough that much of each batch is spent in per-operation overhead,
which a process's threads share badly: two processes on one thread each embedded 1.3-1.5x
faster than one process on two threads (docs/benchmarks.md). Helpers are plain subprocesses
talking over pipes rather than `multiprocessing`, because Huey's process workers are daemonic
and daemonic processes may not start multiprocessing children.

Protocol, little-endian uint32 lengths: the helper writes its vector width once the model is
loaded; then per request the parent writes a length and a JSON array of texts, and the helper
writes a row count and that many float32 rows. Closing the helper's stdin ends it.

A helper that stops answering (swapping, stopped, deadlocked) is killed once it is far past any
time it could need, so its chunk goes back to the main process instead of stalling the run.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import queue
import select
import struct
import subprocess  # nosec B404 - starts this module in a fresh interpreter, never a shell
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from typing import BinaryIO

import numpy as np

log = logging.getLogger(__name__)
_UINT32 = struct.Struct("<I")
_TOKENIZER_THREADS = "TOKENIZERS_PARALLELISM"
_ONE_THREAD_OFFLINE = {
    "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1", _TOKENIZER_THREADS: "false",
    "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1",
}


# Limits for a helper that no longer answers, far above what it needs: loading the model took
# 5-15 s, and one thread embeds a 512-text chunk in 1-10 s.
START_SECONDS = 180.0
REPLY_SECONDS = 120.0
REPLY_SECONDS_PER_TEXT = 1.0


class HelperFailed(RuntimeError):
    pass


class HelperProcess:
    """One helper: `python -m analysis.helper_processes <spec...>` on a single thread. `limits`
    (start seconds, reply seconds, reply seconds per text) say how long it may stay silent."""

    def __init__(
        self,
        spec: Sequence[str],
        limits: tuple[float, float, float] = (START_SECONDS, REPLY_SECONDS, REPLY_SECONDS_PER_TEXT),
    ):
        self._start_seconds, self._reply_seconds, self._seconds_per_text = limits
        self._stderr = tempfile.TemporaryFile()  # noqa: SIM115 - lives as long as the helper; closed in close()
        env = {**os.environ, **_ONE_THREAD_OFFLINE}
        self._process = subprocess.Popen(  # noqa: S603  # nosec B603 - fixed argv, no shell
            [sys.executable, "-m", "analysis.helper_main", *spec],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=self._stderr, env=env,
        )
        try:
            self.dim = self._read_uint32(time.monotonic() + self._start_seconds)
        except HelperFailed:
            self.close()
            raise

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        payload = json.dumps(list(texts)).encode()
        try:
            self._process.stdin.write(_UINT32.pack(len(payload)) + payload)
            self._process.stdin.flush()
        except OSError as error:
            raise HelperFailed(f"helper stopped reading: {error}; {self.error_output()}") from error
        deadline = time.monotonic() + self._reply_seconds + self._seconds_per_text * len(texts)
        rows = self._read_uint32(deadline)
        data = self._read(rows * self.dim * 4, deadline)
        return np.frombuffer(data, dtype=np.float32).reshape(rows, self.dim)

    def close(self) -> None:
        with contextlib.suppress(OSError):
            self._process.stdin.close()
        try:
            self._process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self._process.kill()
            self._process.wait()
        self._process.stdout.close()
        self._stderr.close()

    def error_output(self) -> str:
        """The end of what the helper wrote to stderr, for the warning when it fails."""
        try:
            self._stderr.seek(0)
            tail = self._stderr.read().decode(errors="replace").strip().splitlines()[-3:]
        except (OSError, ValueError):
            return ""
        return " | ".join(tail)

    def _read_uint32(self, deadline: float) -> int:
        return _UINT32.unpack(self._read(4, deadline))[0]

    def _read(self, size: int, deadline: float) -> bytes:
        """`size` bytes of the helper's reply, read straight from the pipe so that waiting can
        end at `deadline`; a helper still silent then is killed."""
        pipe = self._process.stdout.fileno()
        readable = select.poll()  # not select.select, which fails on descriptors past 1024
        readable.register(pipe, select.POLLIN)
        data = bytearray()
        while len(data) < size:
            remaining = deadline - time.monotonic()
            if remaining <= 0 or not readable.poll(remaining * 1000):
                self._process.kill()
                raise HelperFailed(f"helper did not answer in time, stopped it: {self.error_output()}")
            part = os.read(pipe, size - len(data))
            if not part:
                raise HelperFailed(f"helper ended early: {self.error_output()}")
            data += part
        return bytes(data)


def _read_exact(stream: BinaryIO, size: int) -> bytes:
    data = bytearray()
    while len(data) < size:
        part = stream.read(size - len(data))
        if not part:
            raise HelperFailed("parent closed the pipe mid-request")
        data += part
    return bytes(data)


class _Chunks:
    """Hands out chunk numbers to whoever asks next; a failed helper's chunk goes back."""

    def __init__(self, count: int):
        self._lock = threading.Lock()
        self._next = 0
        self._count = count
        self._returned: list[int] = []
        self.stopped = False

    def take(self) -> int | None:
        with self._lock:
            if self.stopped:
                return None
            if self._returned:
                return self._returned.pop()
            if self._next < self._count:
                self._next += 1
                return self._next - 1
            return None

    def give_back(self, index: int) -> None:
        with self._lock:
            self._returned.append(index)


def encode_shared(
    encode: Callable[[Sequence[str]], np.ndarray],
    chunks: Sequence[Sequence[str]],
    start_helper: Callable[[], HelperProcess],
    helpers: int,
) -> Iterator[tuple[int, np.ndarray]]:
    """Yield (chunk number, vectors) as chunks finish, in any order. This process (`encode`, on
    one thread while helpers run) and `helpers` helper processes each take the next chunk. A
    helper that cannot start or dies logs why and gives its chunk back, so every chunk is still
    embedded, here if need be."""
    import torch

    work = _Chunks(len(chunks))
    done: queue.SimpleQueue = queue.SimpleQueue()
    threads = [
        threading.Thread(target=_serve_chunks, args=(start_helper, chunks, work, done), daemon=True)
        for _ in range(helpers)
    ]
    threads_before = torch.get_num_threads()
    torch.set_num_threads(1)
    # The tokenizer's own thread pool would otherwise compete with the helpers for the CPUs.
    tokenizer_threads = os.environ.get(_TOKENIZER_THREADS)
    os.environ[_TOKENIZER_THREADS] = "false"
    try:
        for thread in threads:
            thread.start()
        while True:
            index = work.take()
            if index is None:
                for thread in threads:
                    thread.join()
                index = work.take()
                if index is None:
                    break
            if not any(thread.is_alive() for thread in threads):
                torch.set_num_threads(threads_before)
            done.put((index, encode(chunks[index])))
            yield from _drain(done)
        yield from _drain(done)
    finally:
        work.stopped = True
        torch.set_num_threads(threads_before)
        if tokenizer_threads is None:
            os.environ.pop(_TOKENIZER_THREADS, None)
        else:
            os.environ[_TOKENIZER_THREADS] = tokenizer_threads


def _drain(done: queue.SimpleQueue) -> Iterator[tuple[int, np.ndarray]]:
    while not done.empty():
        yield done.get()


def _serve_chunks(start_helper, chunks, work: _Chunks, done: queue.SimpleQueue) -> None:
    # Any failure, expected (a dead pipe) or not, must leave the chunk for the main process:
    # an exception escaping this thread would lose it.
    try:
        helper = start_helper()
    except Exception as error:
        log.warning("embedding helper did not start, embedding without it: %s", error)
        return
    try:
        while (index := work.take()) is not None:
            try:
                done.put((index, helper.encode(chunks[index])))
            except Exception as error:
                work.give_back(index)
                log.warning("embedding helper failed, its work goes back to the main process: %s", error)
                return
    finally:
        helper.close()


def serve(embedder, stdin: BinaryIO, stdout: BinaryIO) -> None:
    """The helper's side (run by analysis.helper_main): answer requests with `embedder` until EOF."""
    stdout.write(_UINT32.pack(embedder.dim))
    stdout.flush()
    while header := stdin.read(4):
        header += _read_exact(stdin, 4 - len(header))
        (size,) = _UINT32.unpack(header)
        texts = json.loads(_read_exact(stdin, size))
        vectors = np.ascontiguousarray(embedder.encode(texts), dtype=np.float32)
        stdout.write(_UINT32.pack(len(vectors)) + vectors.tobytes())
        stdout.flush()
