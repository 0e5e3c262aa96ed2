"""The database goes away (a network fault between app and PostgreSQL) and comes back.

/healthz says so, pages show a clear error with Retry-After, and the app recovers by itself.
"""

import contextlib
import socket
import threading
import time

import pytest

from app.db import Database
from app.main import create_app
from tests.conftest import test_settings as settings_for
from tests.helpers import Browser


class TcpProxy:
    """Forwards a local port to PostgreSQL; `cut()` drops every connection and refuses new ones."""

    def __init__(self, target=("127.0.0.1", 5432)):
        self.target = target
        self.port = _free_port()
        self.sockets: list[socket.socket] = []
        self.listener = None

    def start(self):
        self.listener = socket.create_server(("127.0.0.1", self.port), reuse_port=True)
        threading.Thread(target=self._accept, args=(self.listener,), daemon=True).start()

    def _accept(self, listener):
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return
            upstream = socket.create_connection(self.target)
            self.sockets += [client, upstream]
            for a, b in ((client, upstream), (upstream, client)):
                threading.Thread(target=_pipe, args=(a, b), daemon=True).start()

    def cut(self):
        with contextlib.suppress(OSError):
            self.listener.shutdown(socket.SHUT_RDWR)  # wakes the accepting thread
        self.listener.close()
        for s in self.sockets:
            with contextlib.suppress(OSError):
                s.shutdown(socket.SHUT_RDWR)
            s.close()
        self.sockets.clear()


def _pipe(source, destination):
    try:
        while data := source.recv(65536):
            destination.sendall(data)
    except OSError:
        pass


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_outage_is_reported_and_the_app_recovers(committed_database, backend):
    if backend != "postgresql":
        pytest.skip("a network outage needs a database server")
    proxy = TcpProxy()
    proxy.start()
    url = committed_database.url.replace("127.0.0.1:5432", f"127.0.0.1:{proxy.port}")
    database = Database(url, connect_args={"connect_timeout": 2}, pool_timeout=3)
    with Browser(create_app(settings_for(url), database)) as browser:
        assert browser.get("/healthz").status_code == 200
        assert browser.get("/").status_code == 200
        proxy.cut()
        health = browser.get("/healthz")
        assert health.status_code == 503 and health.json()["database"] == "unreachable"
        page = browser.get("/")
        assert page.status_code == 503 and "try again" in page.text and page.headers["retry-after"]
        proxy.start()
        deadline = time.monotonic() + 20
        while browser.get("/healthz").status_code != 200:
            assert time.monotonic() < deadline, "the app did not recover"
            time.sleep(0.5)
        assert browser.get("/").status_code == 200
    database.dispose()
    proxy.cut()
