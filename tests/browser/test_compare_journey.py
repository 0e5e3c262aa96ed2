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
    assert row.locator("td").all_inner_texts()[:6] == ["0", "1", "1", "0", "2", "1"]
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
