"""/api/docs works under the app's own CSP (issue 22.7): swagger-ui is served by the app, started
from an external script, and the page makes no request to another host.

Checked in Debian's Chromium with the CSP enforced (no bypass): every CSP refusal is collected
from `securitypolicyviolation` events and the console, and every request the page makes is
recorded.
"""

import threading
import time
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import uvicorn

from app.db import Database
from app.main import create_app
from app.migrations_runner import upgrade_to_head
from tests.browser.helpers import CHROMIUM
from tests.conftest import test_settings as settings_for
from tests.faults.processes import free_port


def test_the_docs_page_loads_nothing_from_elsewhere_and_runs_no_inline_code(client):
    page = client.get("/api/docs")
    assert page.status_code == 200
    html = page.text
    assert "<style" not in html and " style=" not in html and "cdn" not in html.lower()
    assert "<script>" not in html and "<script src=\"/static/js/api-docs.js\"></script>" in html
    for asset in ("/static/vendor/swagger-ui-5.36.0/swagger-ui-bundle.js",
                  "/static/vendor/swagger-ui-5.36.0/swagger-ui.css", "/static/js/api-docs.js"):
        assert asset in html and client.get(asset).status_code == 200
    assert "script-src 'self'" in page.headers["content-security-policy"]


@pytest.fixture
def live_app(tmp_path):
    url = f"sqlite:///{tmp_path / 'docs.db'}"
    upgrade_to_head(url)
    database = Database(url)
    port = free_port()
    app = create_app(settings_for(url, BASE_URL=f"http://127.0.0.1:{port}"), database)
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        assert time.monotonic() < deadline
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)
    database.dispose()


@pytest.mark.skipif(not Path(CHROMIUM).exists(), reason=f"{CHROMIUM} is not installed (scripts/ensure-browser)")
def test_swagger_ui_runs_in_chromium_with_the_csp_enforced(live_app):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM,
                                             args=["--headless", "--no-sandbox", "--disable-gpu"])
        try:
            context = browser.new_context()  # bypass_csp stays False: the CSP is enforced
            page = context.new_page()
            requests, console = [], []
            page.on("request", lambda request: requests.append(request.url))
            page.on("console", lambda message: console.append(message.text))
            page.add_init_script("""
                window.__violations = [];
                document.addEventListener("securitypolicyviolation", function (event) {
                    window.__violations.push(event.violatedDirective + " " + event.blockedURI);
                });
            """)
            page.goto(f"{live_app}/api/docs")
            page.wait_for_selector(".swagger-ui .info .title", timeout=20_000)
            page.wait_for_selector(".opblock-tag", timeout=20_000)  # the operations were drawn
            page.click(".opblock-tag")  # open a section: more of the UI renders
            page.wait_for_timeout(500)
            violations = page.evaluate("window.__violations")
            title = page.inner_text(".swagger-ui .info .title")
        finally:
            browser.close()
    assert "Chorus API" in title
    assert violations == [], violations
    assert not [m for m in console if "Content Security Policy" in m], console
    hosts = {urlsplit(url).netloc for url in requests if not url.startswith(("data:", "blob:"))}
    assert hosts == {urlsplit(live_app).netloc}, requests
