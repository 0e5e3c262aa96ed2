"""Thresholds: supporters → awaiting moderation; response and debate thresholds → obligations.

Runs in the job path after a confirmation commits (never in the signing request): a slow mail
server or 20,000 notification emails never slow anyone down. Each crossing is recorded with a
conditional UPDATE, so two jobs racing on the same petition notify people exactly once.
"""

from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from app.models.base import utcnow
from app.models.petition import Petition, PetitionSignature, PetitionState
from app.models.user import Role, User
from app.services import audit
from app.services.email import queue_email
from app.services.petitions import counted, current_settings, signature_count, supporter_count


def check_thresholds(
    db: Session, petition_id: int, *, base_url: str, now: datetime | None = None
) -> list[str]:
    """Move the petition on if a threshold is crossed; return the crossings (for logs and tests)."""
    now = now or utcnow()
    petition = db.get(Petition, petition_id)
    if petition is None:
        return []
    settings = current_settings(db)
    crossed: list[str] = []
    if petition.state == PetitionState.VALIDATED:
        if supporter_count(db, petition_id) >= settings.supporters_needed and _mark(
            db,
            petition_id,
            Petition.sponsored_at,
            now,
            state_from=PetitionState.VALIDATED,
            state_to=PetitionState.SPONSORED,
        ):
            crossed.append("sponsored")
            _notify_officers(
                db,
                petition,
                base_url,
                "awaits moderation",
                "has enough supporters and is waiting to be checked and published",
            )
            db.refresh(petition)
        return crossed
    if petition.state != PetitionState.OPEN:
        return crossed
    count = signature_count(db, petition_id)
    if count >= settings.response_threshold and _mark(
        db, petition_id, Petition.response_threshold_reached_at, now
    ):
        crossed.append("response")
        _notify_officers(
            db,
            petition,
            base_url,
            f"has reached {settings.response_threshold:,} signatures",
            f"has {count:,} signatures: the council must respond in writing",
        )
        notify_signers(
            db,
            petition,
            base_url,
            subject=f"“{petition.title}” will get a council response",
            message=(
                f"The petition you signed has reached {settings.response_threshold:,} "
                "signatures, so the council will respond in writing. We will email you "
                "when it does."
            ),
        )
    if count >= settings.debate_threshold and _mark(
        db, petition_id, Petition.debate_threshold_reached_at, now
    ):
        crossed.append("debate")
        _notify_officers(
            db,
            petition,
            base_url,
            f"has reached {settings.debate_threshold:,} signatures",
            f"has {count:,} signatures: it must be debated at full council",
        )
        notify_signers(
            db,
            petition,
            base_url,
            subject=f"“{petition.title}” will be debated at full council",
            message=(
                f"The petition you signed has reached {settings.debate_threshold:,} "
                "signatures, so it will be debated at a meeting of the full council. "
                "We will email you with the outcome."
            ),
        )
    if crossed:
        db.refresh(petition)
    return crossed


def _mark(db: Session, petition_id: int, column, now: datetime, *, state_from=None, state_to=None) -> bool:
    """Set a reached-at column once (and change state); False if another job got there first."""
    statement = update(Petition).where(Petition.id == petition_id, column.is_(None))
    values = {column.key: now}
    if state_from is not None:
        statement = statement.where(Petition.state == state_from)
        values["state"] = state_to
    result = db.execute(statement.values(**values).execution_options(synchronize_session=False))
    if result.rowcount:
        audit.record(
            db,
            actor_id=None,
            action=f"petition.threshold.{column.key}",
            object_type="petition",
            object_id=petition_id,
        )
    return bool(result.rowcount)


def officers_to_notify(db: Session, petition: Petition) -> list[User]:
    """The petition's own officer when one is assigned; otherwise every active officer and admin."""
    if petition.officer_id is not None:
        officer = db.get(User, petition.officer_id)
        if officer is not None and officer.is_active:
            return [officer]
    return list(
        db.scalars(
            select(User)
            .where(User.role.in_([Role.OFFICER, Role.ADMIN]), User.is_active.is_(True))
            .order_by(User.id)
        )
    )


def _notify_officers(db: Session, petition: Petition, base_url: str, headline: str, detail: str) -> None:
    for officer in officers_to_notify(db, petition):
        queue_email(
            db,
            to=officer.email,
            subject=f"Petition {headline}: “{petition.title}”",
            body=(
                f"Dear {officer.display_name},\n\nThe petition “{petition.title}” {detail}.\n\n"
                f"{base_url}/officer/petitions/{petition.id}\n"
            ),
        )


def notify_signers(db: Session, petition: Petition, base_url: str, *, subject: str, message: str) -> int:
    """Email every counted signer who asked to hear about this petition; return how many."""
    rows = db.execute(
        select(PetitionSignature.email, PetitionSignature.name)
        .where(
            PetitionSignature.petition_id == petition.id,
            counted(),
            PetitionSignature.notify_by_email.is_(True),
            PetitionSignature.email.is_not(None),
        )
        .order_by(PetitionSignature.id)
    ).all()
    for email, name in rows:
        queue_email(
            db,
            to=email,
            subject=subject,
            body=(
                f"Dear {name},\n\n{message}\n\n{base_url}/petitions/{petition.id}\n\n"
                "You get this email because you asked to hear about this petition when you signed it.\n"
            ),
            concerns=f"petition:{petition.id}",
        )
    return len(rows)
