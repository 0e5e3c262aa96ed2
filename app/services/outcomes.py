"""'You said, we did': what a published consultation shows residents, and who is told about it."""

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from app.errors import Conflict, InvalidInput, NotFound
from app.models.base import utcnow
from app.models.consultation import Consultation, ConsultationState, Question, RespondentType
from app.models.consultation_response import Response
from app.models.finding import ConsultationOutcome, Finding, FindingStatus, ResultsSubscriber
from app.models.user import User
from app.services import audit, review_access, themes_summary
from app.services.accounts import check_email
from app.services.email import queue_email

MAX_TEXT = 8000


@dataclass(frozen=True)
class PublicResults:
    consultation: Consultation
    responses: int
    by_type: list[tuple[str, int]]
    questions: list[tuple[Question, themes_summary.Summary]]
    findings: list[Finding]
    outcome: ConsultationOutcome | None


def published(db: Session, consultation_id: int) -> Consultation:
    consultation = db.get(Consultation, consultation_id)
    if consultation is None or consultation.state != ConsultationState.PUBLISHED:
        raise NotFound()
    return consultation


def public_results(db: Session, consultation: Consultation) -> PublicResults:
    """Only aggregates, approved themes and scrubbed quotes: never equalities data, never names."""
    counts = db.execute(
        select(Response.respondent_type, func.count())
        .where(Response.consultation_id == consultation.id)
        .group_by(Response.respondent_type)
    ).all()
    by_type = sorted(((RespondentType(t).label, n) for t, n in counts), key=lambda row: -row[1])
    text_questions = [
        q
        for q in db.scalars(
            select(Question)
            .where(Question.consultation_id == consultation.id)
            .order_by(Question.page, Question.position)
        )
        if q.kind.is_text
    ]
    summaries = [(q, themes_summary.summarise(db, q, approved_only=True)) for q in text_questions]
    outcome = outcome_for(db, consultation.id)
    finding_ids = (outcome.finding_ids or []) if outcome else []
    chosen = list(
        db.scalars(
            select(Finding).where(Finding.id.in_(finding_ids), Finding.status == FindingStatus.PUBLISHED)
        )
    )
    return PublicResults(
        consultation,
        sum(n for _, n in by_type),
        by_type,
        [(q, s) for q, s in summaries if s.themes],
        chosen,
        outcome,
    )


def outcome_for(db: Session, consultation_id: int) -> ConsultationOutcome | None:
    return db.scalar(
        select(ConsultationOutcome).where(ConsultationOutcome.consultation_id == consultation_id)
    )


def save_outcome(
    db: Session,
    consultation: Consultation,
    *,
    decision: str,
    what_happened: str,
    finding_ids: list[int],
    officer: User,
) -> ConsultationOutcome:
    review_access.require_staff(officer)
    decision, what_happened = decision.strip(), what_happened.strip()
    errors = {}
    if len(decision) > MAX_TEXT:
        errors["decision"] = f"The decision must be {MAX_TEXT:,} characters or fewer"
    if len(what_happened) > MAX_TEXT:
        errors["what_happened"] = f"What happened must be {MAX_TEXT:,} characters or fewer"
    valid = set(
        db.scalars(
            select(Finding.id).where(Finding.review_id == consultation.review_id, Finding.id.in_(finding_ids))
        )
    )
    if set(finding_ids) - valid:
        errors["findings"] = "Choose findings of this consultation's review"
    if errors:
        raise InvalidInput(errors)
    outcome = outcome_for(db, consultation.id) or ConsultationOutcome(consultation_id=consultation.id)
    outcome.decision, outcome.what_happened = decision, what_happened
    outcome.finding_ids, outcome.updated_at = sorted(valid), utcnow()
    db.add(outcome)
    db.flush()
    audit.record(
        db,
        actor_id=officer.id,
        action="consultation.outcome",
        object_type="consultation",
        object_id=consultation.id,
    )
    return outcome


def subscribe(db: Session, consultation: Consultation, email: str) -> None:
    """Ask to hear when results are published; asking twice is the same as asking once."""
    if consultation.state == ConsultationState.DRAFT:
        raise NotFound()
    address = check_email(email)
    insert = pg_insert if db.get_bind().dialect.name == "postgresql" else sqlite_insert
    db.execute(
        insert(ResultsSubscriber)
        .values(consultation_id=consultation.id, email=address, created_at=utcnow())
        .on_conflict_do_nothing(index_elements=["consultation_id", "email"])
    )


def notify_subscribers(db: Session, consultation: Consultation, base_url: str) -> int:
    """Email everyone who opted in, once each, when the results are published."""
    if consultation.state != ConsultationState.PUBLISHED:
        raise Conflict("Publish the consultation before telling people about its results.")
    pending = list(
        db.scalars(
            select(ResultsSubscriber).where(
                ResultsSubscriber.consultation_id == consultation.id, ResultsSubscriber.notified_at.is_(None)
            )
        )
    )
    link = f"{base_url}/consultations/{consultation.id}/you-said-we-did"
    for subscriber in pending:
        queue_email(
            db,
            to=subscriber.email,
            subject=f"Results published: {consultation.title}",
            body=(
                f"You asked us to tell you when the results of “{consultation.title}” "
                f"were published.\n\nSee what people said and what the council decided:\n"
                f"{link}\n"
            ),
            concerns=f"consultation:{consultation.id}",
        )
        subscriber.notified_at = utcnow()
    return len(pending)
