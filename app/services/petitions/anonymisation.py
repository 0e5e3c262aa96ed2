"""Signers' names, emails and addresses are removed a configurable time after a petition finishes.

Counts survive (the rows stay, confirmed or not), and so does the outward part of the postcode
and the ward, for area statistics; nothing that identifies a person is kept.
"""

from datetime import datetime, timedelta

from sqlalchemy import case, func, or_, select, update
from sqlalchemy.orm import Session

from app.models.base import utcnow
from app.models.petition import Petition, PetitionSignature, PetitionState
from app.services import audit
from app.services import email as outbox
from app.services.petitions import current_settings


def due_for_anonymisation(db: Session, now: datetime) -> list[int]:
    cutoff = now - timedelta(days=current_settings(db).anonymise_after_days)
    return list(
        db.scalars(
            select(Petition.id)
            .where(
                Petition.anonymised_at.is_(None),
                or_(
                    (Petition.state == PetitionState.CLOSED) & (Petition.closed_at <= cutoff),
                    Petition.state.in_([PetitionState.REJECTED, PetitionState.HIDDEN])
                    & (Petition.moderated_at <= cutoff),
                ),
            )
            .order_by(Petition.id)
        )
    )


def anonymise_petition(db: Session, petition_id: int, now: datetime | None = None) -> int:
    now = now or utcnow()
    outward = case(
        (
            func.length(PetitionSignature.postcode) > 3,
            func.substr(PetitionSignature.postcode, 1, func.length(PetitionSignature.postcode) - 3),
        ),
        else_=PetitionSignature.postcode,
    )
    result = db.execute(
        update(PetitionSignature)
        .where(PetitionSignature.petition_id == petition_id, PetitionSignature.anonymised_at.is_(None))
        .values(
            name=None,
            email=None,
            normalised_email=None,
            ip_address=None,
            token_hash=None,
            postcode=outward,
            anonymised_at=now,
        )
        .execution_options(synchronize_session=False)
    )
    db.execute(
        update(Petition)
        .where(Petition.id == petition_id)
        .values(anonymised_at=now)
        .execution_options(synchronize_session=False)
    )
    emails = outbox.purge_concerning(db, f"petition:{petition_id}")  # never kept past the signatures
    audit.record(
        db,
        actor_id=None,
        action="petition.anonymise",
        object_type="petition",
        object_id=petition_id,
        signatures=result.rowcount or 0,
        emails=emails,
    )
    return result.rowcount or 0


def anonymise_due(db: Session, now: datetime | None = None) -> int:
    """Anonymise every petition that finished long enough ago; return how many petitions."""
    now = now or utcnow()
    petition_ids = due_for_anonymisation(db, now)
    for petition_id in petition_ids:
        anonymise_petition(db, petition_id, now)
    return len(petition_ids)
