"""The GOV.UK patterns of issue 19 on a phone, with JavaScript on and off (axe on every page):

- Priya answers the demo consultation for her tenants' group: the organisation name under its option,
  a steady step counter, 40px radios and checkboxes, the same-page follow-up under "Not sure", an
  exclusive "None of these", gender identity written in under its option, "Change" back to Check
  your answers, and an emailed copy of her answers.
- Sam starts a petition: similar open petitions first, the form with his title, the per-address limit
  explained, the supporter link on a 390px screen, the progress bar on the petition page.
- Dev, an organiser, hides a post with a reason and finds it in the forum's audit trail.
"""

import re

import pytest

from tests.browser.helpers import body_of, link_in

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

RUNS = [("phone", True), ("phone", False)]
IDS = ["phone", "phone-no-js"]
CONSULTATION = "Home care in Riverside: what matters to you?"
PETITION = "Keep Riverside's in-house home-care service"


def _visible(person, label: str) -> bool:
    return person.page.get_by_label(label, exact=True).first.is_visible()


def _step(person) -> tuple[int, int]:
    found = re.search(r"Step (\d+) of (\d+)", person.page.locator(".progress").inner_text())
    return int(found.group(1)), int(found.group(2))


def _fits_the_screen(person) -> bool:
    return person.page.evaluate("() => document.documentElement.scrollWidth") <= 390


@pytest.mark.parametrize(("viewport", "javascript"), RUNS, ids=IDS)
def test_priya_answers_with_the_govuk_patterns(journey, live_server, viewport, javascript):
    variant = "js" if javascript else "nojs"
    email = f"priya.{variant}@tenants.example"
    priya = journey("patterns", viewport=viewport, javascript=javascript)
    priya.goto("/")
    priya.follow(CONSULTATION)
    priya.press("Start now")

    # Who: the organisation's name sits under its option (hidden until chosen when scripts run).
    first, total = _step(priya)
    assert first == 1
    assert _visible(priya, "Name of the organisation") is not javascript
    priya.choose("Responding on behalf of an organisation")
    assert _visible(priya, "Name of the organisation")
    priya.fill("Name of the organisation", "Riverside Tenants' Association")
    priya.shot("1-who-organisation")
    priya.press("Continue")
    assert _step(priya) == (2, total)  # the total does not jump once she has said who she is

    # 40px targets for radios and checkboxes (GOV.UK).
    box = priya.page.get_by_label("Good", exact=True).bounding_box()
    assert box["width"] >= 40 and box["height"] >= 40, box
    priya.choose("Good")
    priya.press("Continue")

    # The follow-up on the same page, under "Not sure".
    assert _visible(priya, "What would help you decide? (optional)") is not javascript
    priya.choose("Not sure")
    assert _visible(priya, "What would help you decide? (optional)")
    priya.fill("What would help you decide? (optional)", "Knowing what it costs")
    priya.shot("2-follow-up")
    priya.press("Continue")

    # "None of these" rules out the rest: scripts untick them; without, the server explains.
    priya.choose("Late visits")
    priya.choose("None of these")
    if javascript:
        assert not priya.page.get_by_label("Late visits", exact=True).is_checked()
    else:
        priya.press("Continue")
        assert "Select \u201cNone of these\u201d on its own, or only the options that apply" in priya.text()
        priya.page.get_by_label("Late visits", exact=True).uncheck()
    priya.press("Continue")

    while priya.heading() != "About you (optional)":
        priya.press("Continue")
    assert _visible(priya, "Gender identity (optional)") is not javascript
    priya.choose("No, write in your gender identity")
    priya.fill("Gender identity (optional)", "Non-binary")
    priya.page.get_by_label("Which ward do you live in?").select_option("Old Town")
    priya.shot("3-about-you")
    priya.press("Continue")
    assert priya.heading() == "Check your answers before sending them"
    assert "Knowing what it costs" in priya.text() and "None of these" in priya.text()

    # "Change" leads back to Check your answers, not on through the pages.
    priya.follow(re.compile("your answer to: Should the council keep"))
    priya.choose("Yes, keep it")
    priya.press("Continue")
    assert priya.heading() == "Check your answers before sending them"
    assert "Knowing what it costs" not in priya.text()  # the follow-up went with "Not sure"

    priya.choose("Yes, email me a copy")
    priya.fill("Email address", email)
    priya.shot("4-check")
    priya.press("Send my response")
    assert priya.heading() == "Response sent"
    reference = priya.page.locator(".reference").inner_text().strip()
    receipt = live_server.wait_for_email(email, "Your response to")
    assert reference in receipt["Subject"] and "Yes, keep it" in body_of(receipt)
    assert _fits_the_screen(priya)
    priya.assert_all_checked()


@pytest.mark.parametrize(("viewport", "javascript"), RUNS, ids=IDS)
def test_sam_is_shown_similar_petitions_then_starts_his_own(journey, live_server, viewport, javascript):
    variant = "js" if javascript else "nojs"
    email = f"sam.{variant}@residents.example"
    title = f"Keep the in-house home-care service open ({variant})"
    sam = journey("petition-start", viewport=viewport, javascript=javascript)
    sam.goto("/petitions")
    sam.follow("Start a petition")
    sam.fill("What do you want the council to do?", title)
    sam.press("Continue")
    assert sam.heading() == "We found some similar petitions"
    assert PETITION in sam.text()
    sam.shot("1-similar")
    sam.follow("Continue with my petition")
    assert sam.heading() == "Start a petition"
    assert sam.page.get_by_label("What do you want the council to do?").input_value() == title
    assert "can start 5 petitions an hour" in sam.text()
    sam.fill("What exactly should the council do?", "Keep home care run by the council's own team.")
    sam.fill("Full name", f"Sam Okoro {variant}")
    sam.fill("Email address", email)
    sam.fill("Postcode or ward", "RV1 2AB")
    sam.choose(re.compile("^I live, work or study"), exact=False)
    sam.press("Start petition")
    assert sam.heading() == "Check your email"

    sam.goto(link_in(live_server.wait_for_email(email), r"/petitions/signatures/"))
    sam.press("Confirm")
    assert "Find supporters" in sam.text()
    sam.shot("2-supporters")
    assert _fits_the_screen(sam), "the supporter link makes the page wider than the phone"

    # The open petition: the limit per connection explained, and the bar to the next threshold.
    sam.goto("/petitions")
    sam.follow(PETITION)
    assert "one connection (a home's wifi, a library or a mobile network) can send" in sam.text()
    bar = sam.page.locator("progress.signature-progress")
    assert bar.count() == 1 and int(bar.get_attribute("max")) in (1500, 20000)
    sam.shot("3-progress")
    sam.assert_all_checked()


@pytest.mark.parametrize(("viewport", "javascript"), RUNS, ids=IDS)
def test_dev_hides_a_post_and_finds_it_in_the_audit_trail(journey, viewport, javascript):
    variant = "js" if javascript else "nojs"
    title = f"Parking at the day centre ({variant})"
    dev = journey("moderation", viewport=viewport, javascript=javascript)
    dev.sign_in("organiser@unison.example")
    dev.goto("/forums")
    dev.follow("Care staff and carers (members only)")
    dev.fill("Title", title)
    dev.fill("Your post", "The car park is full by 8am; carers are late for their first visits.")
    dev.press("Start thread")
    dev.follow("Moderate this post")
    assert dev.heading() == "Moderate a post"
    dev.fill("Reason, shown in place of the post", "Names a member of staff")
    dev.shot("1-hide")
    dev.press("Hide post")
    assert "Done. The action is recorded in the audit log." in dev.text()
    dev.press("Restore post")
    dev.goto("/officer/forums")
    dev.follow("Care staff and carers (members only)")
    dev.follow("Audit trail")
    assert dev.heading() == "Audit trail"
    assert "Hid a post" in dev.text() and "Names a member of staff" in dev.text()
    dev.shot("2-audit")
    dev.assert_all_checked()
