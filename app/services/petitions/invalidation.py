"""Bulk invalidation of signatures: preview first, run as a job, undo later. Nothing is deleted.

Each signature invalidated carries the invalidation's id, so undo restores exactly those
signatures (and never one invalidated by another run). The id stays after an undo, as history.
"""

import ipaddress
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Select, func, select, update
from sqlalchemy.orm import Session

from app.errors import Conflict, InvalidInput, NotFound
from app.i18n import _
from app.job_queue import enqueue_after_commit
from app.models.base import utcnow
from app.models.petition import InvalidationState, Petition, PetitionInvalidation, PetitionSignature
from app.models.user import User
from app.services import audit
from app.services.petitions.signing import parse_location

SAMPLE_SIZE = 20


@dataclass(frozen=True)
class Criteria:
    petition_id: int | None
    ip_address: str
    email_domain: str
    postcode: str
    created_from: datetime | None
    created_to: datetime | None


def clean_criteria(
    *,
    petition_id: int | None,
    ip_address: str,
    email_domain: str,
    postcode: str,
    created_from: datetime | None,
    created_to: datetime | None,
) -> Criteria:
    errors: dict[str, str] = {}
    ip_address = ip_address.strip()
    if ip_address:
        try:
            ip_address = str(ipaddress.ip_network(ip_address, strict=False))
        except ValueError:
            errors["ip_address"] = _("Enter an IP address like 203.0.113.7 or a network like 203.0.113.0/24")
    email_domain = email_domain.strip().lower().removeprefix("@")
    postcode = postcode.strip().upper().replace(" ", "")
    if postcode and (len(postcode) > 8 or not postcode.isalnum()):
        errors["postcode"] = _("Enter a postcode or the start of one, like RV1 or RV1 2AB")
    if created_from and created_to and created_from >= created_to:
        errors["created_to"] = _("The end of the time window must be after its start")
    if not (ip_address or email_domain or postcode) and not (petition_id and (created_from or created_to)):
        errors["ip_address"] = (
            _("Give an address, an email domain or a postcode, or choose a petition and a time window")
        )
    if errors:
        raise InvalidInput(errors)
    return Criteria(petition_id, ip_address, email_domain, postcode, created_from, created_to)


def _matching(criteria: PetitionInvalidation | Criteria) -> Select:
    query = select(PetitionSignature).where(PetitionSignature.invalidated_at.is_(None))
    if criteria.petition_id:
        query = query.where(PetitionSignature.petition_id == criteria.petition_id)
    if criteria.ip_address:
        query = query.where(_ip_condition(criteria.ip_address))
    if criteria.email_domain:
        query = query.where(PetitionSignature.email_domain == criteria.email_domain)
    if criteria.postcode:
        postcode, _ward = parse_location(criteria.postcode)
        query = query.where(
            PetitionSignature.postcode == postcode
            if postcode
            else PetitionSignature.postcode.startswith(criteria.postcode, autoescape=True)
        )
    if criteria.created_from:
        query = query.where(PetitionSignature.created_at >= criteria.created_from)
    if criteria.created_to:
        query = query.where(PetitionSignature.created_at < criteria.created_to)
    return query


def _ip_condition(value: str):
    network = ipaddress.ip_network(value, strict=False)
    if network.num_addresses == 1:
        return PetitionSignature.ip_address == str(network.network_address)
    if network.version == 4 and network.prefixlen in (8, 16, 24):
        octets = str(network.network_address).split(".")[: network.prefixlen // 8]
        return PetitionSignature.ip_address.startswith(".".join(octets) + ".")
    # Other networks: list the addresses (bounded) rather than pretend SQL understands CIDR.
    if network.num_addresses > 4096:
        raise InvalidInput(
            {"ip_address": _("Use a single address, or a /8, /16 or /24 network, or a smaller one")}
        )
    return PetitionSignature.ip_address.in_([str(a) for a in network])


def preview(db: Session, criteria: Criteria, *, reason: str, officer: User) -> PetitionInvalidation:
    """Record what would be invalidated and how many signatures match, without changing any."""
    if criteria.petition_id and db.get(Petition, criteria.petition_id) is None:
        raise InvalidInput({"petition_id": _("There is no petition with this number")})
    matched = db.scalar(select(func.count()).select_from(_matching(criteria).subquery())) or 0
    invalidation = PetitionInvalidation(
        petition_id=criteria.petition_id,
        ip_address=criteria.ip_address,
        email_domain=criteria.email_domain,
        postcode=criteria.postcode,
        created_from=criteria.created_from,
        created_to=criteria.created_to,
        reason=reason.strip()[:2000],
        matched_count=matched,
        created_by_id=officer.id,
    )
    db.add(invalidation)
    db.flush()
    return invalidation


def sample(db: Session, invalidation: PetitionInvalidation) -> list[PetitionSignature]:
    """Some of the signatures a previewed run would remove (or that a completed run removed)."""
    if invalidation.state == InvalidationState.PREVIEWED:
        query = _matching(invalidation)
    else:
        query = select(PetitionSignature).where(PetitionSignature.invalidation_id == invalidation.id)
    return list(db.scalars(query.order_by(PetitionSignature.id).limit(SAMPLE_SIZE)))


def get_invalidation(db: Session, invalidation_id: int) -> PetitionInvalidation:
    invalidation = db.get(PetitionInvalidation, invalidation_id)
    if invalidation is None:
        raise NotFound()
    return invalidation


def list_invalidations(db: Session, limit: int = 50) -> list[PetitionInvalidation]:
    return list(
        db.scalars(select(PetitionInvalidation).order_by(PetitionInvalidation.id.desc()).limit(limit))
    )


def start(db: Session, invalidation: PetitionInvalidation, officer: User) -> None:
    if invalidation.state != InvalidationState.PREVIEWED:
        raise Conflict(_("This invalidation has already been run."))
    invalidation.state = InvalidationState.QUEUED
    audit.record(
        db,
        actor_id=officer.id,
        action="petition_invalidation.run",
        object_type="petition_invalidation",
        object_id=invalidation.id,
        matched=invalidation.matched_count,
        reason=invalidation.reason,
    )
    enqueue_after_commit(db, "petitions.run_invalidation", invalidation.id)


def start_undo(db: Session, invalidation: PetitionInvalidation, officer: User) -> None:
    if invalidation.state != InvalidationState.COMPLETED:
        raise Conflict(_("Only a completed invalidation can be undone."))
    invalidation.state = InvalidationState.UNDOING
    invalidation.undone_by_id = officer.id
    audit.record(
        db,
        actor_id=officer.id,
        action="petition_invalidation.undo",
        object_type="petition_invalidation",
        object_id=invalidation.id,
    )
    enqueue_after_commit(db, "petitions.undo_invalidation", invalidation.id)


def run(db: Session, invalidation_id: int, now: datetime | None = None) -> int:
    """The job: invalidate what matches now (it may differ a little from the preview)."""
    invalidation = db.get(PetitionInvalidation, invalidation_id)
    if invalidation is None or invalidation.state != InvalidationState.QUEUED:
        return 0
    now = now or utcnow()
    ids = _matching(invalidation).with_only_columns(PetitionSignature.id).scalar_subquery()
    result = db.execute(
        update(PetitionSignature)
        .where(PetitionSignature.id.in_(ids))
        .values(invalidated_at=now, invalidation_id=invalidation.id)
        .execution_options(synchronize_session=False)
    )
    invalidation.invalidated_count = result.rowcount or 0
    invalidation.state = InvalidationState.COMPLETED
    invalidation.completed_at = now
    return invalidation.invalidated_count


def undo(db: Session, invalidation_id: int, now: datetime | None = None) -> int:
    invalidation = db.get(PetitionInvalidation, invalidation_id)
    if invalidation is None or invalidation.state != InvalidationState.UNDOING:
        return 0
    result = db.execute(
        update(PetitionSignature)
        .where(
            PetitionSignature.invalidation_id == invalidation.id,
            PetitionSignature.invalidated_at.is_not(None),
        )
        .values(invalidated_at=None)
        .execution_options(synchronize_session=False)
    )
    invalidation.state = InvalidationState.UNDONE
    invalidation.undone_at = now or utcnow()
    return result.rowcount or 0
