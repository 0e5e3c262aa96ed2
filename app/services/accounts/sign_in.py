"""Staff sign-in limits and the TOTP second factor.

Limits follow OWASP's authentication guidance: they count FAILED attempts only, per (account,
address) and per address, and they slow an attacker down rather than lock the account: failures
from one address never stop the right password from another (issue 22: five wrong passwords
from anywhere used to keep an admin out for 15 minutes, over and over).

- one account from one address: 5 failures a minute, 10 in 15 minutes, 30 a day;
- one address, whatever the accounts (password spraying): 30 in 15 minutes, 300 a day.

TOTP (RFC 6238, pyotp) is offered to all staff and required for admins in production: an admin
without it can sign in only to set it up. A code is accepted once (replays are refused).
"""

import binascii
import hashlib
import hmac
import time

import pyotp
from sqlalchemy.orm import Session

from app.config import Settings
from app.errors import AppError, InvalidInput
from app.i18n import N_, _
from app.models.user import User
from app.ratelimit import RateLimiter
from app.services import audit

PAIR_FAILURES = ("5/minute", "10/15 minutes", "30/day")
ADDRESS_FAILURES = ("30/15 minutes", "300/day")
PENDING_SECONDS = 300
ISSUER = "Chorus"


class SecondFactorRequired(AppError):
    status_code = 403
    title = N_("Set up two-step verification")


def wait_seconds(limiter: RateLimiter, account_key: str, address: str) -> int:
    """How long this account must wait before trying again from this address (0: try now)."""
    return max(limiter.wait_seconds("sign-in-failures", PAIR_FAILURES, account_key, address),
               limiter.wait_seconds("sign-in-address-failures", ADDRESS_FAILURES, address))


def record_failure(limiter: RateLimiter, account_key: str, address: str) -> None:
    limiter.record("sign-in-failures", PAIR_FAILURES, account_key, address)
    limiter.record("sign-in-address-failures", ADDRESS_FAILURES, address)


def _pending_mac(secret_key: str, user: User, expires: int) -> str:
    message = f"sign-in-pending|{user.id}|{expires}|{user.password_hash}".encode()
    return hmac.new(secret_key.encode(), message, hashlib.sha256).hexdigest()


def pending_token(secret_key: str, user: User) -> str:
    """Proof, for five minutes, that this account's password was right (the code comes next)."""
    expires = int(time.time()) + PENDING_SECONDS
    return f"{user.id}.{expires}.{_pending_mac(secret_key, user, expires)}"


def pending_user(db: Session, secret_key: str, token: str) -> User | None:
    try:
        user_id, expires, mac = token.split(".")
        user = db.get(User, int(user_id))
        expires_at = int(expires)
    except ValueError:
        return None
    if user is None or not user.is_active or expires_at < time.time():
        return None
    return user if hmac.compare_digest(mac, _pending_mac(secret_key, user, expires_at)) else None


def new_secret() -> str:
    return pyotp.random_base32()


def provisioning_uri(secret: str, user: User) -> str:
    return pyotp.TOTP(secret).provisioning_uri(name=user.email, issuer_name=ISSUER)


def _valid(secret: str, code: str) -> bool:
    code = "".join(code.split())
    if not (secret and code.isdigit() and len(code) == 6):
        return False
    try:
        return pyotp.TOTP(secret).verify(code, valid_window=1)
    except (ValueError, binascii.Error):  # a tampered setup key
        return False


def code_is_right(limiter: RateLimiter, secret: str, code: str, user_id: int) -> bool:
    """The code signs in once: a code seen at sign-in is spent (it would stay valid up to 90 s)."""
    if not _valid(secret, code):
        return False
    return limiter.allow("totp-spent", "1/2 minutes", str(user_id), "".join(code.split()))


def turn_on(db: Session, user: User, secret: str, code: str) -> None:
    """Proof that the person's app shows this secret's codes (the code is not spent: it signs nobody in)."""
    if len(secret) != 32 or not _valid(secret, code):
        raise InvalidInput({"code": _("Enter the 6-digit code your app shows now")})
    user.totp_secret = secret
    audit.record(db, actor_id=user.id, action="user.totp_on", object_type="user", object_id=user.id)


def second_factor_required(settings: Settings, user: User) -> bool:
    """Admins in production must have a second factor before they can do anything else."""
    return settings.environment == "production" and user.is_admin and not user.totp_secret
