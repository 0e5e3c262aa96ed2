"""argon2id password hashing (argon2-cffi defaults follow RFC 9106's recommendations)."""

import os

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from argon2.profiles import CHEAPEST

# Tests create hundreds of accounts: they use argon2id's cheapest parameters, never production.
_hasher = (PasswordHasher.from_parameters(CHEAPEST) if os.environ.get("CHORUS_ENV") == "test"
           else PasswordHasher())
# Verified against when an account does not exist, so that timing does not reveal which exist.
_DUMMY_HASH = _hasher.hash("chorus-dummy-password-for-timing")
MIN_PASSWORD_LENGTH = 12


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    try:
        return _hasher.verify(password_hash or _DUMMY_HASH, password) and password_hash is not None
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    return _hasher.check_needs_rehash(password_hash)
