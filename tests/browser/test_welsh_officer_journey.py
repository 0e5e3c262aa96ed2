"""Issue 28: an officer builds a bilingual consultation, and a resident answers it in Welsh.

The officer writes the consultation and a choice question in English, then its Welsh on the
"Welsh version" page (which first lists every text still lacking Welsh); a resident who chooses
Cymraeg with the switch reads the Welsh on a phone and answers with the Welsh options, which are
stored as the English ones. axe on every page, in both languages.
"""

import pytest

from app import i18n

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]


@pytest.mark.browser
@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
def test_an_officer_builds_a_bilingual_consultation(journey, live_server, javascript):
    suffix = "js" if javascript else "no-js"
    title = f"Library opening hours ({suffix} journey)"
    tom = journey(f"welsh-officer-{suffix}", viewport="desktop", javascript=javascript)
    tom.sign_in("officer@riverside.example")
    tom.goto("/officer/consultations/new")
    tom.page.get_by_label("Review").select_option(index=1)
    tom.fill("Title", title)
    tom.fill("Summary", "Tell us when the libraries should open.")
    tom.press("Create consultation")
    tom.page.get_by_label("Type of question").select_option("single_choice")
    tom.fill("Question", "Should libraries open on Sundays?", exact=True)
    tom.fill("Options, one on each line (choice, rating and ranking questions)", "Yes\nNo")
    tom.fill("Page number", "1", exact=True)
    tom.press("Add question")
    assert "still have no Welsh version" in tom.text()
    tom.follow("Write the Welsh version")
    assert "Title" in tom.page.locator("#missing-welsh").inner_text()
    tom.fill("Title", "Oriau agor llyfrgelloedd")
    tom.fill("Summary", "Dywedwch wrthym pryd y dylai’r llyfrgelloedd agor.")
    tom.fill("Question 1: question", "A ddylai llyfrgelloedd agor ar ddydd Sul?")
    tom.fill("Question 1: option 1", "Dylen")
    tom.fill("Question 1: option 2", "Na ddylen")
    tom.press("Save the Welsh")
    assert "The Welsh is saved." in tom.text()
    assert "Every text has a Welsh version." in tom.text()
    tom.shot(f"welsh-1-versions-{suffix}")
    tom.follow("Back")
    tom.press("Open the consultation")
    consultation_id = live_server.lookup("SELECT id FROM consultation WHERE title = ?", title)
    tom.assert_all_checked()

    resident = journey(f"welsh-resident-{suffix}", viewport="phone", javascript=javascript)
    resident.goto(f"/consultations/{consultation_id}")
    resident.follow("Cymraeg")
    assert resident.page.locator("html").get_attribute("lang") == "cy"
    assert resident.heading() == "Oriau agor llyfrgelloedd"
    resident.shot(f"welsh-2-start-{suffix}")
    resident.press(_welsh("Start now"))
    resident.choose(_welsh("A resident"))
    resident.press(_welsh("Continue"))
    resident.choose("Na ddylen")
    resident.press(_welsh("Continue"))
    assert resident.path.endswith("/about-you")  # optional questions, skipped
    resident.press(_welsh("Continue"))
    assert "Na ddylen" in resident.text(), "the check page shows the answer in Welsh"
    resident.assert_all_checked()
    assert live_server.lookup(
        "SELECT count(*) FROM consultation_question WHERE consultation_id = ? AND options LIKE '%\"No\"%'",
        consultation_id) == 1


def _welsh(english: str) -> str:
    """The catalogue's Welsh for a label (the test follows the catalogue, not a copy of it)."""
    with i18n.use_locale("cy"):
        welsh = i18n.gettext(english)
    assert welsh != english, f"no Welsh for {english!r}"
    return welsh
