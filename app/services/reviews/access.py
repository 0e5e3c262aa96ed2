"""Who may see a review's workspace, and a consultation's officer pages: the one place that decides.

Council staff (admins, officers) work on every review. Anyone else — a union rep, a tenants'
federation rep, a councillor on scrutiny — sees only the reviews whose team they are on, and never
another review's drafts. Only staff edit; a councillor in the team (role "scrutiny") also records
the scrutiny panel's view on findings.

A stand-alone consultation (one in no review) is seen and managed by its owner (the officer who
made it), officers and admins; a consultation in a review by whoever may read that review.
"""

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.errors import Forbidden, NotFound
from app.i18n import _
from app.models.consultation import Consultation
from app.models.finding import ReviewTeamMember, TeamRole
from app.models.review import Review
from app.models.user import User


def is_team_member(db: Session, user: User, review_id: int) -> bool:
    return db.scalar(select(ReviewTeamMember.id).where(
        ReviewTeamMember.review_id == review_id, ReviewTeamMember.user_id == user.id)) is not None


def can_read(db: Session, user: User | None, review_id: int | None) -> bool:
    if user is None or review_id is None:
        return False
    return user.is_staff or is_team_member(db, user, review_id)


def readable_review(db: Session, user: User | None, review_id: int) -> Review:
    """The review if the user may read its workspace; 404 otherwise (its existence stays private)."""
    review = db.get(Review, review_id)
    if review is None or not can_read(db, user, review_id):
        raise NotFound()
    return review


def require_staff(user: User) -> None:
    if not user.is_staff:
        raise Forbidden(_("Only council officers can do this."))


def can_scrutinise(db: Session, user: User | None, review_id: int) -> bool:
    """A councillor in the review's team as scrutiny: records the scrutiny panel's view."""
    if user is None or not user.is_councillor:
        return False
    return db.scalar(select(ReviewTeamMember.id).where(
        ReviewTeamMember.review_id == review_id, ReviewTeamMember.user_id == user.id,
        ReviewTeamMember.role == TeamRole.SCRUTINY)) is not None


def readable_reviews(db: Session, user: User) -> list[Review]:
    query = select(Review).order_by(Review.created_at.desc(), Review.id.desc())
    if not user.is_staff:
        query = query.join(ReviewTeamMember, ReviewTeamMember.review_id == Review.id).where(
            ReviewTeamMember.user_id == user.id)
    return list(db.scalars(query))


def can_manage_consultation(user: User | None, consultation: Consultation) -> bool:
    """Build, open, close and publish: staff; a stand-alone one also its owner."""
    if user is None:
        return False
    return user.is_staff or (consultation.review_id is None and consultation.created_by_id == user.id)


def can_read_consultation(db: Session, user: User | None, consultation: Consultation) -> bool:
    """Read its results and themes in the workspace: its review's readers, or its managers."""
    if consultation.review_id is None:
        return can_manage_consultation(user, consultation)
    return can_read(db, user, consultation.review_id)


def readable_consultation(db: Session, user: User | None, consultation_id: int) -> Consultation:
    consultation = db.get(Consultation, consultation_id)
    if consultation is None or not can_read_consultation(db, user, consultation):
        raise NotFound()
    return consultation
