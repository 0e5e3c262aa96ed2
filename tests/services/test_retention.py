"""Retention, on both databases: the clock moves past each period and the daily job keeps the promise."""

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from app import clock, jobs
from app.config import Settings
from app.jobs import retention as retention_job
from app.models.analysis import Theme, ThemeStatus
from app.models.audit import AuditEvent
from app.models.base import utcnow
from app.models.consultation import Consultation
from app.models.consultation_response import Answer, EqualitiesAnswer, Response
from app.models.finding import EvidenceKind, ResultsSubscriber
from app.models.outbox import EmailStatus, OutboxEmail
from app.models.user import Role
from app.services import consultations, reviews, site_pages
from app.services.email import queue_email
from app.services.petitions import anonymisation as petitions_anonymisation
from app.services.privacy import retention
from app.services.reviews import evidence, outcomes
from tests import factories
from tests.services import consultation_helpers as make
from tests.services import test_petitions_factories as petition_factories

SETTINGS = Settings(RESPONSE_RETENTION_DAYS=730, OUTBOX_RETENTION_DAYS=30)


def _consultation_with_answers(db):
    made, qs = make.consultation(db)
    make.submit(db, made, qs, "r1", equalities={"age_band": "16 to 24", "ward": "North"})
    make.submit(db, made, qs, "r2")
    answer = db.scalar(select(Answer).where(Answer.question_id == qs["why"].id).limit(1))
    theme = Theme(question_id=qs["why"].id, label="Trust in carers", status=ThemeStatus.APPROVED, size=2,
                  description="“They know my mum.”",
                  quotes=[{"answer_id": answer.id, "source": "answer", "source_id": answer.id,
                           "text": "They know my mum.", "public": True},
                          {"answer_id": None, "source": "post", "source_id": 9, "text": "A forum post",
                           "public": True}])
    db.add(theme)
    consultations.close_consultation(db, made)
    db.flush()
    return made, qs, theme


def _conclude(db, made):
    officer = factories.user(db, Role.OFFICER)
    review = reviews.get_review(db, made.review_id)
    reviews.conclude(db, review, decision="Keep the in-house service.", decided_on=date.today(), actor=officer)
    db.flush()


def test_answers_are_anonymised_two_years_after_the_review_concludes(db):
    made, _qs, theme = _consultation_with_answers(db)
    _conclude(db, made)
    counts_before = db.execute(select(Answer.question_id, Answer.option_index, func.count())
                               .group_by(Answer.question_id, Answer.option_index)
                               .where(Answer.option_index.is_not(None))).all()

    clock.advance(timedelta(days=729))
    assert retention.run(db, SETTINGS).consultations == 0  # a day early: nothing happens
    assert db.scalar(select(func.count()).select_from(EqualitiesAnswer)) == 1

    clock.advance(timedelta(days=2))
    report = retention.run(db, SETTINGS)
    assert (report.consultations, report.responses) == (1, 2)
    db.expire_all()
    # aggregates stay: the responses, chosen options and the theme's size
    assert db.scalar(select(func.count()).select_from(Response).where(Response.consultation_id == made.id)) == 2
    assert db.execute(select(Answer.question_id, Answer.option_index, func.count())
                      .group_by(Answer.question_id, Answer.option_index)
                      .where(Answer.option_index.is_not(None))).all() == counts_before
    assert db.get(Theme, theme.id).size == 2
    # what people wrote, who they are and their quotes are gone
    assert db.scalar(select(func.count()).select_from(Answer).where(Answer.value_text != "",
                                                                     Answer.option_index.is_(None),
                                                                     Answer.number.is_(None))) == 0
    assert not db.scalars(select(Answer.value_text).where(Answer.value_text.like("%mum%"))).all()
    assert db.scalar(select(func.count()).select_from(EqualitiesAnswer)) == 0
    kept = db.get(Theme, theme.id)
    assert [q["source"] for q in kept.quotes] == ["post"] and kept.description == ""
    assert db.get(Consultation, made.id).answers_deleted_at is not None
    assert db.scalar(select(AuditEvent.detail).where(AuditEvent.action == "consultation.answers_deleted",
                                                     AuditEvent.object_id == made.id)) == {"responses": 2}
    # running again the next day changes nothing
    clock.advance(timedelta(days=1))
    assert retention.run(db, SETTINGS).consultations == 0


def test_a_stand_alone_consultation_is_anonymised_after_it_closes_and_an_open_review_keeps_answers(db):
    made, qs, _ = _consultation_with_answers(db)      # its review never concludes
    alone, alone_qs = make.consultation(db, title="Parks")
    alone.review_id = None
    make.submit(db, alone, alone_qs, "p1")
    consultations.close_consultation(db, alone)
    db.flush()
    clock.advance(timedelta(days=731))
    assert retention.consultations_due(db, utcnow(), 730) == [alone.id]
    retention.run(db, SETTINGS)
    assert db.get(Consultation, made.id).answers_deleted_at is None
    assert db.scalar(select(func.count()).select_from(Answer).where(
        Answer.question_id == qs["why"].id, Answer.value_text != "")) == 2


def test_told_subscribers_are_deleted_and_the_outbox_is_purged(db):
    made, _qs, _ = _consultation_with_answers(db)
    outcomes.subscribe(db, made, "told@example.org")
    consultations.publish_consultation(db, made)
    outcomes.send_results_batch(db, made.id, base_url="http://x", secret="s")
    outcomes.subscribe(db, made, "late@example.org")  # signed up after the results went out
    other = queue_email(db, "password_reset", to="staff@example.org", email="staff@example.org",
                        link="http://x/password-reset/abc")
    db.get(OutboxEmail, other).status = EmailStatus.SENT
    waiting = queue_email(db, "consultation_resume_link", to="queued@example.org", title=made.title,
                          link="http://x/resume/abc")
    db.flush()

    report = retention.run(db, SETTINGS)
    assert report.subscribers == 1
    assert db.scalars(select(ResultsSubscriber.email)).all() == ["late@example.org"]
    deleted = db.scalar(select(AuditEvent).where(AuditEvent.action == "results_subscriber.deleted"))
    assert deleted.detail == {"address_sha256": retention.address_digest("told@example.org")}

    clock.advance(timedelta(days=31))
    retention.run(db, SETTINGS)
    assert db.get(OutboxEmail, other) is None
    assert db.get(OutboxEmail, waiting) is not None  # still to be sent


def test_emails_about_anonymised_answers_are_purged_at_once(db):
    made, _qs, _ = _consultation_with_answers(db)
    receipt = queue_email(db, "consultation_receipt", to="me@example.org", concerns=f"consultation:{made.id}",
                          title=made.title, reference="ABC-123", answers=[("Why?", "They know my mum.")],
                          link="http://x/consultations/1")
    db.get(OutboxEmail, receipt).status = EmailStatus.SENT
    _conclude(db, made)
    clock.advance(timedelta(days=731))
    retention.run(db, Settings(RESPONSE_RETENTION_DAYS=730, OUTBOX_RETENTION_DAYS=10_000))
    assert db.get(OutboxEmail, receipt) is None


@pytest.mark.parametrize("days, wording", [(730, "2 years"), (90, "90 days")])
def test_the_privacy_notice_states_the_periods_the_job_uses(db, days, wording):
    settings = Settings(RESPONSE_RETENTION_DAYS=days, OUTBOX_RETENTION_DAYS=14)
    text = site_pages.default_text(db, "privacy", settings)
    assert f"{wording} after the review a consultation belongs to ends" in text
    assert "deleted\n14 days after sending" in text or "14 days after sending" in text.replace("\n", " ")


def test_petition_emails_go_when_the_petition_is_anonymised(db):
    target = petition_factories.petition(db)
    petition_factories.signed(db, target, "signer@example.org")
    emails = list(db.scalars(select(OutboxEmail).where(OutboxEmail.concerns == f"petition:{target.id}")))
    assert {e.to_address for e in emails} >= {"signer@example.org"}
    for email in emails:
        email.status = EmailStatus.SENT
    db.flush()
    petitions_anonymisation.anonymise_petition(db, target.id)
    assert not db.scalars(select(OutboxEmail).where(OutboxEmail.to_address == "signer@example.org")).all()


def test_the_daily_job_runs_the_retention_service(database, monkeypatch):
    monkeypatch.setattr(jobs, "_database", database)
    with database.transaction() as db:
        made, _qs, _ = _consultation_with_answers(db)
        _conclude(db, made)
    clock.advance(timedelta(days=731))
    assert retention_job.apply_retention.call_local()["consultations"] >= 1
    with database.transaction() as db:
        assert db.get(Consultation, made.id).answers_deleted_at is not None


def test_the_public_page_and_findings_lose_the_quotes_and_keep_the_figures(db, client):
    made, _qs, theme = _consultation_with_answers(db)
    consultations.publish_consultation(db, made)
    _conclude(db, made)
    page = client.get(f"/consultations/{made.id}/you-said-we-did")
    assert page.status_code == 200 and "They know my mum." in page.text

    clock.advance(timedelta(days=731))
    retention.run(db, SETTINGS)
    db.expire_all()
    page = client.get(f"/consultations/{made.id}/you-said-we-did")
    assert "They know my mum." not in page.text
    assert "Trust in carers" in page.text and "2 people" in page.text
    assert "deleted on schedule" in page.text
    view = evidence.current(db, EvidenceKind.THEME, theme.id)
    assert view.figures == {"answers": 2, "of": 2} and view.quotes == ("A forum post",)
    assert "deleted on schedule" in view.note  # what a finding citing the theme shows


def test_a_volunteer_who_leaves_is_erased_with_their_emails(db):
    from app.models.panel import PanelVolunteer
    from app.services.panels import pool as panels_pool
    from tests.services.test_panels import BASE, join_form, make_panel

    panel = make_panel(db)
    volunteer = panels_pool.join(db, panel, join_form(panel), base_url=BASE)
    volunteer_id, address = volunteer.id, volunteer.email
    for email in db.scalars(select(OutboxEmail).where(OutboxEmail.to_address == address)):
        email.status = EmailStatus.SENT
    db.flush()
    panels_pool.leave(db, volunteer)
    assert db.get(PanelVolunteer, volunteer_id) is None
    assert not db.scalars(select(OutboxEmail).where(OutboxEmail.to_address == address)).all()
