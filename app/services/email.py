"""Emails are written to the outbox in the caller's transaction and sent by a background job."""

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.job_queue import enqueue_after_commit
from app.models.outbox import OutboxEmail


def queue_email(db: Session, *, to: str, subject: str, body: str, concerns: str = "") -> OutboxEmail:
    """`concerns` ("petition:12", "consultation:3") lets retention purge it with what it is about."""
    email = OutboxEmail(to_address=to, subject=subject[:300], body_text=body, concerns=concerns)
    db.add(email)
    db.flush()
    enqueue_after_commit(db, "email.send_email", email.id)
    return email


def recent_emails(db: Session, limit: int = 50) -> list[OutboxEmail]:
    return list(db.scalars(select(OutboxEmail).order_by(OutboxEmail.id.desc()).limit(limit)))
