"""People who sign in (staff, organisation members), their roles and sessions."""

import enum
from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.models.base import DEFAULT_LANGUAGE, Base, CreatedAtMixin, str_enum
from app.models.organisation import Organisation


class Role(enum.StrEnum):
    ADMIN = "admin"
    OFFICER = "officer"
    ORGANISER = "organiser"
    MEMBER = "member"  # posts for an organisation; invited by one of its organisers
    COUNCILLOR = "councillor"  # scrutiny: reads the reviews whose team they are on, comments; never edits
    # subject access and erasure, equalities exports (services/subject_access.py); nothing else
    DATA_PROTECTION = "data_protection"
    # a resident's light account (issue 27, decision 0104): no password, no organisation; signs in by an
    # emailed one-time link (services/accounts/residents.py), replies in public forums, follows things
    RESIDENT = "resident"


class User(CreatedAtMixin, Base):
    """A signed-in account: council staff (admin, officer), an organisation's organiser or member, or a
    resident (role `resident`: a light account with no password)."""

    __tablename__ = "user_account"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(320), unique=True)
    display_name: Mapped[str] = mapped_column(String(200))
    password_hash: Mapped[str] = mapped_column(String(200))
    role: Mapped[Role] = mapped_column(str_enum(Role))
    organisation_id: Mapped[int | None] = mapped_column(
        ForeignKey("organisation.id", ondelete="RESTRICT"), index=True
    )
    is_active: Mapped[bool] = mapped_column(default=True)
    last_sign_in_at: Mapped[datetime | None]
    # RFC 6238 second factor (base32), set once the person has proved their app shows the codes.
    totp_secret: Mapped[str | None] = mapped_column(String(64))
    language: Mapped[str] = mapped_column(String(10), default=DEFAULT_LANGUAGE)  # the email language

    organisation: Mapped[Organisation | None] = relationship(lazy="raise")

    @property
    def is_staff(self) -> bool:
        return self.role in (Role.ADMIN, Role.OFFICER)

    @property
    def is_admin(self) -> bool:
        return self.role == Role.ADMIN

    @property
    def is_councillor(self) -> bool:
        return self.role == Role.COUNCILLOR

    @property
    def is_resident(self) -> bool:
        return self.role == Role.RESIDENT


class StaffSession(CreatedAtMixin, Base):
    """Server-side sign-in session; the cookie holds only a random token whose hash is stored."""

    __tablename__ = "staff_session"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    last_seen_at: Mapped[datetime]

    user: Mapped[User] = relationship(lazy="raise")


class Invitation(CreatedAtMixin, Base):
    """An emailed, single-use link for a new account."""

    __tablename__ = "invitation"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(320), index=True)
    role: Mapped[Role] = mapped_column(str_enum(Role))
    organisation_id: Mapped[int | None] = mapped_column(
        ForeignKey("organisation.id", ondelete="CASCADE")
    )
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    expires_at: Mapped[datetime]
    accepted_at: Mapped[datetime | None]
    invited_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    language: Mapped[str] = mapped_column(String(10), default=DEFAULT_LANGUAGE)

    organisation: Mapped[Organisation | None] = relationship(lazy="raise")


class PasswordReset(CreatedAtMixin, Base):
    """An emailed, single-use, expiring link to set a new password (its token stored hashed)."""

    __tablename__ = "password_reset"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]
