"""Amira answers the demo council's open consultation on her phone, leaves half-way, comes back from
the link she emailed herself (in a new browser, as on another device), checks her answers and sends
them. Also at desktop size, and with JavaScript off."""

import re

import pytest

from tests.browser.helpers import link_in

# One worker runs every journey against the session's one server and one browser.
pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

RUNS = [("phone", True), ("desktop", True), ("phone", False)]


@pytest.mark.browser
@pytest.mark.parametrize(("viewport", "javascript"), RUNS,
                         ids=["phone", "desktop", "phone-no-js"])
def test_amira_answers_leaves_resumes_and_sends(journey, live_server, viewport, javascript):
    email = f"amira.{viewport}.{'js' if javascript else 'nojs'}@residents.example"
    amira = journey("consultation", viewport=viewport, javascript=javascript)

    amira.goto("/")
    amira.shot("1-home")
    amira.follow("Home care in Riverside: what matters to you?")
    assert amira.heading() == "Home care in Riverside: what matters to you?"
    amira.shot("2-start")
    amira.press("Start now")

    assert amira.path.endswith("/respond/who")
    amira.choose("Someone who uses the service")
    amira.press("Continue")

    assert amira.heading() == "How would you rate home care in Riverside today?"
    amira.shot("3-question")
    amira.choose("Good")
    amira.press("Continue")

    amira.choose("Yes, keep it")
    amira.fill("Why do you say that? (optional)",
               "The carers from the council's own team know my mother and turn up when they say.")
    amira.press("Save and come back later")
    assert amira.heading() == "Your answers are saved"

    amira.fill("Email address", email)
    amira.press("Email me the link")
    assert "We have emailed you the link" in amira.text()
    amira.shot("4-saved")
    amira.assert_all_checked()

    resume = link_in(live_server.wait_for_email(email, "Finish your answers"), r"/resume/")

    # Later, in another browser: the emailed link opens her answers at "check your answers".
    later = journey("consultation", viewport=viewport, javascript=javascript)
    later.goto(resume)
    assert later.heading() == "Check your answers before sending them"
    assert "Good" in later.text() and "Yes, keep it" in later.text()
    later.follow(re.compile("your answer to: Which of these have you experienced"))
    later.choose("Late visits")
    later.press("Continue")
    assert later.heading() == "Check your answers before sending them"  # "Change" comes back here
    later.follow(re.compile("your answer to: Is there anything else you want to tell us"))
    later.fill("Is there anything else you want to tell us? (optional)", "Please keep the same carers.")
    later.press("Continue")
    assert later.heading() == "Check your answers before sending them"
    assert "Late visits" in later.text() and "Please keep the same carers." in later.text()
    later.shot("5-check")
    later.press("Send my response")

    assert later.heading() == "Response sent"
    reference = later.page.locator(".reference").inner_text().strip()
    assert re.fullmatch(r"[A-Z0-9-]{6,}", reference), reference
    later.shot("6-sent")
    later.assert_all_checked()
