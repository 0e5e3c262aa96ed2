"""Evidence a finding can cite, read live: each kind says what it shows now (label, counts, state).

The kinds themselves (what a theme, a petition, a forum thread... shows) are in evidence_sources.
"""

from sqlalchemy.orm import Session

from app.i18n import _
from app.models.finding import EvidenceKind
from app.services.reviews.evidence_sources import RESOLVERS, EvidenceView

__all__ = ["EvidenceView", "changed", "current", "snapshot_of"]


def current(db: Session, kind: EvidenceKind, object_id: int) -> EvidenceView:
    resolver = RESOLVERS.get(kind)
    view = resolver(db, object_id) if resolver else None
    return view or EvidenceView(kind, object_id, _("This evidence is no longer available"), {}, missing=True)


def changed(snapshot: dict, view: EvidenceView) -> bool:
    return not view.missing and snapshot.get("figures") != _jsonable(view.figures)


def snapshot_of(view: EvidenceView) -> dict:
    return {"title": view.title, "figures": _jsonable(view.figures)}


def _jsonable(figures: dict) -> dict:
    return {str(k): v for k, v in figures.items()}
