"""A review's team: officers who lead it and named people from organisations who read and comment."""

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from app.errors import InvalidInput
from app.i18n import _
from app.models.finding import ReviewTeamMember, TeamRole
from app.models.user import User
from app.services import audit
from app.services.reviews import access as review_access


def team(db: Session, review_id: int) -> list[ReviewTeamMember]:
    return list(db.scalars(select(ReviewTeamMember)
                           .options(joinedload(ReviewTeamMember.user).joinedload(User.organisation))
                           .where(ReviewTeamMember.review_id == review_id)
                           .order_by(ReviewTeamMember.role, ReviewTeamMember.id)))


def add_member(db: Session, *, review_id: int, email: str, role: str, officer: User) -> ReviewTeamMember:
    review_access.require_staff(officer)
    user = db.scalar(select(User).where(User.email == email.strip().lower()))
    if user is None:
        raise InvalidInput({"email": _("No account has this email address. Invite them first (Admin).")})
    try:
        team_role = TeamRole(role)
    except ValueError:
        raise InvalidInput({"role": _("Choose a role in the team")}) from None
    if team_role == TeamRole.SCRUTINY and not user.is_councillor:
        raise InvalidInput({"role": _("Only a councillor's account can join as scrutiny")})
    if user.is_councillor and team_role != TeamRole.SCRUTINY:
        raise InvalidInput({"role": _("A councillor joins the team as scrutiny")})
    if team_role == TeamRole.LEAD and not user.is_staff:
        raise InvalidInput({"role": _("Only a council officer can lead a review")})
    if not user.is_active:
        raise InvalidInput({"email": _("This account is deactivated")})
    if review_access.is_team_member(db, user, review_id):
        raise InvalidInput({"email": _("This person is already in the team")})
    member = ReviewTeamMember(review_id=review_id, user_id=user.id, role=team_role)
    db.add(member)
    db.flush()
    audit.record(db, actor_id=officer.id, action="review.team_add", object_type="review",
                 object_id=review_id, user_id=user.id, role=team_role.value)
    return member
