"""Compare and Compete (issue 24) on a desktop: a carer suggests what the review should measure, the
officer adopts it with a definition, source and who asked; imports a benchmark file (a bad one first);
scores an option citing a benchmark figure; and cites that score in a finding. axe on every page."""

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

REVIEW = "Best Value review of community health and care"


@pytest.mark.browser
def test_indicators_benchmarks_appraisal_and_a_finding(journey, live_server, tmp_path):
    review_id = live_server.lookup("SELECT id FROM review WHERE title = ?", REVIEW)

    carer = journey("compare-resident", viewport="desktop", javascript=False)
    carer.goto(f"/reviews/{review_id}")
    carer.follow("Tell us what matters most to you")
    carer.fill("Something that should be measured", "Visits that start on time (journey)")
    carer.choose("I care for someone who uses it")
    carer.press("Send")
    assert "Thank you" in carer.text()
    carer.assert_all_checked()
    worker = journey("compare-staff", viewport="desktop", javascript=False)
    worker.goto(f"/reviews/{review_id}/indicators")
    worker.page.get_by_label("Your first choice").select_option(label="Visits that start on time (journey)")
    worker.choose("I work for the service")
    worker.press("Send")
    assert "Thank you" in worker.text()
    worker.assert_all_checked()

    tom = journey("compare", viewport="desktop")
    tom.sign_in("officer@riverside.example")
    tom.goto(f"/officer/reviews/{review_id}")
    tom.follow("Indicators chosen with users and staff")
    row = tom.page.locator("tr", has_text="Visits that start on time (journey)")
    assert row.locator("td").all_inner_texts()[:7] == ["0", "1", "1", "0", "0", "2", "1"]
    tom.fill("Definition of “Visits that start on time (journey)”",
             "Share of home-care visits that start within 15 minutes of the planned time")
    tom.fill("Source of the figures", "The council's rota system, monthly")
    tom.press("Adopt “Visits that start on time (journey)”")
    assert "Adopted" in tom.text()
    tom.shot("1-indicators")

    council = "Riverside Borough Council"
    bad, good = tmp_path / "bad.csv", tmp_path / "peers.csv"
    header = "indicator,council,period,value,unit,source,date\n"
    bad.write_text(header + f"Visits on time,{council},2025-26,soon,%,Rota,2026-04-30\n")
    good.write_text(header + f"Visits on time (journey),{council},2025-26,71.5,%,Rota system,2026-04-30\n"
                    "Visits on time (journey),Hillside Council,2025-26,88,%,LG Inform,2026-05-01\n")
    tom.goto(f"/officer/reviews/{review_id}/benchmarks")
    tom.page.get_by_label("CSV file of benchmark figures").set_input_files(str(bad))
    tom.press("Import figures")
    assert "Line 2: value “soon” is not a number" in tom.text()
    tom.page.get_by_label("CSV file of benchmark figures").set_input_files(str(good))
    tom.press("Import figures")
    assert "2nd highest of 2 councils" in tom.text()
    tom.shot("2-benchmarks")

    tom.goto(f"/officer/reviews/{review_id}/appraisal")
    tom.fill("Name of the option", "In-house improvement (journey)", exact=True)
    tom.press("Add the option")
    tom.fill("Name of the criterion", "Local jobs and training (journey)", exact=True)
    tom.page.get_by_label("Kind of criterion").select_option("social_value")
    tom.fill("Weight (1 to 100)", "40")
    tom.press("Add the criterion")
    tom.page.get_by_label("Option to score").select_option(label="In-house improvement (journey)")
    tom.page.get_by_label("Criterion to score it on").select_option(
        label="Local jobs and training (journey) (weight 40)")
    tom.fill("Score from 0 (worst) to 5 (best)", "4")
    tom.fill("Why it scores this", "Keeps carers on local terms; visits on time lag peers")
    tom.page.get_by_label("Evidence this score rests on").select_option(
        label="Benchmark: Visits on time (journey), Riverside Borough Council, 2025-26: 71.5 %")
    tom.press("Save the score")
    assert "In-house improvement (journey) on Local jobs and training (journey): 4 of 5" in tom.text()
    assert "Sensitivity" in tom.text()
    tom.shot("3-appraisal")

    tom.goto(f"/officer/reviews/{review_id}")
    # The workspace's "Move the review to a stage" select also has the id "stage": pick the finding's own.
    tom.page.locator("form[action$='/findings'] select[name=stage]").select_option("compete")
    statement = "Kept in house, the service scores 4 of 5 on local jobs (journey)."
    tom.fill("Finding", statement, exact=True)
    tom.choose("Appraisal: In-house improvement (journey) on Local jobs and training (journey) (4 of 5)")
    tom.press("Save draft finding")
    if tom.heading() != "Finding":
        tom.follow(statement)
    assert "Appraisal score: In-house improvement (journey)" in tom.text()
    tom.shot("4-finding")
    tom.assert_all_checked()


@pytest.mark.browser
def test_which_matter_most_as_a_consultation_question_on_a_phone(journey, live_server):
    """Decision 0103: the officer adds the question type to a new consultation of the review; a carer
    answers it on a phone without JavaScript (a mistake first), and the team sees the counts."""
    review_id = live_server.lookup("SELECT id FROM review WHERE title = ?", REVIEW)
    title = "What should the review measure? (journey)"
    tom = journey("compare-question", viewport="desktop")
    tom.sign_in("officer@riverside.example")
    wanted = ["Calls answered within a minute (journey)", "Same care worker each week (journey)"]
    for name in wanted:
        tom.goto(f"/officer/reviews/{review_id}/indicators")
        tom.fill("What should be measured?", name)
        tom.choose("Staff")
        tom.press("Propose this indicator")
    tom.goto("/officer/consultations/new")
    tom.page.get_by_label("Review").select_option(label=REVIEW)
    tom.fill("Title", title)
    tom.fill("Summary", "Tell us how we should judge community health and care.")
    tom.press("Create consultation")
    tom.page.get_by_label("Type of question").select_option("indicators")
    tom.fill("Question", "Which of these matter most to you?", exact=True)
    tom.press("Add question")
    tom.press("Open the consultation")
    consultation_id = live_server.lookup("SELECT id FROM consultation WHERE title = ?", title)

    carer = journey("compare-question-phone", viewport="phone", javascript=False)
    carer.goto(f"/consultations/{consultation_id}")
    carer.press("Start now")
    carer.choose("A carer or family member of someone who uses the service")
    carer.press("Continue")
    first = carer.page.get_by_label("Your first choice")
    offered = [o.strip() for o in first.locator("option").all_text_contents() if o.strip() != "Not chosen"]
    assert set(wanted) <= set(offered), offered
    offered = wanted
    first.select_option(label=offered[0])
    carer.page.get_by_label("Your second choice (optional)").select_option(label=offered[0])
    carer.press("Continue")
    assert "There is a problem" in carer.text() and "Choose each indicator once" in carer.text()
    carer.shot("5-question-error")
    carer.page.get_by_label("Your second choice (optional)").select_option(label=offered[1])
    suggestion = "Carers who speak my language (journey)"
    carer.fill("Something else that should be measured (optional)", suggestion)
    carer.press("Continue")
    if carer.heading() != "Check your answers before sending them":
        carer.press("Continue")  # the optional questions about you
    assert f"1. {offered[0]}" in carer.text() and f"Suggested: {suggestion}" in carer.text()
    carer.press("Send my response")
    assert carer.heading() == "Response sent"
    carer.shot("6-question-sent")
    carer.assert_all_checked()

    tom.goto(f"/officer/reviews/{review_id}/indicators")
    row = tom.page.locator("tr", has_text=suggestion)
    assert row.locator("td").all_inner_texts()[:7] == ["0", "1", "0", "0", "0", "1", "0"]
    assert "answering the consultation" in tom.text()
    tom.shot("5-question-counts")

    # A member of the review's forum proposes from the forum (decision 0103).
    forum_id = live_server.lookup("SELECT MIN(id) FROM forum WHERE review_id = ? AND is_open", review_id)
    tom.goto(f"/forums/{forum_id}")
    tom.follow("Propose something the review should measure")
    tom.fill("Something that should be measured", "Hours of care delivered as planned (journey)")
    tom.press("Send the proposal")
    assert "Your proposal was sent to the review team" in tom.text()
    tom.goto(f"/officer/reviews/{review_id}/indicators")
    assert "in the forum" in tom.page.locator("section", has_text="Hours of care delivered as planned").inner_text()
    tom.assert_all_checked()
