"""Retention, kept by a daily job (jobs/retention.py): what residents are promised is deleted, is.

- Answers: ANSWERS are irreversibly anonymised `response_retention_days` after their review
  concludes, or after a stand-alone consultation closes. Counts, charts and theme sizes stay (the
  response rows, chosen options, numbers and theme assignments are kept); every free-text answer is
  blanked, its quotes leave every theme (and so every finding and public page, which read themes
  live), equalities answers, drafts, references, invitation links and who typed a paper response in
  are removed. `Consultation.answers_deleted_at` records it; findings say so.
- Results subscribers: deleted once they have been told (the sign-up promises it).
- Outbox: a sent or failed email loses its row after `outbox_retention_days`, and at once when the
  thing it concerns (`OutboxEmail.concerns`) is anonymised.

"Now" is `utcnow()`, the one settable clock (app/clock.py), so tests move past a period.
"""

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import and_, delete, or_, select, update
from sqlalchemy.orm import Session

from app.config import Settings
from app.i18n import ngettext
from app.models.analysis import Theme
from app.models.base import utcnow
from app.models.consultation import Consultation, ConsultationState, Question
from app.models.consultation_response import Answer, Draft, EqualitiesAnswer, Response
from app.models.finding import ResultsSubscriber
from app.models.review import Review
from app.services import audit
from app.services.email import purge_concerning, purge_outbox
from app.services.petitions.email_addresses import normalise_email


@dataclass(frozen=True)
class Periods:
    """The periods the job uses and the privacy notice states: one source for both."""

    response_days: int
    outbox_days: int

    @classmethod
    def of(cls, settings: Settings) -> "Periods":
        return cls(settings.response_retention_days, settings.outbox_retention_days)

    @property
    def response_wording(self) -> str:
        return _duration(self.response_days)

    @property
    def outbox_wording(self) -> str:
        return _duration(self.outbox_days)


def _duration(days: int) -> str:
    """In the reader's language: the privacy notice and the consultation pages print it."""
    if days and days % 365 == 0:
        years = days // 365
        return ngettext("%(num)s year", "%(num)s years", years) % {"num": years}
    return ngettext("%(num)s day", "%(num)s days", days) % {"num": days}


@dataclass(frozen=True)
class Report:
    consultations: int
    responses: int
    subscribers: int
    emails: int


def consultations_due(db: Session, now: datetime, days: int) -> list[int]:
    cutoff = now - timedelta(days=days)
    return list(db.scalars(
        select(Consultation.id)
        .outerjoin(Review, Consultation.review_id == Review.id)
        .where(
            Consultation.answers_deleted_at.is_(None),
            or_(
                and_(Consultation.review_id.is_not(None), Review.concluded_at <= cutoff),
                and_(Consultation.review_id.is_(None),
                     Consultation.state.in_([ConsultationState.CLOSED, ConsultationState.PUBLISHED]),
                     Consultation.closes_at <= cutoff),
            ),
        )
        .order_by(Consultation.id)
    ))


def anonymise_answers(db: Session, consultation_id: int, now: datetime | None = None) -> int:
    """Irreversibly anonymise one consultation's answers; return how many responses."""
    now = now or utcnow()
    responses = select(Response.id).where(Response.consultation_id == consultation_id).scalar_subquery()
    question_ids = list(db.scalars(select(Question.id).where(Question.consultation_id == consultation_id)))
    db.execute(update(Answer).where(Answer.response_id.in_(responses), Answer.value_text != "")
               .values(value_text="").execution_options(synchronize_session=False))
    db.execute(delete(EqualitiesAnswer).where(EqualitiesAnswer.response_id.in_(responses))
               .execution_options(synchronize_session=False))
    db.execute(delete(Draft).where(Draft.consultation_id == consultation_id))
    ids = list(db.scalars(select(Response.id).where(Response.consultation_id == consultation_id)))
    for response_id in ids:  # references and keys could be matched to a receipt or a request log
        db.execute(update(Response).where(Response.id == response_id).values(
            reference=f"X{secrets.token_hex(9)}", idempotency_key=secrets.token_hex(32),
            invitation_id=None, entered_by_id=None,
        ).execution_options(synchronize_session=False))
    _drop_answer_quotes(db, question_ids)
    db.execute(update(Consultation).where(Consultation.id == consultation_id)
               .values(answers_deleted_at=now).execution_options(synchronize_session=False))
    purge_concerning(db, f"consultation:{consultation_id}")
    audit.record(db, actor_id=None, action="consultation.answers_deleted", object_type="consultation",
                 object_id=consultation_id, responses=len(ids))
    return len(ids)


def _drop_answer_quotes(db: Session, question_ids: list[int]) -> None:
    """Quotes of answers leave every theme; a description (a central answer) goes with them."""
    if not question_ids:
        return
    for theme in db.scalars(select(Theme).where(Theme.question_id.in_(question_ids))):
        kept = [q for q in theme.quotes or [] if q.get("source", "answer") != "answer"]
        if len(kept) != len(theme.quotes or []):
            theme.quotes = kept
        if theme.description:
            theme.description = ""


def address_digest(email: str) -> str:
    """SHA-256 of the normalised address: what the audit keeps instead of the address."""
    return hashlib.sha256(normalise_email(email).encode()).hexdigest()


def delete_notified_subscribers(db: Session) -> int:
    """Each deletion is audited with the address hashed, so subject access can show it happened."""
    told = db.execute(select(ResultsSubscriber.id, ResultsSubscriber.email, ResultsSubscriber.consultation_id)
                      .where(ResultsSubscriber.notified_at.is_not(None))).all()
    for _id, email, consultation_id in told:
        audit.record(db, actor_id=None, action="results_subscriber.deleted", object_type="consultation",
                     object_id=consultation_id, address_sha256=address_digest(email))
    if told:
        db.execute(delete(ResultsSubscriber).where(ResultsSubscriber.id.in_([row.id for row in told])))
    return len(told)


def run(db: Session, settings: Settings, now: datetime | None = None) -> Report:
    """Everything due today, in one transaction (the job runs it daily; running it twice is harmless)."""
    now = now or utcnow()
    periods = Periods.of(settings)
    due = consultations_due(db, now, periods.response_days)
    responses = sum(anonymise_answers(db, consultation_id, now) for consultation_id in due)
    subscribers = delete_notified_subscribers(db)
    emails = purge_outbox(db, now, periods.outbox_days)
    if due or subscribers or emails:
        audit.record(db, actor_id=None, action="retention.run", object_type="site", object_id=None,
                     consultations=len(due), responses=responses, subscribers=subscribers, emails=emails)
    return Report(len(due), responses, subscribers, emails)
