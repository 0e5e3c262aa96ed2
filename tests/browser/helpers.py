"""The journey driver: a Playwright context that checks every page it lands on with axe-core.

A Journey navigates (`goto`, `follow`, `press`), and after each landing runs axe-core for WCAG 2.2
AA on the page as it then is; any violation fails the test with its help text and the selectors
of the offending nodes. Pages reached any other way must be checked with `check()`: at the end of
the journey every URL the browser navigated to must have been checked (`assert_all_checked`).
"""

import os
import re
import sqlite3
import time
from dataclasses import dataclass, field
from email.message import EmailMessage
from pathlib import Path
from urllib.parse import urlsplit

from app.demo import DEMO_PASSWORD
from tests.smtp import SmtpServer

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = "/usr/bin/chromium"
AXE_PATH = Path(__file__).parent / "node_modules" / "axe-core" / "axe.min.js"
SCREENSHOTS = Path(os.environ.get("CHORUS_SCREENSHOTS_DIR", ROOT / "docs" / "screenshots"))
MAX_SHOT_HEIGHT = 1800  # long pages are cut: the top tells the story
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]

# With JavaScript off the page's timers never fire, and axe-core yields through setTimeout: run its
# callbacks as microtasks instead (nothing else runs in such a page).
_TIMERS_AS_MICROTASKS = """() => {
  const soon = (callback, _ms, ...args) => { Promise.resolve().then(() => callback(...args)); return 0; };
  window.setTimeout = soon; window.clearTimeout = () => {};
  window.requestAnimationFrame = (callback) => soon(callback);
}"""
_RUN_AXE = """(tags) => axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']})
  .then(result => result.violations.map(v => ({
    id: v.id, impact: v.impact, help: v.help, helpUrl: v.helpUrl,
    nodes: v.nodes.map(n => ({target: n.target.join(' '), summary: n.failureSummary}))})))"""


class AccessibilityViolations(AssertionError):
    pass


@dataclass
class LiveServer:
    url: str
    smtp: SmtpServer
    log_path: Path
    database_path: Path | None = None
    pid: int | None = None  # the uvicorn process: what it has loaded can be read from /proc

    def lookup(self, sql: str, *params) -> object:
        """Read one value from the server's database (journeys never write to it directly)."""
        with sqlite3.connect(f"file:{self.database_path}?mode=ro", uri=True) as connection:
            row = connection.execute(sql, params).fetchone()
        assert row is not None, f"nothing found for {sql} {params}"
        return row[0]

    def log_tail(self, lines: int = 60) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return "(no log)"

    def wait_for_email(self, to: str, subject_contains: str = "", *, after: int = 0,
                       timeout: float = 15) -> EmailMessage:
        """The first email to `to` (whose subject contains the words) among those after index `after`."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for message in self.smtp.messages[after:]:
                if message["To"] == to and subject_contains.lower() in str(message["Subject"]).lower():
                    return message
            time.sleep(0.1)
        sent = [(m["To"], m["Subject"]) for m in self.smtp.messages]
        raise AssertionError(f"no email to {to} about {subject_contains!r} within {timeout} s; sent: {sent}")


def body_of(message: EmailMessage) -> str:
    part = message.get_body(preferencelist=("plain", "html"))
    return part.get_content() if part is not None else ""


def link_in(message: EmailMessage, path_pattern: str) -> str:
    """The first URL in the email whose path matches the regular expression."""
    for url in re.findall(r"https?://[^\s\"'<>]+", body_of(message)):
        if re.search(path_pattern, urlsplit(url).path):
            return url.rstrip(".,)")
    raise AssertionError(f"no link matching {path_pattern!r} in:\n{body_of(message)}")


def open_review_consultation(officer: "Journey", server: LiveServer, *, review: str, service: str, title: str,
                             summary: str, question: str) -> tuple[int, int]:
    """The officer creates a review and an open consultation in it with one long-text question, on the
    rendered forms; returns (review id, consultation id)."""
    officer.goto("/officer/reviews/new")
    officer.fill("Title", review)
    officer.fill("Service under review", service)
    officer.press("Create the review")
    review_id = server.lookup("SELECT id FROM review WHERE title = ?", review)
    officer.goto("/officer/consultations/new")
    officer.page.get_by_label("Review").select_option(label=review)
    officer.fill("Title", title)
    officer.fill("Summary", summary)
    officer.press("Create consultation")
    officer.page.get_by_label("Type of question").select_option("long_text")
    officer.fill("Question", question, exact=True)
    officer.fill("Page number", "1", exact=True)
    officer.press("Add question")
    officer.press("Open the consultation")
    return review_id, server.lookup("SELECT id FROM consultation WHERE title = ?", title)


@dataclass
class Journey:
    context: object
    server: LiveServer
    name: str
    viewport: str
    javascript: bool
    checked: set[str] = field(default_factory=set)
    visited: list[str] = field(default_factory=list)
    pages_checked: int = 0

    def __post_init__(self):
        self.page = self.context.new_page()
        self.page.on("framenavigated", self._navigated)

    def _navigated(self, frame) -> None:
        if frame == self.page.main_frame:
            self.visited.append(frame.url)

    # Moving about ------------------------------------------------------------------------------
    def goto(self, path_or_url: str, *, expect_status: int | None = 200):
        url = path_or_url if path_or_url.startswith("http") else self.server.url + path_or_url
        response = self.page.goto(url, wait_until="load")
        if expect_status is not None:
            assert response is not None and response.status == expect_status, (
                f"GET {url} answered {response.status if response else None}, not {expect_status}")
        self.check()
        return response

    def follow(self, name: str | re.Pattern, *, exact: bool = False):
        """Click the link with this accessible name and check the page it leads to."""
        self._settle_after(lambda: self.page.get_by_role("link", name=name, exact=exact).first.click())

    def press(self, name: str | re.Pattern, *, exact: bool = False, within=None):
        """Press the button with this accessible name (submitting its form) and check the result."""
        scope = within if within is not None else self.page
        self._settle_after(lambda: scope.get_by_role("button", name=name, exact=exact).first.click())

    def _settle_after(self, action) -> None:
        before = len(self.visited)
        action()
        if self.javascript:
            # A real navigation, or an HTMX swap: wait until neither is in flight.
            self.page.wait_for_load_state("load")
            self.page.wait_for_function(
                "() => !document.querySelector('.htmx-request') && document.readyState === 'complete'")
        else:
            deadline = time.monotonic() + 15
            while len(self.visited) == before and time.monotonic() < deadline:
                self.page.wait_for_timeout(25)
            self.page.wait_for_load_state("load")
        self.check()

    def sign_in(self, email: str, password: str = DEMO_PASSWORD) -> None:
        self.goto("/sign-in")
        self.fill("Email address", email)
        self.fill("Password", password)
        self.press("Sign in", exact=True)
        assert self.path != "/sign-in", f"{email} could not sign in: {self.text()[:300]}"

    # Filling in --------------------------------------------------------------------------------
    def fill(self, label: str | re.Pattern, value: str, *, exact: bool = False) -> None:
        self.page.get_by_label(label, exact=exact).first.fill(value)

    def choose(self, label: str | re.Pattern, *, exact: bool = True) -> None:
        """Tick a radio button or checkbox by its label."""
        self.page.get_by_label(label, exact=exact).first.check()

    def heading(self) -> str:
        return self.page.locator("h1").first.inner_text().strip()

    def text(self) -> str:
        return self.page.locator("main").inner_text()

    @property
    def path(self) -> str:
        return urlsplit(self.page.url).path

    # Checking ----------------------------------------------------------------------------------
    def check(self) -> None:
        """Run axe-core (WCAG 2.2 AA) on the page as it is now; fail on any violation."""
        if not self.javascript:
            self.page.evaluate(_TIMERS_AS_MICROTASKS)
        if not self.page.evaluate("() => typeof window.axe === 'object'"):
            self.page.evaluate(_axe_source())
        violations = self.page.evaluate(_RUN_AXE, WCAG_TAGS)
        self.pages_checked += 1
        self.checked.add(_without_fragment(self.page.url))
        if violations:
            raise AccessibilityViolations(self._describe(violations))

    def _describe(self, violations: list[dict]) -> str:
        lines = [f"{len(violations)} WCAG 2.2 AA violation(s) on {self.page.url} "
                 f"({self.viewport}, JavaScript {'on' if self.javascript else 'off'}):"]
        for violation in violations:
            lines.append(f"- [{violation['impact']}] {violation['id']}: {violation['help']} "
                         f"({violation['helpUrl']})")
            for node in violation["nodes"][:8]:
                summary = " ".join((node["summary"] or "").split())
                lines.append(f"    at {node['target']}: {summary[:300]}")
        return "\n".join(lines)

    def assert_all_checked(self) -> None:
        missed = [url for url in dict.fromkeys(map(_without_fragment, self.visited))
                  if url not in self.checked and url != "about:blank"]
        assert not missed, f"pages visited but never checked with axe: {missed}"

    # Screenshots -------------------------------------------------------------------------------
    def shot(self, step: str) -> None:
        """Save docs/screenshots/<journey>-<step>-<viewport>.png (JavaScript-on runs only)."""
        if not self.javascript or os.environ.get("CHORUS_SCREENSHOTS") == "0":
            return
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        width = self.page.viewport_size["width"]
        height = min(self.page.evaluate("() => document.documentElement.scrollHeight"), MAX_SHOT_HEIGHT)
        self.page.screenshot(path=str(SCREENSHOTS / f"{self.name}-{step}-{self.viewport}.png"),
                             full_page=True, clip={"x": 0, "y": 0, "width": width, "height": height},
                             animations="disabled", caret="hide", timeout=60_000)

    def save_failure_screenshot(self, test_name: str) -> None:
        target = ROOT / "var" / "browser-failures"
        target.mkdir(parents=True, exist_ok=True)
        safe = re.sub(r"[^A-Za-z0-9_.-]+", "-", test_name)
        try:
            self.page.screenshot(path=str(target / f"{safe}.png"), full_page=True)
        except Exception as error:  # a crashed page still lets the test report its own failure
            print(f"could not save a failure screenshot: {error}")


_AXE_SOURCE: list[str] = []


def _axe_source() -> str:
    if not _AXE_SOURCE:
        _AXE_SOURCE.append(AXE_PATH.read_text())
    return _AXE_SOURCE[0]


def _without_fragment(url: str) -> str:
    return url.split("#", 1)[0]
