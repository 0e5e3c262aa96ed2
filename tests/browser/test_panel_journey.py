"""Nadia volunteers for the citizens' panel from the home page, answers the questions that make
panels representative (leaving the sensitive ones), and confirms her email address from the link
she is sent. At phone and desktop sizes, and with JavaScript off."""

import pytest

from tests.browser.helpers import link_in

# One worker runs every journey against the session's one server and one browser.
pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

RUNS = [("phone", True), ("desktop", True), ("phone", False)]
BEFORE_SENSITIVE = ("//input[@type='radio' and starts-with(@name, 'c-')]"
                    "[following::h2[normalize-space()='Sensitive questions (optional)']]")


@pytest.mark.browser
@pytest.mark.parametrize(("viewport", "javascript"), RUNS, ids=["phone", "desktop", "phone-no-js"])
def test_nadia_joins_the_citizens_panel(journey, live_server, viewport, javascript):
    variant = f"{viewport}{'' if javascript else '-nojs'}"
    email = f"nadia.{variant}@residents.example"
    nadia = journey("panel", viewport=viewport, javascript=javascript)

    nadia.goto("/")
    nadia.follow("Join Riverside Citizens' Panel")
    assert nadia.heading() == "Join Riverside Citizens' Panel"
    nadia.fill("Full name", f"Nadia Hussain {variant}")
    nadia.fill("Email address", email)
    nadia.fill("First line of your address", "14 Mill Lane")
    nadia.fill("Postcode", "RV1 2AB")
    radios = nadia.page.locator(BEFORE_SENSITIVE)
    if not radios.count():
        radios = nadia.page.locator("input[type=radio][name^='c-']")
    answered: set[str] = set()
    for index in range(radios.count()):
        radio = radios.nth(index)
        name = radio.get_attribute("name")
        if name not in answered:
            radio.check()
            answered.add(name)
    assert answered, "the join form asks no profile questions"
    nadia.page.locator("#consent").check()
    nadia.shot("1-join")
    nadia.press("Join the panel")
    assert nadia.heading() == "Check your email", nadia.text()[:500]
    nadia.shot("2-joined")

    welcome = live_server.wait_for_email(email, "You have joined")
    nadia.goto(link_in(welcome, r"/panels/manage/"))
    assert nadia.heading() == "Your details in Riverside Citizens' Panel"
    nadia.press("Confirm my email address")
    nadia.shot("3-details")
    assert nadia.page.get_by_role("button", name="Confirm my email address").count() == 0
    nadia.assert_all_checked()


@pytest.mark.browser
def test_priya_reaches_the_people_the_pool_lacks(journey, live_server):
    """The officer analyses outreach on the demo pool (the job runs in the request here, with
    QUEUE_IMMEDIATE), reads what recruiting would change and who could reach those people, and
    creates an invitation link for a suggested organisation; every page passes axe."""
    priya = journey("panel-outreach", viewport="desktop")
    priya.sign_in("officer@riverside.example")
    priya.goto("/officer/panels")
    priya.follow("Riverside Citizens' Panel")
    priya.follow("Reach the people the pool lacks: outreach and invitation links")
    assert priya.heading() == "Reach the people the pool lacks"
    priya.fill("Panel size", "40")
    priya.page.set_default_timeout(180_000)  # 12 short groups, 49 LPs: seconds on a busy machine
    priya.press("Analyse outreach")
    priya.page.set_default_timeout(15_000)
    analysis = priya.text()
    assert "Analysis finished." in analysis and "Groups the pool is short of" in analysis
    assert "Riverside Carers' Network" in analysis
    priya.shot("1-analysis")
    priya.follow("Create an invitation link for Riverside Carers' Network")
    priya.fill("Note (optional)", "Carers' newsletter, June")
    priya.press("Create the link")
    link = priya.page.locator("#links ~ div code").first.inner_text()
    assert "/panels/" in link and "/join?via=" in link
    priya.shot("2-link")
    priya.assert_all_checked()
