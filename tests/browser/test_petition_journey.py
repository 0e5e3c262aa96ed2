"""Joe signs the demo council's open petition to keep the in-house home-care service, confirms his
signature from the emailed link and sees the count go up. At phone and desktop sizes, and with
JavaScript off."""

import re
import time

import pytest

from tests.browser.helpers import link_in

# One worker runs every journey against the session's one server and one browser.
pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

RUNS = [("phone", True), ("desktop", True), ("phone", False)]
PETITION = "Keep Riverside's in-house home-care service"


def _count(journey) -> int:
    return int(re.sub(r"\D", "", journey.page.locator("#signature-count .heading-l").inner_text()))


@pytest.mark.browser
@pytest.mark.parametrize(("viewport", "javascript"), RUNS, ids=["phone", "desktop", "phone-no-js"])
def test_joe_signs_a_petition_and_confirms_by_email(journey, live_server, viewport, javascript):
    variant = f"{viewport}{'' if javascript else '-nojs'}"
    email = f"joe.{variant}@residents.example"
    joe = journey("petition", viewport=viewport, javascript=javascript)

    joe.goto("/petitions")
    joe.shot("1-list")
    joe.follow(PETITION)
    assert joe.heading() == PETITION
    before = _count(joe)
    joe.fill("Full name", f"Joe Bloggs {variant}")
    joe.fill("Email address", email)
    joe.fill("Postcode or ward", "RV2 4QT")
    joe.choose(re.compile("^I live, work or study"), exact=False)
    joe.shot("2-sign")
    joe.press("Sign this petition")
    assert joe.heading() == "Check your email"
    assert _count_not_shown(joe)
    joe.shot("3-check-email")

    confirmation = live_server.wait_for_email(email)
    joe.goto(link_in(confirmation, r"/petitions/signatures/"))
    assert joe.heading() == "Confirm your signature"
    joe.press("Confirm")
    assert joe.heading() == "Your signature is counted"
    joe.shot("4-counted")
    joe.follow("See the petition and share it")
    deadline = time.monotonic() + 10  # the count is cached for a moment
    while _count(joe) != before + 1 and time.monotonic() < deadline:
        joe.page.wait_for_timeout(500)
        joe.goto(joe.page.url)
    assert _count(joe) == before + 1
    joe.shot("5-count")
    joe.assert_all_checked()


def _count_not_shown(journey) -> bool:
    return "not counted yet" in journey.text()
