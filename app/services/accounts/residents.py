"""Residents' light accounts (issue 27, decision 0104): no password, no organisation.

- Created and signed into through an emailed link that works once, for 30 minutes; the database keeps
  only the SHA-256 of its token, and using it deletes it. Asking again replaces the earlier link.
- Asking for a link answers the same whether or not the address has an account (the route shows one
  page either way); only the email differs: a staff address is told to use its password, a suspended
  account is told it is suspended, anyone else gets a link.
- Limits: 10 link requests an hour from one connection, 3 an hour for one address (whatever the
  connection), and 5 new accounts a day from one connection.
- An officer or admin (the site's moderators) can suspend a resident and restore them; both audited.
  A suspended resident's sessions end at once and they cannot sign in.
"""

from dataclasses import dataclass
from datetime import timedelta
from urllib.parse import quote

from sqlalchemy import delete, func, or_, select, update
from sqlalchemy.orm import Session

from app.errors import Forbidden, InvalidInput, NotFound, RateLimited
from app.i18n import N_, _
from app.models.base import DEFAULT_LANGUAGE, LANGUAGES, utcnow
from app.models.outbox import OutboxEmail
from app.models.resident import ResidentSignInLink
from app.models.user import Role, StaffSession, User
from app.ratelimit import RateLimiter
from app.services import audit
from app.services.accounts import activity_time, check_email
from app.services.email import queue_email
from app.tokens import new_token, token_hash

LINK_LIFETIME = timedelta(minutes=30)
LINK_MINUTES = int(LINK_LIFETIME.total_seconds() // 60)
LINKS_PER_CONNECTION = "10/hour"
LINKS_PER_ADDRESS = "3/hour"
NEW_ACCOUNTS_PER_CONNECTION = "5/day"
MAX_NAME = 80
NO_PASSWORD = "!"  # noqa: S105 - never a valid argon2 hash: a resident cannot sign in with a password
LINK_GONE = N_("This sign-in link has expired or has already been used. Ask for a new one.")
SIGN_IN_CONCERNS = "resident-sign-in"  # the outbox `concerns` of these emails
ERASED_DOMAIN = "@erased.invalid"  # what an erased account's address becomes (privacy.subject_access)


def request_link(
    db: Session,
    email: str,
    *,
    base_url: str,
    limiter: RateLimiter | None = None,
    connection: str = "unknown",
    next_path: str = "",
) -> None:
    """Email a sign-in link (or, for a staff or suspended address, say why not). Raises InvalidInput
    for an address in the wrong format and RateLimited past the limits; never says whether an
    account exists."""
    address = check_email(email)
    if limiter is not None and not (
        limiter.allow("resident-link-connection", LINKS_PER_CONNECTION, connection)
        and limiter.allow("resident-link-address", LINKS_PER_ADDRESS, address)
    ):
        raise RateLimited(
            _("Too many requests for a sign-in link. Wait an hour, then try again."), retry_after_seconds=3600
        )
    now = utcnow()
    db.execute(
        delete(ResidentSignInLink).where(
            or_(ResidentSignInLink.expires_at < now, ResidentSignInLink.email == address)
        )
    )
    user = db.scalar(select(User).where(func.lower(User.email) == address))
    if user is not None and not user.is_resident:
        queue_email(
            db, "resident_sign_in_staff", to=address, concerns=SIGN_IN_CONCERNS, link=f"{base_url}/sign-in"
        )
        return
    if user is not None and not user.is_active:
        queue_email(db, "resident_sign_in_suspended", to=address, concerns=SIGN_IN_CONCERNS)
        return
    token = new_token()
    db.add(ResidentSignInLink(email=address, token_hash=token_hash(token), expires_at=now + LINK_LIFETIME))
    db.flush()
    link = f"{base_url}/sign-in/email/{token}"
    if next_path.startswith("/") and not next_path.startswith("//"):  # the route has made it same-site
        link += f"?next={quote(next_path, safe='/')}"
    # In the language of the page that asked for it (render_email's default).
    queue_email(
        db, "resident_sign_in_link", to=address, concerns=SIGN_IN_CONCERNS, minutes=LINK_MINUTES, link=link
    )


@dataclass(frozen=True)
class OpenLink:
    link: ResidentSignInLink
    account: User | None  # None: using the link creates the account


def open_link(db: Session, token: str) -> OpenLink:
    """The link if it still works (not used, not expired, not for a staff or suspended account)."""
    link = db.scalar(
        select(ResidentSignInLink).where(ResidentSignInLink.token_hash == token_hash(token[:200]))
    )
    if link is None or link.expires_at < utcnow():
        raise NotFound(_(LINK_GONE))
    user = db.scalar(select(User).where(func.lower(User.email) == link.email))
    if user is not None and (not user.is_resident or not user.is_active):
        raise NotFound(_(LINK_GONE))
    return OpenLink(link, user)


def use_link(
    db: Session,
    token: str,
    *,
    display_name: str = "",
    language: str = DEFAULT_LANGUAGE,
    limiter: RateLimiter | None = None,
    connection: str = "unknown",
) -> User:
    """Sign in with the link, creating the account the first time (with a name and an email language).
    The link is deleted: a second use, even at the same moment, finds nothing."""
    opened = open_link(db, token)
    user = opened.account
    if user is None:
        name = " ".join(display_name.split())
        errors = {}
        if not name:
            errors["display_name"] = _("Enter the name to show with your replies")
        elif len(name) > MAX_NAME:
            errors["display_name"] = _("The name must be {limit} characters or fewer").format(limit=MAX_NAME)
        if language not in LANGUAGES:
            errors["language"] = _("Choose the language of our emails to you")
        if errors:
            raise InvalidInput(errors)
        if limiter is not None and not limiter.allow(
            "resident-sign-up", NEW_ACCOUNTS_PER_CONNECTION, connection
        ):
            raise RateLimited(
                _("Too many new accounts from your connection today. Try again tomorrow."),
                retry_after_seconds=limiter.remaining_seconds(
                    "resident-sign-up", NEW_ACCOUNTS_PER_CONNECTION, connection
                ),
            )
    if not db.execute(delete(ResidentSignInLink).where(ResidentSignInLink.id == opened.link.id)).rowcount:
        raise NotFound(_(LINK_GONE))
    # The outbox keeps the email sent; the token in it is struck out once used (it was the only copy).
    db.execute(
        update(OutboxEmail)
        .where(
            OutboxEmail.concerns == SIGN_IN_CONCERNS,
            OutboxEmail.to_address == opened.link.email,
            OutboxEmail.body_text.contains(token, autoescape=True),
        )
        .values(
            body_text=func.replace(OutboxEmail.body_text, token, "(used)"),
            body_html=func.replace(OutboxEmail.body_html, token, "(used)"),
        )
        .execution_options(synchronize_session=False)
    )
    if user is None:
        user = User(
            email=opened.link.email,
            display_name=name,
            password_hash=NO_PASSWORD,
            role=Role.RESIDENT,
            language=language,
        )
        db.add(user)
        db.flush()
        audit.record(db, actor_id=user.id, action="resident.create", object_type="user", object_id=user.id)
    user.last_sign_in_at = activity_time(utcnow())
    db.flush()
    return user


def require_resident(user: User | None) -> User:
    if user is None or not user.is_resident or not user.is_active:
        raise Forbidden(_("Only residents’ accounts have this."))
    return user


def set_language(db: Session, user: User, language: str) -> None:
    require_resident(user)
    if language not in LANGUAGES:
        raise InvalidInput({"language": _("Choose the language of our emails to you")})
    user.language = language
    db.flush()


# Moderation ------------------------------------------------------------------------------------------


def _require_moderator(moderator: User) -> None:
    if moderator.role not in (Role.ADMIN, Role.OFFICER):
        raise Forbidden(_("Only officers and admins can suspend residents’ accounts."))


def residents(db: Session, moderator: User, query: str = "", limit: int = 100) -> list[User]:
    """Residents' accounts (not deleted ones), newest first; `query` matches the name or address."""
    _require_moderator(moderator)
    statement = select(User).where(User.role == Role.RESIDENT, User.email.not_like(f"%{ERASED_DOMAIN}"))
    words = query.strip().lower()[:320]
    if words:
        statement = statement.where(
            or_(
                func.lower(User.email).contains(words, autoescape=True),
                func.lower(User.display_name).contains(words, autoescape=True),
            )
        )
    return list(db.scalars(statement.order_by(User.id.desc()).limit(limit)))


def get_resident(db: Session, moderator: User, user_id: int) -> User:
    _require_moderator(moderator)
    user = db.get(User, user_id)
    if user is None or not user.is_resident or user.email.endswith(ERASED_DOMAIN):
        raise NotFound()
    return user


def suspend(db: Session, resident: User, *, moderator: User, reason: str) -> None:
    _require_moderator(moderator)
    reason = reason.strip()
    if not reason:
        raise InvalidInput({"reason": _("Enter why you are suspending this account")})
    if len(reason) > 500:
        raise InvalidInput({"reason": _("The reason must be 500 characters or fewer")})
    if not resident.is_resident:
        raise NotFound()
    if not resident.is_active:
        return
    resident.is_active = False
    db.execute(delete(StaffSession).where(StaffSession.user_id == resident.id))
    audit.record(
        db,
        actor_id=moderator.id,
        action="resident.suspend",
        object_type="user",
        object_id=resident.id,
        reason=reason,
    )
    db.flush()


def restore(db: Session, resident: User, *, moderator: User) -> None:
    _require_moderator(moderator)
    if not resident.is_resident:
        raise NotFound()
    if resident.is_active:
        return
    resident.is_active = True
    audit.record(
        db, actor_id=moderator.id, action="resident.restore", object_type="user", object_id=resident.id
    )
    db.flush()
