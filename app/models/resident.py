"""Residents' light accounts: the emailed one-time sign-in links, and the petitions they follow.

A resident is a `User` with the role `resident`: no password, no organisation. Following a
consultation is a results sign-up (`ResultsSubscriber`, by the account's address); following a forum
thread is a `ThreadFollow`; following a petition is a `PetitionFollow` (below).
"""

from datetime import datetime

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base, CreatedAtMixin


class ResidentSignInLink(CreatedAtMixin, Base):
    """An emailed, single-use, expiring sign-in link; the database keeps only the token's hash.
    Using the link deletes it; expired links are deleted by the next request for any link."""

    __tablename__ = "resident_sign_in_link"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(320), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    expires_at: Mapped[datetime]


class PetitionFollow(CreatedAtMixin, Base):
    """A resident following a petition: told what happens to it (with its signers who asked to be)."""

    __tablename__ = "petition_follow"
    __table_args__ = (UniqueConstraint("petition_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    petition_id: Mapped[int] = mapped_column(ForeignKey("petition.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
