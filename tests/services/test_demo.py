"""The demo council loads on both databases and shows the whole loop on first start."""

import pytest
from sqlalchemy import func, select

from app.demo import load_demo_data
from app.models.analysis import Theme, ThemeStatus
from app.models.consultation import Consultation, ConsultationState
from app.models.finding import Finding, FindingStatus
from app.models.user import User

# The demo council is loaded once per worker and backend: keep its users on one worker.
pytestmark = pytest.mark.xdist_group("demo")


def test_demo_data_closes_the_loop_and_loads_once(demo_db):
    assert demo_db.scalar(select(func.count(User.id))) >= 4
    states = set(demo_db.scalars(select(Consultation.state)))
    assert {ConsultationState.OPEN, ConsultationState.PUBLISHED} <= states
    assert demo_db.scalar(select(func.count(Theme.id)).where(Theme.status == ThemeStatus.APPROVED)) >= 1
    assert demo_db.scalar(select(func.count(Finding.id)).where(Finding.status == FindingStatus.PUBLISHED)) >= 1
    assert load_demo_data(demo_db, only_if_empty=True) == ""
    assert "already loaded" in load_demo_data(demo_db)


def test_demo_pages_render(demo_client, demo_db):
    published = demo_db.scalars(select(Consultation).where(Consultation.state == ConsultationState.PUBLISHED)).one()
    assert demo_client.get("/").status_code == 200
    page = demo_client.get(f"/consultations/{published.id}/you-said-we-did")
    assert page.status_code == 200 and "What the review found" in page.text


def test_demo_forum_holds_a_meeting_and_a_union_submission_that_can_join_the_analysis(demo_db):
    from app.models.consultation import Question, QuestionKind
    from app.models.forum import Meeting, Submission, SubmissionStatus
    from app.services.themes import summary as themes_summary

    meeting = demo_db.scalars(select(Meeting)).one()
    assert "in their own words" in meeting.notes and meeting.held_on.isoformat() == "2026-10-14"
    submission = demo_db.scalars(select(Submission)).one()
    assert submission.status == SubmissionStatus.SIGNED_OFF
    published = demo_db.scalars(select(Consultation).where(Consultation.state == ConsultationState.PUBLISHED)).one()
    question = demo_db.scalars(select(Question).where(Question.consultation_id == published.id,
                                                      Question.kind == QuestionKind.LONG_TEXT)).first()
    status = themes_summary.evidence_status(demo_db, question)
    # The housing forum stands alone; the union members' forum (3 posts) is in the review.
    assert status.meetings == 1 and status.submissions == 1 and status.posts == 3 and not status.included


def test_the_demo_has_an_organised_campaign_and_its_page_quotes_it_once(demo_client, demo_db):
    from app.demo import DEMO_PASSWORD
    from app.models.analysis import Bucket, ThemeAssignment

    question_id, size = demo_db.execute(
        select(ThemeAssignment.question_id, func.count())
        .where(ThemeAssignment.bucket == Bucket.CAMPAIGN)
        .group_by(ThemeAssignment.question_id)
    ).one()
    assert size >= 12  # twelve senders of the template (and the patient whose comment it copies)
    demo_client.sign_in("officer@riverside.example", DEMO_PASSWORD)
    page = demo_client.get(f"/officer/questions/{question_id}/buckets/campaign")
    assert page.status_code == 200
    assert f"{size} near-identical answers" in page.text and page.text.count("face-to-face option") == 1
