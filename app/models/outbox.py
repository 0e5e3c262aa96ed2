"""The email outbox: every email is written here in the caller's transaction and sent by a job."""

import enum
from datetime import datetime

from sqlalchemy import String, Text
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base, CreatedAtMixin, str_enum


class EmailStatus(enum.StrEnum):
    QUEUED = "queued"
    SENT = "sent"
    FAILED = "failed"


class EmailOptOut(CreatedAtMixin, Base):
    """An address that used the one unsubscribe link in an outcome email: stored as its SHA-256 only."""

    __tablename__ = "email_opt_out"

    address_sha256: Mapped[str] = mapped_column(String(64), primary_key=True)


class OutboxEmail(CreatedAtMixin, Base):
    """An email written in the same transaction as the change that caused it, sent by a job."""

    __tablename__ = "outbox_email"

    id: Mapped[int] = mapped_column(primary_key=True)
    to_address: Mapped[str] = mapped_column(String(320))
    subject: Mapped[str] = mapped_column(String(300))
    body_text: Mapped[str] = mapped_column(Text)
    # The same content as HTML (services/email.py renders both); sent as multipart/alternative.
    body_html: Mapped[str] = mapped_column(Text, default="", server_default="")
    status: Mapped[EmailStatus] = mapped_column(str_enum(EmailStatus), default=EmailStatus.QUEUED, index=True)
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str] = mapped_column(Text, default="")
    sent_at: Mapped[datetime | None]
    # What the email is about ("petition:12", "consultation:3"): its personal data goes when that is
    # anonymised (services/retention.py), or after OUTBOX_RETENTION_DAYS at the latest.
    concerns: Mapped[str] = mapped_column(String(60), default="", server_default="", index=True)
