"""The public list of consultations: open, closed and with results published; filtered and searched.

It starts from `consultations.visible_consultations()`, so drafts never appear.
"""

from dataclasses import dataclass

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session, selectinload

from app.i18n import N_
from app.models.base import utcnow
from app.models.consultation import Consultation, ConsultationState
from app.services import consultations
from app.services.consultations.search import escape_like

PAGE_SIZE = 20
STATUSES = {"open": N_("Open: have your say"), "closed": N_("Closed"), "results": N_("Results published")}


@dataclass(frozen=True)
class Listing:
    consultations: list[Consultation]
    total: int
    page: int
    pages: int
    status: str
    term: str


def status_of(consultation: Consultation) -> str:
    """"open", "closed" or "results" as residents see it (an open one past its closing time is closed)."""
    if consultation.is_published:
        return "results"
    if consultation.is_open and not (
            consultation.closes_at is not None and consultation.closes_at <= utcnow()):
        return "open"
    return "closed"


def listing(db: Session, *, status: str = "", term: str = "", page: int = 1) -> Listing:
    status = status if status in STATUSES else ""
    term = term.strip()[:200]
    statement = consultations.visible_consultations()
    now = utcnow()
    still_open = (Consultation.state == ConsultationState.OPEN) & (
        Consultation.closes_at.is_(None) | (Consultation.closes_at > now))
    if status == "open":
        statement = statement.where(still_open)
    elif status == "closed":
        statement = statement.where(Consultation.state != ConsultationState.PUBLISHED, ~still_open)
    elif status == "results":
        statement = statement.where(Consultation.state == ConsultationState.PUBLISHED)
    if term:
        pattern = f"%{escape_like(term.lower())}%"
        statement = statement.where(or_(func.lower(Consultation.title).like(pattern, escape="\\"),
                                        func.lower(Consultation.summary).like(pattern, escape="\\")))
    total = db.scalar(select(func.count()).select_from(statement.subquery())) or 0
    pages = max(1, -(-total // PAGE_SIZE))
    page = min(max(page, 1), pages)
    rows = list(db.scalars(statement.options(selectinload(Consultation.review))
                           .order_by(Consultation.created_at.desc(), Consultation.id.desc())
                           .limit(PAGE_SIZE).offset((page - 1) * PAGE_SIZE)))
    return Listing(rows, total, page, pages, status, term)
