"""Send queued emails over SMTP, with retries; a sweep re-sends anything whose job was lost."""

import smtplib
from datetime import timedelta
from email.message import EmailMessage

from huey import crontab
from sqlalchemy import select

from app.config import get_settings
from app.jobs import database, queue
from app.models.base import utcnow
from app.models.outbox import EmailStatus, OutboxEmail

MAX_ATTEMPTS = 8


@queue.task(retries=5, retry_delay=30)
def send_email(email_id: int) -> None:
    with database().transaction() as db:
        email = db.get(OutboxEmail, email_id)
        if email is None or email.status != EmailStatus.QUEUED:
            return
        email.attempts += 1
        try:
            deliver(email)
        except (OSError, smtplib.SMTPException) as error:
            email.last_error = str(error)[:2000]
            if email.attempts >= MAX_ATTEMPTS:
                email.status = EmailStatus.FAILED
                return
            raise
        email.status = EmailStatus.SENT
        email.sent_at = utcnow()


def deliver(email: OutboxEmail) -> None:
    settings = get_settings()
    if not settings.smtp_host:
        return  # development: the outbox page shows what would have been sent
    message = EmailMessage()
    message["From"] = settings.mail_from
    message["To"] = email.to_address
    message["Subject"] = email.subject
    message.set_content(email.body_text)
    if email.body_html:  # multipart/alternative: clients show the HTML, or the same words as text
        message.add_alternative(email.body_html, subtype="html")
    with smtplib.SMTP(settings.smtp_host, settings.smtp_port, timeout=20) as smtp:
        if settings.smtp_starttls:
            smtp.starttls()
        if settings.smtp_username:
            smtp.login(settings.smtp_username, settings.smtp_password)
        smtp.send_message(message)


@queue.periodic_task(crontab(minute="*"))
def resend_stuck_emails() -> None:
    cutoff = utcnow() - timedelta(minutes=2)
    with database().transaction(write=False) as db:
        stuck = db.scalars(
            select(OutboxEmail.id).where(
                OutboxEmail.status == EmailStatus.QUEUED, OutboxEmail.created_at < cutoff
            ).limit(500)
        ).all()
    for email_id in stuck:
        send_email(email_id)
