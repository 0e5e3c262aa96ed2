"""Emails are written to the outbox in the caller's transaction and sent by a background job."""

from datetime import datetime, timedelta

from sqlalchemy import delete, or_, select
from sqlalchemy.orm import Session

from app.job_queue import enqueue_after_commit
from app.models.outbox import EmailStatus, OutboxEmail


def queue_email(db: Session, *, to: str, subject: str, body: str, concerns: str = "") -> OutboxEmail:
    """`concerns` ("petition:12", "consultation:3") lets retention purge it with what it is about."""
    email = OutboxEmail(to_address=to, subject=subject[:300], body_text=body, concerns=concerns)
    db.add(email)
    db.flush()
    enqueue_after_commit(db, "email.send_email", email.id)
    return email


def recent_emails(db: Session, limit: int = 50) -> list[OutboxEmail]:
    return list(db.scalars(select(OutboxEmail).order_by(OutboxEmail.id.desc()).limit(limit)))


def purge_concerning(db: Session, concerns: str) -> int:
    """Emails about something now anonymised: sent or failed ones go; queued ones still go out."""
    result = db.execute(delete(OutboxEmail).where(
        or_(OutboxEmail.concerns == concerns, OutboxEmail.concerns.startswith(f"{concerns}:")),
        OutboxEmail.status != EmailStatus.QUEUED))
    return result.rowcount or 0


def purge_outbox(db: Session, now: datetime, days: int) -> int:
    cutoff = now - timedelta(days=days)
    result = db.execute(delete(OutboxEmail).where(
        OutboxEmail.status != EmailStatus.QUEUED, OutboxEmail.created_at <= cutoff))
    return result.rowcount or 0
