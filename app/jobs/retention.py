"""Retention, daily: answers anonymised, told subscribers deleted, old outbox emails purged."""

from huey import crontab

from app.config import get_settings
from app.jobs import database, queue
from app.services.privacy import retention


@queue.periodic_task(crontab(hour="3", minute="45"))
def apply_retention() -> dict:
    with database().transaction() as db:
        report = retention.run(db, get_settings())
    return report.__dict__
