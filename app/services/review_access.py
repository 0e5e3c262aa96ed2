"""Who may see a review's workspace: the one place that decides it.

Council staff (admins, officers) work on every review. Anyone else — a union rep, a tenants'
federation rep — sees only the reviews whose team they are on, and never another review's drafts.
"""

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.errors import Forbidden, NotFound
from app.models.finding import ReviewTeamMember
from app.models.review import Review
from app.models.user import User


def is_team_member(db: Session, user: User, review_id: int) -> bool:
    return db.scalar(select(ReviewTeamMember.id).where(
        ReviewTeamMember.review_id == review_id, ReviewTeamMember.user_id == user.id)) is not None


def can_read(db: Session, user: User | None, review_id: int) -> bool:
    if user is None:
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
        raise Forbidden("Only council officers can do this.")


def readable_reviews(db: Session, user: User) -> list[Review]:
    query = select(Review).order_by(Review.created_at.desc(), Review.id.desc())
    if not user.is_staff:
        query = query.join(ReviewTeamMember, ReviewTeamMember.review_id == Review.id).where(
            ReviewTeamMember.user_id == user.id)
    return list(db.scalars(query))
