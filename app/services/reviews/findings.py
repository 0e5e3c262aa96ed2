"""Findings: statements in a review's four stages, citing live evidence, commented on, then published."""

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload, selectinload

from app.errors import Conflict, InvalidInput, NotFound
from app.i18n import _
from app.models.base import utcnow
from app.models.finding import (
    EvidenceKind,
    Finding,
    FindingComment,
    FindingEvidence,
    FindingStatus,
    ReviewStage,
)
from app.models.user import User
from app.services import audit
from app.services.reviews import access as review_access
from app.services.reviews import evidence

MAX_STATEMENT = 4000


@dataclass(frozen=True)
class EvidenceItem:
    link: FindingEvidence
    now: evidence.EvidenceView
    changed: bool


def findings_for_review(db: Session, review_id: int, *, published_only: bool = False) -> list[Finding]:
    query = (select(Finding).options(selectinload(Finding.evidence))
             .where(Finding.review_id == review_id).order_by(Finding.id))
    if published_only:
        query = query.where(Finding.status == FindingStatus.PUBLISHED)
    return list(db.scalars(query))


def readable_finding(db: Session, user: User | None, finding_id: int) -> Finding:
    finding = db.scalar(select(Finding).options(selectinload(Finding.evidence))
                        .where(Finding.id == finding_id))
    if finding is None or not review_access.can_read(db, user, finding.review_id):
        raise NotFound()
    return finding


def write_finding(db: Session, *, review_id: int, stage: str, statement: str,
                  evidence_refs: list[tuple[EvidenceKind, int]], officer: User) -> Finding:
    review_access.require_staff(officer)
    errors = {}
    try:
        chosen_stage = ReviewStage(stage)
    except ValueError:
        errors["stage"] = _("Choose the stage of the review this finding belongs to")
    statement = statement.strip()
    if not statement:
        errors["statement"] = _("Write the finding")
    elif len(statement) > MAX_STATEMENT:
        errors["statement"] = _("The finding must be {limit} characters or fewer").format(
            limit=f"{MAX_STATEMENT:,}")
    if errors:
        raise InvalidInput(errors)
    finding = Finding(review_id=review_id, stage=chosen_stage, statement=statement,
                      created_by_id=officer.id)
    db.add(finding)
    db.flush()
    for kind, object_id in evidence_refs:
        attach(db, finding, kind, object_id, officer)
    audit.record(db, actor_id=officer.id, action="finding.write", object_type="finding",
                 object_id=finding.id)
    return finding


def attach(db: Session, finding: Finding, kind: EvidenceKind, object_id: int, officer: User) -> None:
    view = evidence.current(db, kind, object_id)
    if view.missing:
        raise InvalidInput({"evidence": _("That evidence could not be found")})
    db.add(FindingEvidence(finding_id=finding.id, kind=kind, object_id=object_id,
                           snapshot=evidence.snapshot_of(view)))


def evidence_items(db: Session, finding: Finding) -> list[EvidenceItem]:
    items = []
    links = db.scalars(select(FindingEvidence).where(FindingEvidence.finding_id == finding.id)
                       .order_by(FindingEvidence.id))
    for link in links:
        now = evidence.current(db, link.kind, link.object_id)
        items.append(EvidenceItem(link, now, evidence.changed(link.snapshot, now)))
    return items


def comments(db: Session, finding: Finding) -> list[FindingComment]:
    return list(db.scalars(select(FindingComment).options(joinedload(FindingComment.author))
                           .where(FindingComment.finding_id == finding.id).order_by(FindingComment.id)))


def comment(db: Session, finding: Finding, user: User, body: str) -> FindingComment:
    if not review_access.can_read(db, user, finding.review_id):
        raise NotFound()
    if not finding.is_draft:
        raise Conflict(_("Comments are for draft findings; this one is published."))
    body = body.strip()
    if not body:
        raise InvalidInput({"body": _("Write your comment")})
    if len(body) > 4000:
        raise InvalidInput({"body": _("Your comment must be 4,000 characters or fewer")})
    note = FindingComment(finding_id=finding.id, author_id=user.id, body=body)
    db.add(note)
    return note


def record_scrutiny_view(db: Session, finding: Finding, user: User, view: str) -> None:
    """A councillor in the team records the scrutiny panel's view on a finding (it edits nothing else)."""
    if not review_access.can_scrutinise(db, user, finding.review_id):
        raise NotFound()
    view = view.strip()
    if not view:
        raise InvalidInput({"scrutiny_view": _("Write the scrutiny panel's view")})
    if len(view) > 8000:
        raise InvalidInput({"scrutiny_view": _("The view must be 8,000 characters or fewer")})
    finding.scrutiny_view, finding.scrutiny_view_at, finding.scrutiny_view_by_id = view, utcnow(), user.id
    audit.record(db, actor_id=user.id, action="finding.scrutiny_view", object_type="finding",
                 object_id=finding.id)


def publish(db: Session, finding: Finding, officer: User) -> None:
    review_access.require_staff(officer)
    if finding.status == FindingStatus.PUBLISHED:
        raise Conflict(_("This finding is already published."))
    finding.status, finding.published_at, finding.published_by_id = (
        FindingStatus.PUBLISHED, utcnow(), officer.id)
    audit.record(db, actor_id=officer.id, action="finding.publish", object_type="finding",
                 object_id=finding.id)
