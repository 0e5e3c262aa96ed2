"""Petitions: the council's rules, what residents may see, counts, search and starting a petition.

Signing lives in petitions_signing, moderation in petitions_moderation, thresholds in
petitions_thresholds, bulk invalidation in petitions_invalidation, anonymisation in
petitions_anonymisation, address rules in petitions_rules, email keys in petitions_email.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import Session, joinedload

from app.caching import PetitionCaches, new_petition_caches
from app.errors import NotFound
from app.i18n import N_
from app.models.petition import (
    PUBLIC_STATUS_LABELS,
    UNMODERATED,
    VISIBLE,
    Petition,
    PetitionSettings,
    PetitionSignature,
    PetitionState,
)
from app.services import audit

SETTINGS_ROW_ID = 1

# Resident-facing filters: name -> (label, condition on a visible petition).
FILTERS: dict[str, tuple[str, Any]] = {
    # Open: still signable and not yet past a council response, which have filters of their own.
    "open": (N_("Open"), (Petition.state == PetitionState.OPEN)
             & Petition.response_threshold_reached_at.is_(None) & Petition.responded_at.is_(None)),
    "awaiting_response": (
        N_("Awaiting a council response"),
        (Petition.response_threshold_reached_at.is_not(None))
        & Petition.responded_at.is_(None)
        & Petition.state.in_([PetitionState.OPEN, PetitionState.CLOSED]),
    ),
    "responded": (N_("Council responded"), Petition.responded_at.is_not(None)),
    "debated": (N_("Debated"), Petition.debated_at.is_not(None)),
    "closed": (N_("Closed"), Petition.state == PetitionState.CLOSED),
    "rejected": (N_("Rejected"), Petition.state == PetitionState.REJECTED),
}


new_caches = new_petition_caches


# --- settings -------------------------------------------------------------------------------


def current_settings(db: Session) -> PetitionSettings:
    """The settings row, or the defaults (not saved) when the council has not changed them."""
    row = db.get(PetitionSettings, SETTINGS_ROW_ID)
    if row is not None:
        return row
    defaults = PetitionSettings(id=SETTINGS_ROW_ID)
    for column in PetitionSettings.__table__.columns:
        if getattr(defaults, column.key) is None and column.default is not None:
            setattr(defaults, column.key, column.default.arg)
    return defaults


def cached_settings(db: Session, caches: PetitionCaches | None) -> PetitionSettings:
    if caches is None:
        return current_settings(db)
    return caches.settings.get("settings", lambda: _detached(db, current_settings(db)))


def _detached(db: Session, row: PetitionSettings) -> PetitionSettings:
    if row in db:
        db.expunge(row)
    return row


def update_settings(db: Session, *, actor_id: int | None, **values: Any) -> PetitionSettings:
    row = db.get(PetitionSettings, SETTINGS_ROW_ID)
    if row is None:
        row = current_settings(db)
        db.add(row)
    for key, value in values.items():
        setattr(row, key, value)
    db.flush()
    audit.record(
        db,
        actor_id=actor_id,
        action="petition_settings.update",
        object_type="petition_settings",
        object_id=row.id,
        **{k: str(v) for k, v in values.items()},
    )
    return row


# --- what residents may see -----------------------------------------------------------------


def visible_petitions() -> Select[tuple[Petition]]:
    """Every public list and page starts here: unmoderated and hidden petitions never leak."""
    return select(Petition).where(Petition.state.in_(VISIBLE))


def get_visible(db: Session, petition_id: int) -> Petition:
    petition = db.scalar(
        visible_petitions()
        .where(Petition.id == petition_id)
        .options(joinedload(Petition.review), joinedload(Petition.duplicate_of))
    )
    if petition is None:
        raise NotFound()
    return petition


def get_by_support_token(db: Session, token: str) -> Petition:
    """An unmoderated petition, reached only through the link its creator shares."""
    petition = db.scalar(select(Petition).where(Petition.support_token == token))
    if petition is None or petition.state not in UNMODERATED or petition.state == PetitionState.PENDING:
        raise NotFound()
    return petition


def get_petition(db: Session, petition_id: int) -> Petition:
    """Any petition, for officers."""
    petition = db.scalar(
        select(Petition)
        .where(Petition.id == petition_id)
        .options(joinedload(Petition.review), joinedload(Petition.duplicate_of), joinedload(Petition.officer))
    )
    if petition is None:
        raise NotFound()
    return petition


def search(
    db: Session, *, status: str = "", words: str = "", limit: int = 50, offset: int = 0
) -> list[Petition]:
    query = visible_petitions()
    if status in FILTERS:
        query = query.where(FILTERS[status][1])
    for word in words.split()[:8]:
        pattern = f"%{_escape_like(word)}%"
        query = query.where(
            or_(
                Petition.title.ilike(pattern, escape="\\"),
                Petition.action.ilike(pattern, escape="\\"),
                Petition.background.ilike(pattern, escape="\\"),
            )
        )
    order = Petition.opened_at.desc().nulls_last() if status != "rejected" else Petition.moderated_at.desc()
    return list(db.scalars(query.order_by(order, Petition.id.desc()).limit(limit).offset(offset)))


def _escape_like(word: str) -> str:
    return word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def open_petitions(db: Session, limit: int = 5) -> list[Petition]:
    """Petitions anyone can sign now (the home page's list), whatever their response."""
    query = visible_petitions().where(Petition.state == PetitionState.OPEN)
    return list(db.scalars(query.order_by(Petition.opened_at.desc().nulls_last(), Petition.id.desc())
                           .limit(limit)))


_STOP_WORDS_TEXT = """a about after all also an and any are as at be been but by can could council councils do
does for from get give has have how if in into is it its make more must no not of on or our out please put
should so stop start that the their them then there these they this to up us we were what when which who
will with would you your"""
SIMILAR_STOP_WORDS = frozenset(_STOP_WORDS_TEXT.split())


def _keywords(text: str) -> list[str]:
    words = {w.strip(".,;:!?'\"()").lower() for w in text.split()}
    return sorted(w for w in words if len(w) >= 3 and w not in SIMILAR_STOP_WORDS)[:12]


def similar_open(db: Session, text: str, limit: int = 5) -> list[Petition]:
    """Open petitions asking much the same, before someone starts another: those whose title or
    request shares at least half of the new title's words (ignoring small words), best first."""
    keywords = _keywords(text)
    if not keywords:
        return []
    matches = [or_(Petition.title.ilike(f"%{_escape_like(w)}%", escape="\\"),
                   Petition.action.ilike(f"%{_escape_like(w)}%", escape="\\")) for w in keywords]
    candidates = db.scalars(visible_petitions().where(Petition.state == PetitionState.OPEN, or_(*matches))
                            .order_by(Petition.id.desc()).limit(200))
    needed = max(1, (len(keywords) + 1) // 2)
    scored = []
    for petition in candidates:
        words = set(_keywords(f"{petition.title} {petition.action}"))
        score = sum(1 for w in keywords if any(w in other or other in w for other in words))
        if score >= needed:
            scored.append((score, petition.id, petition))
    return [p for _, _, p in sorted(scored, key=lambda item: (-item[0], -item[1]))[:limit]]


# --- counts: always from the signatures table ---------------------------------------------


def counted():
    """The signatures that count: confirmed and not invalidated."""
    return (PetitionSignature.validated_at.is_not(None)) & PetitionSignature.invalidated_at.is_(None)


def signature_count(db: Session, petition_id: int) -> int:
    return (
        db.scalar(
            select(func.count())
            .select_from(PetitionSignature)
            .where(PetitionSignature.petition_id == petition_id, counted())
        )
        or 0
    )


def signature_counts(db: Session, petition_ids: Iterable[int]) -> dict[int, int]:
    ids = list(set(petition_ids))
    if not ids:
        return {}
    rows = db.execute(
        select(PetitionSignature.petition_id, func.count())
        .where(PetitionSignature.petition_id.in_(ids), counted())
        .group_by(PetitionSignature.petition_id)
    )
    found = dict(rows.tuples().all())
    return {petition_id: found.get(petition_id, 0) for petition_id in ids}


def cached_count(db: Session, petition_id: int, caches: PetitionCaches | None) -> int:
    if caches is None:
        return signature_count(db, petition_id)
    return caches.counts.get(petition_id, lambda: signature_count(db, petition_id))


def cached_counts(db: Session, petition_ids: Iterable[int], caches: PetitionCaches | None) -> dict[int, int]:
    ids = list(petition_ids)
    if caches is None:
        return signature_counts(db, ids)
    return {petition_id: cached_count(db, petition_id, caches) for petition_id in ids}


def supporter_count(db: Session, petition_id: int) -> int:
    return (
        db.scalar(
            select(func.count())
            .select_from(PetitionSignature)
            .where(
                PetitionSignature.petition_id == petition_id,
                counted(),
                PetitionSignature.is_creator.is_(False),
            )
        )
        or 0
    )


# --- reviews use petitions as evidence ------------------------------------------------------


@dataclass(frozen=True)
class PetitionEvidence:
    id: int
    title: str
    state: str
    status_label: str
    signature_count: int
    url: str


def petitions_for_review(db: Session, review_id: int) -> list[PetitionEvidence]:
    """Published or rejected petitions linked to a review, with their counts, for its evidence."""
    petitions = list(
        db.scalars(visible_petitions().where(Petition.review_id == review_id).order_by(Petition.id))
    )
    counts = signature_counts(db, [p.id for p in petitions])
    return [
        PetitionEvidence(
            id=p.id,
            title=p.title,
            state=p.state.value,
            status_label=PUBLIC_STATUS_LABELS[p.public_status],
            signature_count=counts[p.id],
            url=f"/petitions/{p.id}",
        )
        for p in petitions
    ]
