"""The review pages, every form submitted with real values: create, edit and publish, schedule, move on,
conclude; the team with a councillor who records the scrutiny view; stand-alone consultations and forums."""

from datetime import date

import pytest
from sqlalchemy import select

from app.models.consultation import Consultation
from app.models.finding import ReviewTeamMember, TeamRole
from app.models.forum import Forum
from app.models.review import Review, ReviewStatus, TimelineStage
from app.models.user import Role
from app.services.reviews import findings
from tests import factories
from tests.helpers import page, text_of


@pytest.fixture
def officer(db):
    return factories.user(db, Role.OFFICER, email="lead@example.org", display_name="Lena Officer")


@pytest.fixture
def signed_in(client, officer):
    client.sign_in("lead@example.org", factories.PASSWORD)
    return client


def _create(client, officer, **overrides):
    values = {"title": "Review of libraries", "service": "Libraries", "summary": "Are branches open when people can come?",
              "scope": "Opening hours of the 9 branches.", "lead_officer_id": str(officer.id),
              "starts_on": "2027-01-04", "ends_on": "2027-09-30"}
    values.update(overrides)
    return client.submit("/officer/reviews/new", values)


def test_an_officer_creates_a_review_from_the_workspace_home(signed_in, db, officer):
    home = signed_in.get("/officer")
    assert page(home).find("a", href="/officer/reviews/new") is not None
    assert signed_in.get("/officer/reviews/new").status_code == 200
    response = _create(signed_in, officer)
    assert response.status_code == 303
    review = db.scalars(select(Review)).one()
    assert response.headers["location"] == f"/officer/reviews/{review.id}"
    assert (review.service, review.lead_officer_id, review.starts_on) == ("Libraries", officer.id, date(2027, 1, 4))
    workspace = signed_in.get(f"/officer/reviews/{review.id}")
    assert "Lena Officer" in workspace.text and "Scoping" in workspace.text
    assert page(signed_in.get("/officer")).find("a", href=f"/officer/reviews/{review.id}") is not None


def test_errors_come_back_on_the_form_with_what_was_typed(signed_in, officer):
    response = _create(signed_in, officer, title="", starts_on="2027-02-30")
    assert response.status_code == 422
    html = page(response)
    assert html.select_one(".error-summary a[href='#starts_on']") is not None
    assert html.find("input", id="service")["value"] == "Libraries"


def test_edit_publish_schedule_move_and_conclude(signed_in, client, db, officer):
    _create(signed_in, officer)
    review = db.scalars(select(Review)).one()
    base = f"/officer/reviews/{review.id}"
    assert client.get(f"/reviews/{review.id}").status_code == 404  # not public yet
    assert signed_in.get(f"{base}/edit").status_code == 200
    response = signed_in.submit(f"{base}/edit", {
        "title": "Review of libraries", "service": "Libraries", "summary": "Opening hours.", "scope": "All 9 branches.",
        "lead_officer_id": str(officer.id), "starts_on": "2027-01-04", "ends_on": "2027-09-30", "is_public": "yes"})
    assert response.status_code == 303
    db.refresh(review)
    assert review.is_public and review.scope == "All 9 branches."

    assert signed_in.get(f"{base}/schedule").status_code == 200
    assert signed_in.submit(f"{base}/schedule", {"consult_starts_on": "2027-04-01",
                                                 "consult_ends_on": "2027-03-01"}).status_code == 422
    response = signed_in.submit(f"{base}/schedule", {"consult_starts_on": "2027-03-01",
                                                     "consult_ends_on": "2027-04-30"})
    assert response.status_code == 303
    response = signed_in.submit(f"{base}/stage", {"stage": "consult"})
    assert response.status_code == 303
    db.refresh(review)
    assert (review.stage, review.status) == (TimelineStage.CONSULT, ReviewStatus.IN_PROGRESS)

    public = client.get(f"/reviews/{review.id}")
    assert public.status_code == 200
    current = page(public).select_one(".timeline [aria-current=step]")
    assert "Consult" in current.get_text() and "30 April 2027" in current.get_text()
    assert page(client.get("/")).find("a", href=f"/reviews/{review.id}") is not None

    assert signed_in.get(f"{base}/conclude").status_code == 200
    assert signed_in.submit(f"{base}/conclude", {"decision": "", "decided_on": ""}).status_code == 422
    response = signed_in.submit(f"{base}/conclude", {"decision": "Keep all 9 branches; open two on Sundays.",
                                                     "decided_on": "2026-11-12"})
    assert response.status_code == 303
    db.refresh(review)
    assert review.status == ReviewStatus.CONCLUDED and review.decided_on == date(2026, 11, 12)
    public_text = text_of(client.get(f"/reviews/{review.id}"))
    assert "decision, 12 November 2026" in public_text and "open two on Sundays" in public_text


def test_a_councillor_in_the_team_reads_comments_and_records_the_scrutiny_view(signed_in, client, db, officer):
    councillor = factories.user(db, Role.COUNCILLOR, email="cllr@example.org", display_name="Cllr Amir Khan")
    _create(signed_in, officer)
    review = db.scalars(select(Review)).one()
    response = signed_in.submit(f"/officer/reviews/{review.id}/team", {"email": "cllr@example.org", "role": "scrutiny"})
    assert response.status_code == 303
    assert db.scalar(select(ReviewTeamMember.role).where(ReviewTeamMember.user_id == councillor.id)) == TeamRole.SCRUTINY
    finding = findings.write_finding(db, review_id=review.id, stage="challenge", statement="Sunday opening is wanted.",
                                     evidence_refs=[], officer=officer)
    db.flush()

    client.cookies.clear()
    client.sign_in("cllr@example.org", factories.PASSWORD)
    workspace = client.get(f"/officer/reviews/{review.id}")
    assert workspace.status_code == 200 and "Sunday opening is wanted." in workspace.text
    assert page(workspace).find("form", action=f"/officer/reviews/{review.id}/findings") is None  # no editing
    assert client.get(f"/officer/reviews/{review.id}/edit").status_code == 403
    assert client.submit(f"/officer/reviews/{review.id}/stage", {"stage": "consult"}).status_code == 403
    finding_page = client.get(f"/officer/findings/{finding.id}")
    assert page(finding_page).find("form", action=f"/officer/findings/{finding.id}/scrutiny") is not None
    assert client.submit(f"/officer/findings/{finding.id}/scrutiny", {"scrutiny_view": " "}).status_code == 422
    response = client.submit(f"/officer/findings/{finding.id}/scrutiny",
                             {"scrutiny_view": "The panel supports this; report Sunday footfall in 6 months."})
    assert response.status_code == 303
    assert client.submit(f"/officer/findings/{finding.id}/comments", {"body": "Which branches?"}).status_code == 303
    shown = text_of(client.get(f"/officer/findings/{finding.id}"))
    assert "report Sunday footfall" in shown and "Which branches?" in shown
    assert client.submit(f"/officer/findings/{finding.id}/publish").status_code == 403


def test_stand_alone_consultation_and_forum_from_their_forms(signed_in, client, db, officer):
    form = page(signed_in.get("/officer/consultations/new"))
    assert form.find("option", value="none") is not None
    assert signed_in.submit("/officer/consultations/new", {"review_id": "", "title": "Lights",
                                                           "audience": "anyone"}).status_code == 422
    response = signed_in.submit("/officer/consultations/new", {"review_id": "none", "title": "Christmas lights",
                                                               "summary": "Where should they go?", "audience": "anyone"})
    assert response.status_code == 303
    consultation = db.scalars(select(Consultation)).one()
    assert consultation.review_id is None
    assert "Stand-alone consultation" in signed_in.get(response.headers["location"]).text

    response = signed_in.submit("/officer/forums/new", {
        "title": "Town centre traders", "review_id": "none", "visibility": "public", "moderation": "post",
        "prompt": "What would bring people into town?", "consultation_id": str(consultation.id)})
    assert response.status_code == 303, response.text
    forum = db.scalars(select(Forum)).one()
    assert (forum.review_id, forum.consultation_id) == (None, consultation.id)
    assert "Stand-alone forum" in client.get(f"/forums/{forum.id}").text

    outcome = signed_in.get(f"/officer/consultations/{consultation.id}/outcome")
    assert outcome.status_code == 200 and "stands alone" in outcome.text
    factories.user(db, Role.ORGANISER, email="org@example.org")
    client.cookies.clear()
    client.sign_in("org@example.org", factories.PASSWORD)
    assert client.get(f"/officer/consultations/{consultation.id}/report").status_code == 404
    client.cookies.clear()
    client.sign_in("lead@example.org", factories.PASSWORD)

    _create(signed_in, officer)
    review = db.scalars(select(Review)).one()
    prefilled = page(signed_in.get(f"/officer/consultations/new?review_id={review.id}"))
    assert prefilled.find("option", value=str(review.id)).has_attr("selected")
