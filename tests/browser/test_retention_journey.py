"""Issue 25's promises, end to end: Lena answers a consultation and asks for the results; the review
concludes and "you said, we did" is published; her email arrives; the clock moves past the retention
period; her answer is gone while the counts stay; and a subject-access search for her address finds
nothing left but the audit record of the deletion."""

import re
from datetime import date

import pytest

from tests.browser.helpers import body_of, open_review_consultation

# One worker runs every journey against the session's one server and one browser.
pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

ANSWER = "Open on Sunday afternoons so that working parents can bring their children."
QUESTION = "What would make the library better for you?"


@pytest.mark.browser
def test_answered_told_deleted_on_schedule_and_nothing_left(journey, live_server):
    email = "lena.promises@residents.example"
    tom = journey("promises-officer", viewport="desktop")
    tom.sign_in("officer@riverside.example")
    title = "Library opening hours: what works for you?"
    review_id, consultation_id = open_review_consultation(
        tom, live_server, review="Review of library opening hours", service="Libraries",
        title=title, summary="The council is reviewing library opening hours.", question=QUESTION)

    # 1. Lena answers and asks for the results on the confirmation page.
    lena = journey("promises-resident", viewport="phone")
    lena.goto(f"/consultations/{consultation_id}")
    lena.press("Start now")
    lena.choose("A resident")
    lena.press("Continue")
    lena.fill(QUESTION, ANSWER)
    for _ in range(4):
        if lena.heading() == "Check your answers before sending them":
            break
        lena.press("Continue")
    lena.press("Send my response")
    assert lena.heading() == "Response sent"
    lena.fill("Email address", email)
    lena.press("Email me the results")
    assert "We will email you" in lena.text()
    lena.shot("1-opted-in")

    # 2. The consultation closes, its results are published, the review concludes, the outcome is told.
    tom.goto(f"/officer/consultations/{consultation_id}")
    tom.press("Close the consultation")
    tom.press("Publish the results")
    tom.goto(f"/officer/reviews/{review_id}/conclude")
    tom.fill("The decision", "Libraries open on Sunday afternoons from April.")
    tom.fill("Date of the decision", date.today().isoformat())
    tom.press("Conclude the review")
    tom.goto(f"/officer/consultations/{consultation_id}/outcome")
    tom.fill("What the council decided", "Libraries will open on Sunday afternoons from April.")
    tom.page.get_by_label("Email everyone who asked to hear about the results (each person once)").check()
    tom.press("Save")
    tom.goto(f"/officer/consultations/{consultation_id}/results")
    assert ANSWER in tom.text()

    # 3. Her email arrives, with one unsubscribe link.
    told = live_server.wait_for_email(email, "Results published")
    body = body_of(told)
    assert f"/consultations/{consultation_id}/you-said-we-did" in body
    assert len(re.findall(r"/unsubscribe/[0-9a-f]{64}/[0-9a-f]{32}", body)) == 1
    lena.goto(f"/consultations/{consultation_id}/you-said-we-did")
    before = lena.text()
    assert "Libraries will open on Sunday afternoons" in before

    # 4. The clock moves past the retention period (two years after the review concluded).
    try:
        tom.goto("/dev/clock")
        tom.fill("Days to move the clock forward", "731")
        tom.press("Move the clock and run retention")
        assert re.search(r"[1-9]\d* consultations anonymised", tom.text()), tom.text()[:400]

        # 5. Her answer is gone; the counts stay. (Two years on, Tom's session has long ended.)
        tom.sign_in("officer@riverside.example")
        tom.goto(f"/officer/consultations/{consultation_id}/results")
        assert ANSWER not in tom.text()
        lena.goto(f"/consultations/{consultation_id}/you-said-we-did")
        after = lena.text()
        assert "deleted on schedule" in after and ANSWER not in after
        counts = re.findall(r"\b\d+ (?:response|responses|people)\b", before)
        assert counts and all(count in after for count in counts)
        lena.shot("2-deleted-on-schedule")

        # 6. Subject access for her address: nothing left.
        dana = journey("promises-data-protection", viewport="desktop")
        dana.sign_in("dpo@riverside.example")
        dana.goto("/officer/data-protection")
        dana.fill("Email address", email)
        dana.press("Find")
        held = dana.text()
        assert f"Held about {email}: 1 item" in held and "Audit entries (1)" in held
        assert "results_subscriber.deleted" in held  # only the record that her address was deleted
        dana.shot("3-subject-access")
    finally:
        tom.goto("/dev/clock")
        tom.press("Put the clock back to real time")
