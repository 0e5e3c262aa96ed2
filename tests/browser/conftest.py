"""Real-browser journeys: one live server and one headless Chromium per test session.

The server is the real app (`uvicorn app.main:create_app --factory`) on a fresh migrated SQLite
file holding the demo council, sending its emails to a real SMTP server on loopback started here,
so journeys follow the links residents are emailed. Every page a journey visits is checked with
axe-core for WCAG 2.2 AA (see helpers.Journey); 0 violations is the bar.

Chromium is Debian's (/usr/bin/chromium, installed by scripts/ensure-browser). Where it is missing
the journeys are SKIPPED with a loud warning, unless CHORUS_REQUIRE_BROWSER=1 (CI), which fails.
"""

import hashlib
import itertools
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller

from tests.browser.helpers import AXE_PATH, CHROMIUM, Journey, LiveServer
from tests.smtp import RecordingHandler, SmtpServer, _free_port

ROOT = Path(__file__).resolve().parents[2]
CACHE = ROOT / "var" / "browser-cache"
SERVER_SECRET = "browser-journeys-secret-key-long-enough-for-any-check"
_ADDRESSES = itertools.cycle(range(1, 255))
VIEWPORTS = {"phone": {"width": 390, "height": 844}, "desktop": {"width": 1280, "height": 800}}


def _browser_problem() -> str | None:
    if not Path(CHROMIUM).exists():
        return f"{CHROMIUM} is not installed (run scripts/ensure-browser)"
    if not AXE_PATH.exists():
        return f"{AXE_PATH.relative_to(ROOT)} is missing (run scripts/ensure-browser: npm ci in tests/browser)"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "the playwright package is not installed (pip install -e '.[dev]')"
    return None


_PROBLEM = _browser_problem()
if _PROBLEM:
    print("\n" + "!" * 78 + f"\n!! Browser journeys will be SKIPPED: {_PROBLEM}\n" + "!" * 78 + "\n")
    if os.environ.get("CHORUS_REQUIRE_BROWSER") == "1":
        raise SystemExit(f"CHORUS_REQUIRE_BROWSER=1 but the browser tests cannot run: {_PROBLEM}")


def pytest_collection_modifyitems(config, items):
    here = Path(__file__).parent
    for item in items:
        if here in Path(item.fspath).parents:
            item.add_marker(pytest.mark.browser)  # the modules also set xdist_group("browser")
            if _PROBLEM:
                item.add_marker(pytest.mark.skip(reason=f"browser journeys skipped: {_PROBLEM}"))


def pytest_terminal_summary(terminalreporter):
    if _PROBLEM:
        terminalreporter.write_line(f"WARNING: the browser journeys were SKIPPED ({_PROBLEM}).",
                                    red=True, bold=True)


@pytest.fixture(scope="session")
def smtp() -> Iterator[SmtpServer]:
    handler = RecordingHandler()
    controller = Controller(handler, hostname="127.0.0.1", port=_free_port())
    controller.start()
    try:
        yield SmtpServer(controller, handler)
    finally:
        controller.stop()


def _demo_database(target: Path, env: dict) -> None:
    """A fresh copy of the migrated demo council (built with `python -m app demo-data`).

    Loading the demo runs its analysis and panel draw, which takes a minute on a busy machine, so the
    built file is kept in var/browser-cache/ under a key made of today's date and every file that
    could change it (migrations, app, analysis, demo data); any change, or a new day, rebuilds it.
    """
    from app.migrations_runner import upgrade_to_head

    digest = hashlib.sha256(date.today().isoformat().encode())
    for pattern in ("migrations/**/*.py", "app/**/*.py", "app/demo/data/**/*", "analysis/**/*.py",
                    "panel_draw/**/*.py"):
        for path in sorted(ROOT.glob(pattern)):
            if path.is_file() and "__pycache__" not in path.parts:
                digest.update(str(path.relative_to(ROOT)).encode() + b"\0" + path.read_bytes())
    cached = CACHE / f"demo-{digest.hexdigest()[:16]}.db"
    if os.environ.get("CHORUS_BROWSER_DEMO_DB"):  # while writing a journey: reuse a file you trust
        cached = Path(os.environ["CHORUS_BROWSER_DEMO_DB"])
    if not cached.exists() or os.environ.get("CHORUS_BROWSER_FRESH_DEMO") == "1":
        building = target.with_suffix(".building.db")
        build_env = {**env, "DATABASE_URL": f"sqlite:///{building}"}
        upgrade_to_head(build_env["DATABASE_URL"])
        subprocess.run([sys.executable, "-m", "app", "demo-data"], cwd=ROOT, env=build_env, check=True,
                       stdout=subprocess.DEVNULL)
        with sqlite3.connect(building) as connection:  # everything into the main file before copying
            connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        CACHE.mkdir(parents=True, exist_ok=True)
        for old in CACHE.glob("demo-*.db"):
            old.unlink(missing_ok=True)
        shutil.copyfile(building, cached.with_suffix(".tmp"))
        os.replace(cached.with_suffix(".tmp"), cached)
        building.unlink()
    shutil.copyfile(cached, target)


@pytest.fixture(scope="session")
def live_server(smtp) -> Iterator[LiveServer]:
    workdir = Path(tempfile.mkdtemp(prefix="chorus-browser-"))
    port = _free_port()
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{workdir / 'chorus.db'}",
        "QUEUE_URL": f"sqlite:///{workdir / 'queue.db'}",
        "CHORUS_ENV": "development",
        "SECRET_KEY": SERVER_SECRET,
        "BASE_URL": f"http://127.0.0.1:{port}",
        "QUEUE_IMMEDIATE": "1",
        "ANALYSIS_EMBEDDER": "fake",
        "EMBEDDING_CACHE_PATH": str(workdir / "embeddings.db"),
        "UPLOAD_DIR": str(workdir / "uploads"),
        "SMTP_HOST": smtp.host,
        "SMTP_PORT": str(smtp.port),
        "HF_HUB_OFFLINE": "1",
        "TRANSFORMERS_OFFLINE": "1",
    }
    _demo_database(workdir / "chorus.db", env)
    log = (workdir / "server.log").open("wb")
    process = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "app.main:create_app", "--factory", "--host", "127.0.0.1",
         "--port", str(port), "--no-access-log", "--proxy-headers", "--forwarded-allow-ips", "127.0.0.1"],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    server = LiveServer(f"http://127.0.0.1:{port}", smtp, workdir / "server.log", workdir / "chorus.db",
                        pid=process.pid)
    try:
        deadline = time.monotonic() + 60
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"the app exited ({process.returncode}):\n{server.log_tail()}")
            try:
                with urllib.request.urlopen(server.url + "/healthz", timeout=2) as response:
                    if response.status == 200:
                        break
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"the app did not answer /healthz within 60 s:\n{server.log_tail()}")
            time.sleep(0.2)
        yield server
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()


@pytest.fixture(scope="session")
def chromium():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        yield browser
        browser.close()


@pytest.fixture
def journey(chromium, live_server, request) -> Iterator:
    """journey(name, viewport="phone"|"desktop", javascript=True) -> a Journey in a fresh context."""
    made: list[Journey] = []

    def _open(name: str, viewport: str = "phone", javascript: bool = True) -> Journey:
        # Each person comes from an address of their own, as through the council's proxy (uvicorn
        # trusts X-Forwarded-For from loopback), so per-address rate limits see separate people.
        address = f"198.51.100.{next(_ADDRESSES)}"
        context = chromium.new_context(viewport=VIEWPORTS[viewport], java_script_enabled=javascript,
                                       bypass_csp=True, locale="en-GB", timezone_id="Europe/London",
                                       extra_http_headers={"X-Forwarded-For": address})
        context.set_default_timeout(15_000)
        opened = Journey(context, live_server, name=name, viewport=viewport, javascript=javascript)
        made.append(opened)
        return opened

    yield _open
    failed = getattr(request.node, "rep_call", None)
    for opened in made:
        if failed is not None and failed.failed:
            opened.save_failure_screenshot(request.node.name)
        opened.context.close()


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    report = yield
    if report.when == "call":
        item.rep_call = report
    return report
