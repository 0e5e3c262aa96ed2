"""Staff and organiser accounts, sign-in sessions, invitations and organisations."""

import re
from dataclasses import dataclass
from datetime import datetime, timedelta

from email_validator import EmailNotValidError, validate_email
from sqlalchemy import delete, select
from sqlalchemy.orm import Session, joinedload

from app.config import Settings
from app.errors import Conflict, InvalidInput, NotFound
from app.i18n import N_, _
from app.models.base import DEFAULT_LANGUAGE, LANGUAGES, utcnow
from app.models.organisation import Organisation, OrganisationType
from app.models.user import Invitation, Role, StaffSession, User
from app.passwords import MIN_PASSWORD_LENGTH, hash_password, needs_rehash, verify_password
from app.services import audit
from app.tokens import new_token, token_hash

INVITATION_LIFETIME = timedelta(days=7)
SESSION_TOUCH_INTERVAL = timedelta(seconds=60)
# Staff activity times are kept to 5 minutes, never finer: exact sign-in and last-seen times would
# line up with the (hour-rounded, unsigned) anonymous posts (decision 0080).
ACTIVITY_GRAIN = timedelta(minutes=5)
# A role as people read it (the stored value stays `role.value`): `_(ROLE_LABELS[role])` where shown.
ROLE_LABELS = {
    Role.ADMIN: N_("Administrator"),
    Role.OFFICER: N_("Officer"),
    Role.ORGANISER: N_("Organiser"),
    Role.MEMBER: N_("Member"),
    Role.COUNCILLOR: N_("Councillor"),
    Role.DATA_PROTECTION: N_("Data-protection officer"),
    Role.RESIDENT: N_("Resident"),
}


def activity_time(moment: datetime, *, round_up: bool = False) -> datetime:
    """`moment` to the 5-minute grain: down, or up (last_seen_at: so the 30-minute idle timeout
    never ends a session early; it ends between 30 and 35 minutes after the last request)."""
    grain = int(ACTIVITY_GRAIN.total_seconds())
    floor = moment - timedelta(seconds=moment.timestamp() % grain)
    return floor + ACTIVITY_GRAIN if round_up and floor != moment else floor


def normalise_account_email(email: str) -> str:
    return email.strip().lower()


def check_email(email: str, field: str = "email") -> str:
    try:
        return validate_email(email.strip(), check_deliverability=False).normalized.lower()
    except EmailNotValidError:
        raise InvalidInput(
            {field: _("Enter an email address in the correct format, like name@example.com")}
        ) from None


def check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise InvalidInput(
            {"password": _("Password must be at least {minimum} characters").format(
                minimum=MIN_PASSWORD_LENGTH)}
        )
    if len(password) > 1024:
        raise InvalidInput({"password": _("Password must be 1,024 characters or fewer")})


def slugify(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")[:180] or "organisation"


def create_organisation(
    db: Session,
    *,
    name: str,
    type: OrganisationType,
    description: str = "",
    speaks_for: str = "",
    actor_id: int | None = None,
) -> Organisation:
    name = name.strip()
    if not name:
        raise InvalidInput({"name": _("Enter the organisation’s name")})
    if len(name) > 200:
        raise InvalidInput({"name": _("Name must be 200 characters or fewer")})
    if db.scalar(select(Organisation.id).where(Organisation.name == name)):
        raise InvalidInput({"name": _("An organisation with this name already exists")})
    organisation = Organisation(
        name=name,
        slug=_unique_slug(db, slugify(name)),
        type=type,
        description=description.strip()[:4000],
        speaks_for=speaks_for.strip()[:300],
    )
    db.add(organisation)
    db.flush()
    audit.record(db, actor_id=actor_id, action="organisation.create", object_type="organisation",
                 object_id=organisation.id, name=name)
    return organisation


def _unique_slug(db: Session, base: str) -> str:
    slug, n = base, 1
    while db.scalar(select(Organisation.id).where(Organisation.slug == slug)):
        n += 1
        slug = f"{base}-{n}"
    return slug


def organisation_by_name(db: Session, name: str) -> Organisation:
    organisation = db.scalar(select(Organisation).where(Organisation.name == name))
    if organisation is None:
        raise NotFound(_("No organisation is called {name}").format(name=repr(name)))
    return organisation


ORGANISATION_ROLES = (Role.ORGANISER, Role.MEMBER)


def _organisation_needed(role: Role) -> str:
    if role == Role.ORGANISER:
        return _("Choose the organisation this organiser belongs to")
    return _("Choose the organisation this member belongs to")


def create_user(
    db: Session,
    *,
    email: str,
    password: str,
    role: Role,
    display_name: str = "",
    organisation_id: int | None = None,
    actor_id: int | None = None,
) -> User:
    email = check_email(email)
    check_password(password)
    if role in ORGANISATION_ROLES and organisation_id is None:
        raise InvalidInput({"organisation": _organisation_needed(role)})
    if db.scalar(select(User.id).where(User.email == email)):
        raise Conflict(_("An account with this email address already exists"))
    user = User(
        email=email,
        password_hash=hash_password(password),
        role=role,
        display_name=display_name.strip() or email.split("@")[0],
        organisation_id=organisation_id,
    )
    db.add(user)
    db.flush()
    audit.record(db, actor_id=actor_id, action="user.create", object_type="user",
                 object_id=user.id, role=role.value)
    return user


def authenticate(db: Session, email: str, password: str) -> User | None:
    """The user when the password matches an active account; None otherwise (same timing)."""
    user = db.scalar(select(User).where(User.email == normalise_account_email(email)))
    valid = verify_password(user.password_hash if user else None, password)
    if not (valid and user and user.is_active):
        return None
    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    user.last_sign_in_at = activity_time(utcnow())
    return user


def start_session(db: Session, user: User) -> str:
    """A fresh session token on every sign-in, so a planted cookie is never promoted."""
    token = new_token()
    now = utcnow()
    db.add(StaffSession(token_hash=token_hash(token), user_id=user.id, created_at=activity_time(now),
                        last_seen_at=activity_time(now, round_up=True)))
    db.flush()
    return token


@dataclass(frozen=True)
class SessionLookup:
    user: User | None
    session_id: int | None
    needs_touch: bool


def find_session(db: Session, token: str, settings: Settings, now: datetime | None = None) -> SessionLookup:
    now = now or utcnow()
    staff_session = db.scalar(
        select(StaffSession)
        .options(joinedload(StaffSession.user).joinedload(User.organisation))
        .where(StaffSession.token_hash == token_hash(token))
    )
    if staff_session is None or not staff_session.user.is_active:
        return SessionLookup(None, None, False)
    idle_limit = timedelta(minutes=settings.session_idle_minutes)
    absolute_limit = timedelta(hours=settings.session_absolute_hours)
    if now - staff_session.last_seen_at > idle_limit or now - staff_session.created_at > absolute_limit:
        return SessionLookup(None, staff_session.id, False)
    needs_touch = now - staff_session.last_seen_at > SESSION_TOUCH_INTERVAL
    return SessionLookup(staff_session.user, staff_session.id, needs_touch)


def touch_session(db: Session, session_id: int) -> None:
    staff_session = db.get(StaffSession, session_id)
    if staff_session is not None:
        staff_session.last_seen_at = activity_time(utcnow(), round_up=True)


def set_language(db: Session, user: User, language: str) -> None:
    """The account's language: its pages after the next sign-in, and every email it is sent."""
    if language not in LANGUAGES:
        raise InvalidInput({"language": _("Choose English or Cymraeg")})
    user.language = language


def end_session(db: Session, token: str) -> None:
    db.execute(delete(StaffSession).where(StaffSession.token_hash == token_hash(token)))


def end_session_by_id(db: Session, session_id: int) -> None:
    db.execute(delete(StaffSession).where(StaffSession.id == session_id))


def invite(
    db: Session, *, email: str, role: Role, organisation_id: int | None, invited_by: User,
    language: str = DEFAULT_LANGUAGE,
) -> tuple[Invitation, str]:
    email = check_email(email)
    if role == Role.RESIDENT:
        raise InvalidInput({"role": _("Residents make their own accounts: choose another role")})
    if role in ORGANISATION_ROLES and organisation_id is None:
        raise InvalidInput({"organisation": _organisation_needed(role)})
    if role == Role.ADMIN and not invited_by.is_admin:
        raise InvalidInput({"role": _("Only an admin can invite another admin")})
    token = new_token()
    invitation = Invitation(
        email=email,
        role=role,
        organisation_id=organisation_id if role in ORGANISATION_ROLES else None,
        token_hash=token_hash(token),
        expires_at=utcnow() + INVITATION_LIFETIME,
        invited_by_id=invited_by.id,
        language=language if language in LANGUAGES else DEFAULT_LANGUAGE,
    )
    db.add(invitation)
    db.flush()
    audit.record(db, actor_id=invited_by.id, action="invitation.create", object_type="invitation",
                 object_id=invitation.id, role=role.value)
    return invitation, token


def open_invitation(db: Session, token: str) -> Invitation:
    invitation = db.scalar(select(Invitation).where(Invitation.token_hash == token_hash(token)))
    if invitation is None or invitation.accepted_at is not None or invitation.expires_at < utcnow():
        raise NotFound(_("This invitation link has expired or has already been used. "
                         "Ask the person who invited you to send a new one."))
    return invitation


def accept_invitation(db: Session, token: str, *, display_name: str, password: str) -> User:
    invitation = open_invitation(db, token)
    if not display_name.strip():
        raise InvalidInput({"display_name": _("Enter your name")})
    user = create_user(
        db,
        email=invitation.email,
        password=password,
        role=invitation.role,
        display_name=display_name,
        organisation_id=invitation.organisation_id,
        actor_id=invitation.invited_by_id,
    )
    invitation.accepted_at = utcnow()
    user.language = invitation.language
    return user


def list_users(db: Session) -> list[User]:
    """Staff and organisations' accounts (residents' are listed for moderators: accounts.residents)."""
    return list(db.scalars(select(User).options(joinedload(User.organisation))
                           .where(User.role != Role.RESIDENT).order_by(User.email)))


def list_organisations(db: Session) -> list[Organisation]:
    return list(db.scalars(select(Organisation).order_by(Organisation.name)))
