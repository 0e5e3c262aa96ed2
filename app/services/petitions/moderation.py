"""Officers' decisions on petitions: publish, reject, mark as duplicate, respond, record a debate.

Every decision is a domain verb that checks the state it starts from and records who, when and
why in the audit log; the creator (and, for answers, the opted-in signers) hear by email.
"""

from datetime import datetime, timedelta

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from app.errors import Conflict, InvalidInput
from app.i18n import N_, _
from app.job_queue import enqueue_after_commit
from app.models.audit import AuditEvent
from app.models.base import utcnow
from app.models.petition import (
    PUBLISHABLE,
    PUBLISHED,
    REJECTABLE,
    Petition,
    PetitionSignature,
    PetitionState,
    RejectionCode,
)
from app.models.user import User
from app.services import audit
from app.services.email import queue_email
from app.services.petitions import current_settings

TEXT_MAX = 10_000


def moderation_queue(db: Session) -> list[Petition]:
    return list(
        db.scalars(
            select(Petition)
            .where(Petition.state.in_(PUBLISHABLE))
            .order_by(Petition.sponsored_at, Petition.id)
        )
    )


def queue_length(db: Session) -> int:
    return db.scalar(select(func.count()).select_from(Petition).where(Petition.state.in_(PUBLISHABLE))) or 0


def petitions_by_state(db: Session, state: PetitionState, limit: int = 100) -> list[Petition]:
    return list(
        db.scalars(select(Petition).where(Petition.state == state).order_by(Petition.id.desc()).limit(limit))
    )


def decisions(db: Session, petition_id: int) -> list[AuditEvent]:
    return list(
        db.scalars(
            select(AuditEvent)
            .where(AuditEvent.object_type == "petition", AuditEvent.object_id == petition_id)
            .order_by(AuditEvent.id)
        )
    )


def publish(
    db: Session, petition: Petition, officer: User, *, base_url: str, now: datetime | None = None
) -> None:
    _require(petition, PUBLISHABLE, N_("Only a petition awaiting moderation can be published."))
    now = now or utcnow()
    settings = current_settings(db)
    petition.state = PetitionState.OPEN
    petition.moderated_at = petition.opened_at = now
    petition.moderated_by_id = officer.id
    petition.officer_id = petition.officer_id or officer.id
    petition.closes_at = now + timedelta(days=settings.duration_days)
    _record(db, petition, officer, "petition.publish")
    _email_creator(db, petition, "petition_published", link=f"{base_url}/petitions/{petition.id}")


def reject(
    db: Session,
    petition: Petition,
    officer: User,
    *,
    code: RejectionCode,
    text: str,
    duplicate_of: Petition | None = None,
    base_url: str,
    now: datetime | None = None,
) -> None:
    _require(petition, REJECTABLE, N_("This petition cannot be rejected now."))
    text = text.strip()
    if len(text) > TEXT_MAX:
        raise InvalidInput({"rejection_text": _("Reason must be {limit} characters or fewer").format(
            limit=f"{TEXT_MAX:,}")})
    if code == RejectionCode.OTHER and not text:
        raise InvalidInput({"rejection_text": _("Explain why the petition is rejected")})
    if code == RejectionCode.DUPLICATE:
        if duplicate_of is None or duplicate_of.id == petition.id or duplicate_of.state not in PUBLISHED:
            raise InvalidInput({"duplicate_of": _("Choose the published petition this one duplicates")})
        petition.duplicate_of_id = duplicate_of.id
    now = now or utcnow()
    petition.state = PetitionState.HIDDEN if code.hides else PetitionState.REJECTED
    petition.rejection_code = code
    petition.rejection_text = text
    petition.moderated_at = now
    petition.moderated_by_id = officer.id
    petition.closed_at = petition.closed_at or now
    _record(
        db,
        petition,
        officer,
        "petition.reject",
        code=code.value,
        text=text,
        duplicate_of=duplicate_of.id if duplicate_of else None,
    )
    _email_creator(
        db,
        petition,
        "petition_not_published",
        reason_label=code.label,
        reason=text or code.explanation,
        duplicate_link=f"{base_url}/petitions/{duplicate_of.id}" if duplicate_of else None,
    )


def respond(
    db: Session, petition: Petition, officer: User, *, text: str, base_url: str, now: datetime | None = None
) -> None:
    _require(petition, PUBLISHED, N_("Only a published petition can have a council response."))
    text = _required_text(text, "response_text", N_("Write the council's response"))
    petition.response_text = text
    petition.responded_at = now or utcnow()
    _record(db, petition, officer, "petition.respond")
    enqueue_after_commit(db, "petitions.notify_signers_of_answer", petition.id, "response")


def record_debate(
    db: Session,
    petition: Petition,
    officer: User,
    *,
    outcome: str,
    base_url: str,
    now: datetime | None = None,
) -> None:
    _require(petition, PUBLISHED, N_("Only a published petition can be debated."))
    outcome = _required_text(outcome, "debate_outcome", N_("Write what the full council decided"))
    petition.debate_outcome = outcome
    petition.debated_at = now or utcnow()
    _record(db, petition, officer, "petition.debate")
    enqueue_after_commit(db, "petitions.notify_signers_of_answer", petition.id, "debate")


def close_expired(db: Session, now: datetime | None = None) -> int:
    """Close open petitions whose time is up (a periodic job)."""
    now = now or utcnow()
    result = db.execute(
        update(Petition)
        .where(Petition.state == PetitionState.OPEN, Petition.closes_at <= now)
        .values(state=PetitionState.CLOSED, closed_at=now)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount or 0


def _require(petition: Petition, states: frozenset, message: str) -> None:
    if petition.state not in states:
        raise Conflict(_(message))


def _required_text(text: str, field: str, message: str) -> str:
    text = text.strip()
    if not text:
        raise InvalidInput({field: _(message)})
    if len(text) > TEXT_MAX:
        raise InvalidInput(
            {field: _("This must be {limit} characters or fewer").format(limit=f"{TEXT_MAX:,}")})
    return text


def _record(db: Session, petition: Petition, officer: User, action: str, **detail) -> None:
    audit.record(
        db,
        actor_id=officer.id,
        action=action,
        object_type="petition",
        object_id=petition.id,
        officer=officer.display_name,
        **detail,
    )


def _email_creator(db: Session, petition: Petition, template: str, **context) -> None:
    creator = db.execute(
        select(PetitionSignature.email, PetitionSignature.name, PetitionSignature.language).where(
            PetitionSignature.petition_id == petition.id, PetitionSignature.is_creator.is_(True)
        )
    ).first()
    if creator is None or creator.email is None:
        return
    queue_email(
        db,
        template,
        to=creator.email,
        concerns=f"petition:{petition.id}",
        language=creator.language,  # the creator's, not the moderating officer's page language
        name=creator.name,
        title=petition.title,
        **context,
    )
