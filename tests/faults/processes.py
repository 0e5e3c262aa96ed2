"""Real processes for fault tests: the app under uvicorn and the Huey worker, each killable.

Each runs in a session of its own so SIGKILL reaches it and every child it started (the worker's
consumer forks its worker processes), as when the machine's OOM killer or an operator ends it.
"""

import contextlib
import os
import re
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[2]
SECRET = "fault-tests-secret-key-long-enough-for-any-check"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def environment(database_url: str, workdir: Path, **extra: str) -> dict[str, str]:
    return {
        **os.environ,
        "DATABASE_URL": database_url,
        "CHORUS_ENV": "test",
        "SECRET_KEY": SECRET,
        "QUEUE_URL": f"sqlite:///{workdir / 'queue.db'}",
        "QUEUE_IMMEDIATE": "0",
        "ANALYSIS_EMBEDDER": "fake",
        "EMBEDDING_CACHE_PATH": str(workdir / "embeddings.db"),
        "UPLOAD_DIR": str(workdir / "uploads"),
        "SMTP_HOST": "",
        **extra,
    }


class Process:
    def __init__(self, args: list[str], env: dict[str, str], log: Path):
        self.log_path = log
        self._log = log.open("ab")
        self.popen = subprocess.Popen(args, cwd=ROOT, env=env, stdout=self._log, stderr=subprocess.STDOUT,
                                      start_new_session=True)

    def kill(self) -> None:
        """SIGKILL the process and its children: no handler runs, nothing is flushed or closed."""
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.popen.pid, signal.SIGKILL)
        self.popen.wait(timeout=30)
        self._log.close()

    def stop(self) -> None:
        if self.popen.poll() is None:
            os.killpg(self.popen.pid, signal.SIGTERM)
            try:
                self.popen.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(self.popen.pid, signal.SIGKILL)
                self.popen.wait()
        self._log.close()

    def log_tail(self, lines: int = 40) -> str:
        text = self.log_path.read_text(errors="replace") if self.log_path.exists() else ""
        return "\n".join(text.splitlines()[-lines:])


class App(Process):
    """One uvicorn process serving create_app on `database_url` (no supervisor in between)."""

    def __init__(self, database_url: str, workdir: Path, port: int | None = None):
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        env = environment(database_url, workdir, BASE_URL=self.url)
        super().__init__([sys.executable, "-m", "uvicorn", "app.main:create_app", "--factory",
                          "--host", "127.0.0.1", "--port", str(self.port), "--no-access-log",
                          "--proxy-headers", "--forwarded-allow-ips", "127.0.0.1"],
                         env, workdir / "app.log")
        self._wait_until_healthy()

    def _wait_until_healthy(self, timeout: float = 90) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.popen.poll() is not None:
                raise RuntimeError(f"the app exited ({self.popen.returncode}):\n{self.log_tail()}")
            try:
                if httpx.get(self.url + "/healthz", timeout=2).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"the app did not answer /healthz within {timeout} s:\n{self.log_tail()}")


class Worker(Process):
    """`python -m app worker`: the real Huey consumer, on a SQLite queue of the test's own."""

    def __init__(self, database_url: str, workdir: Path, **extra: str):
        super().__init__([sys.executable, "-m", "app", "worker"],
                         environment(database_url, workdir, **extra), workdir / "worker.log")


def form_session(client: httpx.Client, path: str) -> str:
    """Load a page as a browser would: the CSRF cookie lands in the client, the token is returned."""
    page = client.get(path)
    assert page.status_code == 200, (path, page.status_code)
    return re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
