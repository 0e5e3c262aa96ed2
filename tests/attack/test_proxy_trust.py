"""Proxy trust: X-Forwarded-For is believed only from the peers FORWARDED_ALLOW_IPS names.

Otherwise anyone rotating the header would get a fresh address for every per-address limit.
Both launchers are run for real, as they ship: `make run`'s scripts/run-app and the Docker image's
CMD (its ENV and command line read from the Dockerfile). Which address the app saw is read from
uvicorn's access log. Two loopback addresses stand in for a proxy and a client: 127.0.0.2 and
127.0.0.3 both reach a server listening on 127.0.0.1.
"""

import json
import os
import re
import shlex
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from app.migrations_runner import upgrade_to_head
from tests.faults.processes import ROOT, Process, environment, free_port

VENV_BIN = str(Path(sys.executable).parent)


def _from(address: str, url: str, forwarded_for: str) -> int:
    transport = httpx.HTTPTransport(local_address=address)
    with httpx.Client(transport=transport, timeout=10) as client:
        return client.get(url, headers={"X-Forwarded-For": forwarded_for}).status_code


def _wait(process: Process, url: str, timeout: float = 90) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.popen.poll() is not None:
            raise RuntimeError(f"exited ({process.popen.returncode}):\n{process.log_tail()}")
        try:
            if httpx.get(url + "/healthz", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"no /healthz within {timeout} s:\n{process.log_tail()}")


def _seen(process: Process, probe: str) -> str:
    """The client address uvicorn's access log gives for the request to /healthz?probe=<probe>."""
    for _ in range(50):
        found = re.search(rf"(\S+):\d+ - \"GET /healthz\?probe={probe} ", process.log_path.read_text())
        if found:
            return found.group(1)
        time.sleep(0.1)
    raise AssertionError(f"no access log line for {probe}:\n{process.log_tail()}")


def _probe(process, url, source, forwarded_for, name) -> str:
    assert _from(source, f"{url}/healthz?probe={name}", forwarded_for) == 200
    return _seen(process, name)


@pytest.fixture
def sqlite_url(tmp_path):
    url = f"sqlite:///{tmp_path / 'chorus.db'}"
    upgrade_to_head(url)
    return url


class _Launched(Process):
    """A launcher run from a directory of its own (run-app's worker logs to ./var/worker.log)."""

    def __init__(self, args, env, workdir: Path):
        self.log_path = workdir / "launcher.log"
        self._log = self.log_path.open("ab")
        self.popen = subprocess.Popen(args, cwd=workdir, env=env, stdout=self._log, stderr=subprocess.STDOUT,
                                      start_new_session=True)


def _make_run(tmp_path, sqlite_url, **extra):
    """scripts/run-app exactly as `make run` calls it."""
    (tmp_path / "var").mkdir(exist_ok=True)
    port = free_port()
    env = environment(sqlite_url, tmp_path, **extra)
    if "FORWARDED_ALLOW_IPS" not in extra:
        env.pop("FORWARDED_ALLOW_IPS", None)
    process = _Launched([str(ROOT / "scripts" / "run-app"), sys.executable, "127.0.0.1", str(port)], env, tmp_path)
    return process, f"http://127.0.0.1:{port}"


def test_make_run_ignores_forwarded_for_unless_told(tmp_path, sqlite_url):
    process, url = _make_run(tmp_path, sqlite_url)
    try:
        _wait(process, url)
        # A client on the same machine (127.0.0.1 is what uvicorn trusts by default) cannot pick its address.
        assert _probe(process, url, "127.0.0.1", "203.0.113.9", "local") == "127.0.0.1"
        assert _probe(process, url, "127.0.0.3", "203.0.113.9", "other") == "127.0.0.3"
    finally:
        process.stop()
    process, url = _make_run(tmp_path, sqlite_url, FORWARDED_ALLOW_IPS="127.0.0.2")
    try:
        _wait(process, url)
        assert _probe(process, url, "127.0.0.2", "203.0.113.9", "proxied") == "203.0.113.9"
        assert _probe(process, url, "127.0.0.3", "198.51.100.7", "direct") == "127.0.0.3"
        assert _probe(process, url, "127.0.0.1", "198.51.100.7", "loopback") == "127.0.0.1"
    finally:
        process.stop()


def _dockerfile() -> tuple[dict[str, str], str]:
    text = (ROOT / "Dockerfile").read_text().replace("\\\n", " ")
    env: dict[str, str] = {}
    for line in text.splitlines():
        if line.startswith("ENV "):
            env.update(item.split("=", 1) for item in shlex.split(line[4:]))
    command = json.loads(re.search(r"^CMD (\[.*\])$", text, re.M).group(1))
    assert command[:2] == ["sh", "-c"], command
    return env, command[2]


def _image(tmp_path, sqlite_url, **extra):
    image_env, command = _dockerfile()
    assert "FORWARDED_ALLOW_IPS" in image_env, "the image must set FORWARDED_ALLOW_IPS explicitly"
    port = free_port()
    env = {**environment(sqlite_url, tmp_path), **image_env, "PORT": str(port), "WEB_CONCURRENCY": "1",
           "SECRET_KEY": "x" * 40, "PATH": VENV_BIN + os.pathsep + os.environ["PATH"], **extra}
    return _Launched(["sh", "-c", command], env, tmp_path), f"http://127.0.0.1:{port}"


def test_docker_image_trusts_only_the_named_load_balancer(tmp_path, sqlite_url):
    image_env, _command = _dockerfile()
    assert image_env["FORWARDED_ALLOW_IPS"] == "", "the image believes no X-Forwarded-For unless told"
    # One launch covers both cases: the named balancer is believed, every other peer is not,
    # not even 127.0.0.1, which uvicorn would otherwise trust by default.
    process, url = _image(tmp_path, sqlite_url, FORWARDED_ALLOW_IPS="127.0.0.2")
    try:
        _wait(process, url)
        assert _probe(process, url, "127.0.0.2", "203.0.113.9", "image-lb") == "203.0.113.9"
        assert _probe(process, url, "127.0.0.3", "198.51.100.7", "image-direct") == "127.0.0.3"
        assert _probe(process, url, "127.0.0.1", "198.51.100.7", "image-local") == "127.0.0.1"
    finally:
        process.stop()
