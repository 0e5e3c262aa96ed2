"""Staff accounts after they exist: resetting a forgotten password by email, deactivating, reactivating.

A reset link is single-use and expires after an hour; asking for one never tells anyone whether an
account exists (the same page follows either way, and only an active account gets an email).
Asking again replaces any earlier link. Setting a new password ends every session of the account.
Deactivating ends its sessions at once; a deactivated account cannot sign in or reset its password.
All of it is audited.
"""

from datetime import timedelta

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from app.errors import InvalidInput, NotFound
from app.i18n import _
from app.models.base import LANGUAGES, utcnow
from app.models.user import PasswordReset, StaffSession, User
from app.passwords import hash_password
from app.services import audit
from app.services.accounts import check_password, normalise_account_email
from app.services.email import queue_email
from app.tokens import new_token, token_hash

RESET_LIFETIME = timedelta(hours=1)
RESET_ATTEMPTS_PER_ADDRESS = "10/hour"
RESET_ATTEMPTS_PER_ACCOUNT = "3/hour"


def request_reset(db: Session, email: str, *, base_url: str) -> None:
    """Email a reset link to the account with this address, if there is an active one; else nothing."""
    user = db.scalar(select(User).where(User.email == normalise_account_email(email)))
    if user is None or not user.is_active or user.is_resident:  # residents have no password
        return
    now = utcnow()
    db.execute(update(PasswordReset).where(PasswordReset.user_id == user.id, PasswordReset.used_at.is_(None))
               .values(used_at=now))
    token = new_token()
    reset = PasswordReset(user_id=user.id, token_hash=token_hash(token), expires_at=now + RESET_LIFETIME)
    db.add(reset)
    db.flush()
    queue_email(db, "password_reset", to=user.email, language=user.language, email=user.email,
                link=f"{base_url}/password-reset/{token}")
    audit.record(db, actor_id=None, action="user.password_reset_requested", object_type="user",
                 object_id=user.id)


def open_reset(db: Session, token: str) -> PasswordReset:
    reset = db.scalar(select(PasswordReset).where(PasswordReset.token_hash == token_hash(token)))
    if reset is None or reset.used_at is not None or reset.expires_at < utcnow():
        raise NotFound(_("This link has expired or has already been used. Ask for a new one."))
    user = db.get(User, reset.user_id)
    if user is None or not user.is_active:
        raise NotFound(_("This link has expired or has already been used. Ask for a new one."))
    return reset


def complete_reset(db: Session, token: str, *, password: str, confirm: str) -> User:
    reset = open_reset(db, token)
    check_password(password)
    if password != confirm:
        raise InvalidInput({"confirm": _("The passwords do not match")})
    user = db.get(User, reset.user_id)
    user.password_hash = hash_password(password)
    reset.used_at = utcnow()
    db.execute(delete(StaffSession).where(StaffSession.user_id == user.id))
    audit.record(db, actor_id=user.id, action="user.password_reset", object_type="user", object_id=user.id)
    db.flush()
    return user


def get_user(db: Session, user_id: int) -> User:
    user = db.get(User, user_id)
    if user is None:
        raise NotFound()
    return user


def deactivate(db: Session, user: User, *, admin: User) -> None:
    if user.id == admin.id:
        raise InvalidInput({"accounts": _("You cannot deactivate your own account")})
    if not user.is_active:
        return
    user.is_active = False
    db.execute(delete(StaffSession).where(StaffSession.user_id == user.id))
    audit.record(db, actor_id=admin.id, action="user.deactivate", object_type="user", object_id=user.id)


def reactivate(db: Session, user: User, *, admin: User) -> None:
    if user.is_active:
        return
    user.is_active = True
    audit.record(db, actor_id=admin.id, action="user.reactivate", object_type="user", object_id=user.id)


def set_language(db: Session, user: User, language: str, *, actor: User) -> None:
    if language not in LANGUAGES:
        raise InvalidInput({"language": _("Choose a language")})
    user.language = language
    audit.record(db, actor_id=actor.id, action="user.language", object_type="user", object_id=user.id,
                 language=language)
