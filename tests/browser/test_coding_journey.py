"""Guided coding on a phone (issue 21): Tom Okafor starts a coding frame from the themes of the NHS
survey's free-text question, renames a code, codes answers one at a time with the keyboard shortcuts
(and once by tapping, once naming a new code, once skipping), sees Chorus propose codes after the 20th,
accepts the sure ones in bulk and codes held-out answers blind. Every page is checked with axe."""

import re

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

QUESTION = "What could the service do better?"


def _coded(tom) -> int:
    return int(re.search(r"(\d+) answers? coded by officers", tom.text()).group(1))


def _key(tom, key: str, *, check: bool = True) -> None:
    """Press a shortcut key with no box focused; it submits the form. The next page is checked with
    axe (the same page again, with only the answer changed, may skip it: axe is the slow part)."""
    tom.page.locator("h1").click()
    with tom.page.expect_navigation(wait_until="load"):
        tom.page.keyboard.press(key)
    if check:
        tom.check()


@pytest.mark.browser
def test_tom_codes_answers_on_his_phone_and_chorus_proposes_the_rest(journey, live_server):
    tom = journey("coding", viewport="phone")
    tom.sign_in("officer@riverside.example")
    question_id = live_server.lookup("SELECT id FROM consultation_question WHERE text = ?", QUESTION)
    tom.goto(f"/officer/questions/{question_id}/themes")
    tom.follow("Code the answers with your own coding frame")
    assert tom.heading().startswith("Code the answers")

    from_themes = tom.page.get_by_label(re.compile("^From the current themes"))
    if from_themes.count():
        from_themes.check()
    else:
        tom.choose("With an empty frame: you name the codes")
    tom.press("Start the coding frame")
    if not tom.page.locator("#codes").count():
        for name in ("Waiting times", "Staff attitude", "Parking"):
            tom.page.locator("summary", has_text="Add a code").click()
            tom.fill("Name of the new code", name, exact=True)
            tom.press("Add the code")
    tom.page.locator("#codes a", has_text="Change").first.click()
    tom.page.wait_for_load_state("load")
    tom.check()
    tom.fill("Name of the code", "Appointments and waiting", exact=True)
    tom.fill("Description", "Getting an appointment, waiting lists and delays", exact=True)
    tom.press("Save the code")
    assert "Appointments and waiting" in tom.text()
    tom.shot("1-frame")

    tom.follow("Code answers")
    assert tom.heading() == "Code this answer"
    assert "Keyboard shortcuts" in tom.text() and tom.page.locator("kbd.key").count() >= 2
    assert tom.page.get_by_label("Use keyboard shortcuts").is_checked()
    tom.shot("2-code")
    # Skip one, tap one, name a new code once, then the keyboard for the rest of the 20.
    skipped = tom.page.locator("form[data-coding-form]").get_attribute("action")
    _key(tom, "s")
    assert tom.page.locator("form[data-coding-form]").get_attribute("action") != skipped
    assert _coded(tom) == 0
    tom.page.locator("label.choice-label").first.click()
    tom.press("Save and next")
    tom.page.locator("h1").click()
    tom.page.keyboard.press("n")
    assert tom.page.evaluate("() => document.activeElement.id") == "new_code"
    tom.page.keyboard.type("Transport to the hospital")
    tom.press("Save and next")
    assert _coded(tom) == 2
    for i in range(17):
        _key(tom, "2" if i % 2 else "1", check=i == 0)
        assert _coded(tom) == 3 + i
    assert not tom.page.locator("#coding-progress").count()
    _key(tom, "1")  # the 20th code: Chorus learns (the worker's job) and proposes the rest
    assert tom.page.locator("#coding-progress").count(), tom.text()[:500]
    progress = tom.page.locator("#coding-progress").inner_text()
    for _ in range(30):
        if "Codes proposed" in progress or "could not" in progress:
            break
        tom.page.wait_for_timeout(1000)
        tom.goto(tom.path)
        progress = tom.page.locator("#coding-progress").inner_text()
    assert "Codes proposed" in progress, progress
    assert re.search(r"Chorus suggests .+ \(\d+% sure\)|not sure what to propose", tom.text())
    tom.shot("3-proposed")

    tom.follow("Back to the coding frame")
    tom.page.get_by_label("Accept proposals Chorus is at least this sure of").select_option(index=5)
    tom.press("Accept these proposals")
    assert re.search(r"\d+ proposals? accepted", tom.text())

    tom.page.get_by_label("How many answers to hold out").select_option("20")
    tom.press("Hold out answers to check")
    assert tom.heading() == "Held-out check: code this answer"
    assert "Chorus suggests" not in tom.text() and not tom.page.get_by_role("button", name="Skip").count()
    for _ in range(2):
        tom.page.locator("label.choice-label").first.click()
        tom.press("Save and next")
    tom.shot("4-check")
    tom.follow("Back to the coding frame")
    # Up to 20 are held out: fewer when accepted proposals leave fewer answers uncoded.
    held_out = re.search(r"Answers compared\s+2 of (\d+) held out", tom.text())
    assert held_out and 2 < int(held_out.group(1)) <= 20, tom.text()[-800:]
    assert tom.page.get_by_role("link", name="Download every answer with its code (CSV)").count()
    tom.assert_all_checked()
