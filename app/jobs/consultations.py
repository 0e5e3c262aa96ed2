"""Close consultations whose closing time has passed and delete the drafts nobody sent."""

from huey import crontab

from app.jobs import database, queue
from app.services import consultations


@queue.periodic_task(crontab(minute="*/5"))
def close_due_consultations() -> None:
    with database().transaction() as db:
        consultations.close_due_consultations(db)
