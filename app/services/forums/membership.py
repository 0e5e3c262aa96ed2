"""An organisation's people: organisers invite members by an emailed link (reusing the account
invitation flow), and members post and draft submissions for the organisation."""

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.errors import NotFound
from app.models.organisation import Organisation
from app.models.user import Invitation, Role, User
from app.services import accounts
from app.services.email import queue_email
from app.services.forums.submissions import is_organiser_of
from app.services.forums.visibility import is_staff


def invite_member(db: Session, organiser: User, organisation: Organisation, *, email: str,
                  base_url: str) -> Invitation:
    if not is_organiser_of(organiser, organisation):
        raise NotFound()
    invitation, token = accounts.invite(db, email=email, role=Role.MEMBER, organisation_id=organisation.id,
                                        invited_by=organiser)
    invitation.organisation_id = organisation.id  # accounts.invite keeps it for organisers only
    db.flush()
    queue_email(db, "forum_member_invitation", to=invitation.email, language=invitation.language,
                inviter=organiser.display_name, organisation=organisation.name,
                link=f"{base_url}/invitations/{token}")
    return invitation


def list_members(db: Session, viewer: User | None, organisation: Organisation) -> list[User]:
    """The organisation's people, shown to its own members and to officers only."""
    if not (is_staff(viewer) or (viewer is not None and viewer.organisation_id == organisation.id)):
        return []
    return list(db.scalars(select(User).where(User.organisation_id == organisation.id)
                           .order_by(User.role, User.display_name)))
