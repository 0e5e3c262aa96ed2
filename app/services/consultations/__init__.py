"""Consultations: what residents may see, and the officer's verbs that move one through its states.

draft → open → closed → published. Each transition checks the current state (Conflict otherwise)
and is audited. Questions are changed only while the consultation is a draft.
"""

from datetime import datetime

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session, selectinload

from app.errors import Conflict, InvalidInput, NotFound
from app.i18n import N_, _
from app.models.base import utcnow
from app.models.consultation import Audience, Consultation, ConsultationState, Question
from app.models.consultation_response import Draft, Response
from app.models.review import Review
from app.services import audit
from app.services.consultations.rules import clean_text

PUBLIC_STATES = (ConsultationState.OPEN, ConsultationState.CLOSED, ConsultationState.PUBLISHED)


def _with_details(statement):
    return statement.options(
        selectinload(Consultation.questions), selectinload(Consultation.questionnaires),
        selectinload(Consultation.documents), selectinload(Consultation.review),
    )


def visible_consultations():
    """Every public list or page starts here: drafts are never shown to residents."""
    return select(Consultation).where(Consultation.state.in_(PUBLIC_STATES))


def open_consultations(db: Session) -> list[Consultation]:
    now = utcnow()
    statement = visible_consultations().where(
        Consultation.state == ConsultationState.OPEN,
        (Consultation.closes_at.is_(None)) | (Consultation.closes_at > now),
    ).options(selectinload(Consultation.review)).order_by(Consultation.closes_at, Consultation.id)
    return list(db.scalars(statement))


def public_consultation(db: Session, consultation_id: int) -> Consultation:
    consultation = db.scalar(_with_details(visible_consultations().where(Consultation.id == consultation_id)))
    if consultation is None:
        raise NotFound()
    return consultation


def published_consultation(db: Session, consultation_id: int) -> Consultation:
    consultation = db.scalar(_with_details(visible_consultations().where(
        Consultation.id == consultation_id, Consultation.state == ConsultationState.PUBLISHED)))
    if consultation is None:
        raise NotFound(_("No published results for that consultation."))
    return consultation


def get_consultation(db: Session, consultation_id: int) -> Consultation:
    """For officers: any state, with its questions, questionnaires and documents."""
    consultation = db.scalar(_with_details(select(Consultation).where(Consultation.id == consultation_id)))
    if consultation is None:
        raise NotFound()
    return consultation


def is_accepting(consultation: Consultation, now: datetime | None = None) -> bool:
    now = now or utcnow()
    return consultation.is_open and (
        consultation.closes_at is None or now < consultation.closes_at
    )


def list_for_officers(db: Session) -> list[tuple[Consultation, int]]:
    counts = (select(Response.consultation_id, func.count().label("n"))
              .group_by(Response.consultation_id).subquery())
    statement = (select(Consultation, func.coalesce(counts.c.n, 0))
                 .outerjoin(counts, counts.c.consultation_id == Consultation.id)
                 .options(selectinload(Consultation.review))
                 .order_by(Consultation.created_at.desc(), Consultation.id.desc()))
    return [(c, n) for c, n in db.execute(statement)]


def response_count(db: Session, consultation_id: int) -> int:
    return db.scalar(select(func.count()).where(Response.consultation_id == consultation_id)) or 0


def _check_details(title: str, summary: str, confidentiality: str) -> dict[str, str]:
    errors = {}
    if not title:
        errors["title"] = _("Enter a title")
    elif len(title) > 200:
        errors["title"] = _("Title must be 200 characters or fewer")
    if len(summary) > 10_000:
        errors["summary"] = _("Summary must be 10,000 characters or fewer")
    if not confidentiality:
        errors["confidentiality"] = _("Say in plain English what is kept, for how long and who sees it")
    return errors


def create_consultation(db: Session, *, review_id: int | None, title: str, summary: str = "",
                        audience: Audience = Audience.ANYONE, actor_id: int | None = None,
                        **details) -> Consultation:
    """`review_id` None makes a stand-alone consultation (its owner, officers and admins manage it)."""
    if review_id is not None and db.get(Review, review_id) is None:
        raise InvalidInput({"review_id": _("Choose the review this consultation belongs to, or none")})
    title, summary = clean_text(title), clean_text(summary)
    errors = _check_details(title, summary, "-")
    if errors:
        raise InvalidInput(errors)
    consultation = Consultation(review_id=review_id, title=title, summary=summary, audience=audience,
                                created_by_id=actor_id, **details)
    db.add(consultation)
    db.flush()
    audit.record(db, actor_id=actor_id, action="consultation.create", object_type="consultation",
                 object_id=consultation.id, title=title)
    return consultation


def update_details(db: Session, consultation: Consultation, *, title: str, summary: str,
                   confidentiality: str, audience: Audience, opens_at: datetime | None,
                   closes_at: datetime | None, about_you_enabled: bool, you_said_we_did: str = "",
                   actor_id: int | None = None) -> Consultation:
    title, summary, confidentiality = clean_text(title), clean_text(summary), clean_text(confidentiality)
    errors = _check_details(title, summary, confidentiality)
    if opens_at and closes_at and closes_at <= opens_at:
        errors["closes_at"] = _("The closing date must be after the opening date")
    if errors:
        raise InvalidInput(errors)
    if not consultation.is_draft and audience != consultation.audience:
        raise InvalidInput({"audience": _("The audience can only change while the consultation is a draft")})
    consultation.title, consultation.summary = title, summary
    consultation.confidentiality, consultation.audience = confidentiality, audience
    consultation.opens_at, consultation.closes_at = opens_at, closes_at
    consultation.about_you_enabled = about_you_enabled
    consultation.you_said_we_did = clean_text(you_said_we_did)[:20_000]
    audit.record(db, actor_id=actor_id, action="consultation.update", object_type="consultation",
                 object_id=consultation.id)
    return consultation


REFUSED_TRANSITIONS = {
    "opened": N_("Only a draft consultation can be opened."),
    "closed": N_("Only an open consultation can be closed."),
    "published": N_("Only a closed consultation can have its results published."),
}


def _transition(db, consultation, *, expected, to, action, actor_id):
    if consultation.state != expected:
        raise Conflict(_(REFUSED_TRANSITIONS[action]))
    consultation.state = to
    audit.record(db, actor_id=actor_id, action=f"consultation.{action}", object_type="consultation",
                 object_id=consultation.id)


def open_consultation(db: Session, consultation: Consultation, *, actor_id: int | None = None) -> None:
    questions = db.scalar(select(func.count()).where(Question.consultation_id == consultation.id))
    if consultation.is_draft and not questions:
        raise Conflict(_("Add at least one question before opening the consultation."))
    now = utcnow()
    closes_at = consultation.closes_at
    if consultation.is_draft and closes_at and closes_at <= now:
        raise Conflict(_("The closing date has passed: set a later one before opening."))
    _transition(db, consultation, expected=ConsultationState.DRAFT, to=ConsultationState.OPEN,
                action="opened", actor_id=actor_id)
    consultation.opens_at = now if consultation.opens_at is None or consultation.opens_at > now \
        else consultation.opens_at


def close_consultation(db: Session, consultation: Consultation, *, actor_id: int | None = None) -> None:
    _transition(db, consultation, expected=ConsultationState.OPEN, to=ConsultationState.CLOSED,
                action="closed", actor_id=actor_id)
    now = utcnow()
    if consultation.closes_at is None or consultation.closes_at > now:
        consultation.closes_at = now
    delete_drafts(db, consultation.id)


def publish_consultation(db: Session, consultation: Consultation, *, actor_id: int | None = None) -> None:
    _transition(db, consultation, expected=ConsultationState.CLOSED, to=ConsultationState.PUBLISHED,
                action="published", actor_id=actor_id)


def delete_drafts(db: Session, consultation_id: int) -> int:
    result = db.execute(delete(Draft).where(Draft.consultation_id == consultation_id))
    return result.rowcount or 0


def close_due_consultations(db: Session) -> list[int]:
    """Close every open consultation past its closing date and delete abandoned drafts."""
    now = utcnow()
    due = list(db.scalars(select(Consultation).where(
        Consultation.state == ConsultationState.OPEN, Consultation.closes_at <= now)))
    for consultation in due:
        close_consultation(db, consultation)
    finished = select(Consultation.id).where(Consultation.state != ConsultationState.OPEN)
    db.execute(delete(Draft).where(Draft.consultation_id.in_(finished)))
    return [c.id for c in due]
