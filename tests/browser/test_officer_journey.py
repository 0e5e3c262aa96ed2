"""Tom Okafor, a council officer, builds a consultation, runs the analysis of a closed consultation's
answers, curates a theme (renames and approves it), writes a finding citing it as evidence and
publishes "you said, we did", which residents then read. At desktop and phone sizes (officers use
JavaScript-capable browsers at work; every step is still a plain form)."""

import re

import pytest

# One worker runs every journey against the session's one server and one browser.
pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

SURVEY = "Patients' experiences of NHS care (Friends and Family Test)"
# Each run curates a theme the demo left proposed: one question per viewport, so both find one.
QUESTIONS = {"desktop": "What could the service do better?", "phone": "Please tell us why you gave that rating."}


@pytest.mark.browser
@pytest.mark.parametrize("viewport", ["desktop", "phone"])
def test_tom_builds_analyses_curates_and_publishes(journey, live_server, viewport):
    tom = journey("officer", viewport=viewport)
    tom.sign_in("officer@riverside.example")

    # Build a consultation.
    tom.goto("/officer/consultations")
    tom.goto("/officer/consultations/new")
    title = f"Day centres: how should they open? ({viewport})"
    tom.page.get_by_label("Review").select_option(index=1)
    tom.fill("Title", title)
    tom.fill("Summary", "The council is reviewing day-centre opening hours.\n\nTell us what works for you.")
    tom.press("Create consultation")
    assert tom.heading() == title
    tom.page.get_by_label("Type of question").select_option("long_text")
    tom.fill("Question", "What would make the day centre easier to get to?", exact=True)
    tom.fill("Page number", "1", exact=True)
    tom.press("Add question")
    assert "What would make the day centre easier to get to?" in tom.text()
    tom.shot("1-builder")
    tom.press("Open the consultation")
    assert "open" in tom.page.locator("main .tag").first.inner_text()

    # Run the analysis of the survey's free-text answers.
    question_id = live_server.lookup("SELECT id FROM consultation_question WHERE text = ?", QUESTIONS[viewport])
    consultation_id = live_server.lookup("SELECT id FROM consultation WHERE title = ?", SURVEY)
    tom.goto(f"/officer/consultations/{consultation_id}/results")
    tom.goto(f"/officer/questions/{question_id}/themes")
    tom.press(re.compile("Find themes|Place new answers in the themes"))
    runs = tom.page.get_by_role("region", name="Analysis runs").locator("tbody tr")
    for _ in range(60):  # the run is a job: with JavaScript the page polls, without it one refreshes
        if runs.first.locator("td").nth(2).inner_text() not in ("queued", "running"):
            break
        tom.page.wait_for_timeout(1000)
        tom.goto(f"/officer/questions/{question_id}/themes")
    assert runs.first.locator("td").nth(2).inner_text() == "succeeded", tom.text()[:600]
    assert "Themes, largest first" in tom.text()
    tom.shot("2-themes")

    # Curate a theme: the first one still proposed.
    proposed = tom.page.locator("section.theme-card", has=tom.page.locator(".tag", has_text="Proposed"))
    assert proposed.count(), "no proposed theme left to curate"
    proposed.first.locator("h3 a").click()
    tom.page.wait_for_load_state("load")
    tom.check()
    new_name = f"Carers arriving on time ({viewport})"
    tom.page.locator("summary", has_text="Change this theme").click()
    tom.fill("Name", new_name, exact=True)
    tom.press("Rename")
    assert new_name in tom.heading()
    tom.press("Approve this theme")
    assert "Approved" in tom.heading()
    tom.shot("3-theme")

    # Write a finding citing the theme, and publish it.
    tom.goto("/officer/reviews")
    tom.follow("Best Value review of community health and care")
    stage = tom.page.get_by_label("Stage of the review")
    stage.select_option(index=1)
    statement = f"People value carers who arrive on time and stay for the whole visit ({viewport})."
    tom.fill("Finding", statement, exact=True)
    tom.page.get_by_label(re.compile(re.escape(new_name))).first.check()
    tom.shot("4-review")
    tom.press("Save draft finding")
    if tom.heading() != "Finding":
        tom.follow(statement)
    assert tom.heading() == "Finding"
    assert new_name in tom.text()
    tom.press("Publish this finding")
    assert "Published" in tom.page.locator(".caption").first.inner_text()
    tom.shot("5-finding")

    # "You said, we did": the decision with the finding, and the results published.
    tom.goto(f"/officer/consultations/{consultation_id}")
    if tom.page.get_by_role("button", name="Publish the results").count():
        tom.press("Publish the results")
    tom.goto(f"/officer/consultations/{consultation_id}/outcome")
    decision = ("The council will keep its in-house home-care team and set a standard that carers "
                f"arrive within 30 minutes of the planned time ({viewport}).")
    tom.fill("What the council decided", decision)
    tom.page.get_by_label(statement, exact=True).check()
    tom.press("Save")
    assert not tom.page.locator(".error-summary").count(), tom.text()[:600]
    tom.shot("6-outcome")

    resident = journey("officer", viewport=viewport, javascript=False)
    resident.goto(f"/consultations/{consultation_id}/you-said-we-did")
    text = resident.text()
    assert decision in text and statement in text and new_name in text
    resident.assert_all_checked()
    tom.assert_all_checked()
    tom.goto(f"/consultations/{consultation_id}/you-said-we-did")
    tom.shot("7-you-said-we-did")
