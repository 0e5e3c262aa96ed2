"""A council starts from nothing: an empty database and one admin made with `python -m app create-user`.

The admin invites an officer and a councillor, who set their passwords from the emailed links; the
officer creates a review with a team (the councillor on scrutiny), builds and publishes a
consultation in the review and a stand-alone one; a resident answers both on a phone; the councillor
reads the review; the officer concludes it. Every page on the way passes axe-core (WCAG 2.2 AA).
The resident's phone runs no JavaScript (every step is a plain form); staff browsers run it.
"""

import os
import subprocess
import sys
import tempfile
import time
import urllib.request
from datetime import date
from pathlib import Path

import pytest

from tests.browser.conftest import SERVER_SECRET, VIEWPORTS
from tests.browser.helpers import Journey, LiveServer, link_in
from tests.smtp import _free_port

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

ROOT = Path(__file__).resolve().parents[2]
ADMIN, ADMIN_PASSWORD = "admin@northfield.example", "admin password for a new council"
OFFICER, COUNCILLOR = "sam.officer@northfield.example", "cllr.rose@northfield.example"
PASSWORD = "a long password for the new account"
REVIEW = "Best Value review of library opening hours"
IN_REVIEW, ALONE = "Library opening hours: what suits you?", "Christmas lights in the town centre"


@pytest.fixture(scope="module")
def empty_server(smtp) -> LiveServer:
    """The real app on a migrated, empty SQLite database holding only the admin from create-user."""
    from app.migrations_runner import upgrade_to_head

    workdir = Path(tempfile.mkdtemp(prefix="chorus-fresh-"))
    port = _free_port()
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{workdir / 'chorus.db'}",
           "QUEUE_URL": f"sqlite:///{workdir / 'queue.db'}", "CHORUS_ENV": "development",
           "SECRET_KEY": SERVER_SECRET, "QUEUE_IMMEDIATE": "1", "ANALYSIS_EMBEDDER": "fake",
           "PORT": str(port), "COUNCIL_NAME": "Northfield District Council",
           "UPLOAD_DIR": str(workdir / "uploads"), "SMTP_HOST": smtp.host, "SMTP_PORT": str(smtp.port),
           "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1"}
    env.pop("BASE_URL", None)  # links follow PORT in development
    upgrade_to_head(env["DATABASE_URL"])
    subprocess.run([sys.executable, "-m", "app", "create-user", "--email", ADMIN, "--role", "admin",
                    "--name", "Ada Admin"], input=ADMIN_PASSWORD + "\n", text=True, cwd=ROOT, env=env,
                   check=True, capture_output=True)
    log = (workdir / "server.log").open("wb")
    process = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "app.main:create_app", "--factory", "--host", "127.0.0.1",
         "--port", str(port), "--no-access-log", "--proxy-headers", "--forwarded-allow-ips", "127.0.0.1"],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    server = LiveServer(f"http://127.0.0.1:{port}", smtp, workdir / "server.log", workdir / "chorus.db")
    try:
        deadline = time.monotonic() + 60
        while True:
            assert process.poll() is None, f"the app exited:\n{server.log_tail()}"
            try:
                with urllib.request.urlopen(server.url + "/healthz", timeout=2) as response:
                    if response.status == 200:
                        break
            except OSError:
                pass
            assert time.monotonic() < deadline, f"no /healthz within 60 s:\n{server.log_tail()}"
            time.sleep(0.2)
        yield server
    finally:
        process.terminate()
        try:
            process.wait(timeout=3)  # the browser's open connections would hold a graceful stop
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()


@pytest.fixture
def person(chromium, empty_server):
    opened = []

    def _open(name: str, viewport: str, address: int, javascript: bool = True) -> Journey:
        context = chromium.new_context(viewport=VIEWPORTS[viewport], bypass_csp=True, locale="en-GB",
                                       java_script_enabled=javascript,
                                       timezone_id="Europe/London",
                                       extra_http_headers={"X-Forwarded-For": f"203.0.113.{address}"})
        context.set_default_timeout(15_000)
        journey = Journey(context, empty_server, name=name, viewport=viewport, javascript=javascript)
        opened.append(journey)
        return journey

    yield _open
    for journey in opened:
        journey.context.close()


def _accept_invitation(person, server, email: str, name: str, journey: str, address: int) -> Journey:
    link = link_in(server.wait_for_email(email, "invited"), r"/invitations/")
    assert link.startswith(server.url), link  # BASE_URL followed PORT
    someone = person(journey, "desktop", address)
    someone.goto(link)
    someone.fill("Your name", name)
    someone.fill("Choose a password", PASSWORD)
    someone.press("Create account")
    assert someone.path == "/officer", someone.text()[:300]
    return someone


def _build_and_open(officer: Journey, question: str) -> None:
    officer.page.get_by_label("Type of question").select_option("long_text")
    officer.fill("Question", question, exact=True)
    officer.fill("Page number", "1", exact=True)
    officer.press("Add question")
    assert question in officer.text()
    officer.press("Open the consultation")
    assert "open" in officer.page.locator("main .tag").first.inner_text()


def _answer(resident: Journey, title: str, answer: str) -> None:
    resident.goto("/consultations")
    resident.follow(title)
    assert resident.heading() == title
    resident.press("Start now")
    if resident.path.endswith("/respond/who"):
        resident.choose("A resident")
        resident.press("Continue")
    resident.page.locator("main textarea").first.fill(answer)
    resident.press("Continue")
    while resident.heading() != "Check your answers before sending them":
        resident.press("Continue")  # the optional questions about her
    resident.press("Send my response")
    assert resident.heading() == "Response sent"


def test_a_council_starts_from_nothing(person, empty_server):
    server = empty_server
    admin = person("fresh-admin", "desktop", 1)
    admin.sign_in(ADMIN, ADMIN_PASSWORD)
    assert "There are no reviews yet" in admin.text()
    for link in ("/consultations", "/reviews", "/accessibility", "/privacy"):
        admin.goto(link)
    assert "Northfield District Council" in admin.text()  # the privacy notice, from settings

    admin.goto("/admin/users")
    for email, role in ((OFFICER, "officer"), (COUNCILLOR, "councillor")):
        admin.fill("Email address", email)
        admin.page.get_by_label("Role").select_option(role)
        admin.press("Send invitation")
        assert f"Invitation sent to {email}" in admin.text()
    admin.assert_all_checked()

    officer = _accept_invitation(person, server, OFFICER, "Sam Officer", "fresh-install", 2)
    councillor = _accept_invitation(person, server, COUNCILLOR, "Cllr Rose Adeyemi", "fresh-councillor", 3)

    # The officer creates a review and sets up its team at scoping.
    officer.follow("Create a review")
    officer.fill("Title", REVIEW)
    officer.fill("Service under review", "Libraries")
    officer.fill("Summary for residents", "Are the libraries open when people can use them?")
    officer.fill("Scope", "Opening hours of the district's 6 libraries.")
    officer.fill("Start date", "2027-01-04")
    officer.fill("End date", "2027-09-30")
    officer.press("Create the review")
    assert officer.heading() == REVIEW and "Sam Officer" in officer.text()
    officer.fill("Add someone by the email of their Chorus account", COUNCILLOR)
    officer.page.get_by_label("Role in the team").select_option("scrutiny")
    officer.press("Add to the team")
    assert "Cllr Rose Adeyemi" in officer.text()
    officer.follow("Edit the review")
    officer.choose("Show this review and its timeline to residents")
    officer.press("Save the review")
    officer.page.get_by_label("Move the review to a stage").select_option("consult")
    officer.press("Move to this stage")
    officer.shot("1-review")

    # A consultation in the review, and one that stands alone; both published (opened).
    officer.follow("Create a consultation in this review")
    officer.fill("Title", IN_REVIEW)
    officer.fill("Summary", "The council is reviewing library opening hours.")
    officer.press("Create consultation")
    assert officer.heading() == IN_REVIEW
    _build_and_open(officer, "When would you use the library if it were open?")
    officer.goto("/officer/consultations/new")
    officer.page.get_by_label("Review").select_option("none")
    officer.fill("Title", ALONE)
    officer.fill("Summary", "Where should the council put this year's lights?")
    officer.press("Create consultation")
    assert "Stand-alone consultation" in officer.text()
    _build_and_open(officer, "Where should the lights go?")
    officer.assert_all_checked()

    # A resident answers both on her phone, and finds the review's public timeline.
    resident = person("fresh-resident", "phone", 4, javascript=False)  # a basic phone: plain forms
    _answer(resident, IN_REVIEW, "Saturday afternoons and weekday evenings after work.")
    _answer(resident, ALONE, "Along the high street and in the market square.")
    resident.goto("/reviews")
    resident.follow(REVIEW)
    assert "Consult" in resident.page.locator(".timeline [aria-current=step]").inner_text()
    resident.assert_all_checked()

    # The councillor reads the review (and cannot change it).
    councillor.goto("/officer")
    councillor.follow(REVIEW)
    assert councillor.heading() == REVIEW and "Edit the review" not in councillor.text()
    councillor.assert_all_checked()

    # The officer concludes the review.
    officer.goto("/officer")
    officer.follow(REVIEW)
    officer.follow("Conclude the review")
    officer.fill("The decision", "Open every library on Saturday afternoons and two evenings a week.")
    officer.fill("Date of the decision", date.today().isoformat())
    officer.press("Conclude the review")
    assert "Concluded" in officer.text() and "two evenings a week" in officer.text()
    officer.shot("2-concluded")
    officer.assert_all_checked()
    assert server.lookup("SELECT COUNT(*) FROM consultation_response") == 2
    assert server.lookup("SELECT status FROM review") == "concluded"
