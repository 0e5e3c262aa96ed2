"""Close consultations whose closing time has passed and delete the drafts nobody sent."""

from huey import crontab

from app.jobs import database, queue
from app.services import consultations
from app.services.consultations import tallies


@queue.periodic_task(crontab(minute="*/5"))
def close_due_consultations() -> None:
    with database().transaction() as db:
        consultations.close_due_consultations(db)


@queue.periodic_task(crontab(minute="*"))
def fold_results_tallies() -> None:
    """Keep results pages fast: fold new responses into each consultation's tallies."""
    with database().transaction(write=False) as db:
        consultation_ids = tallies.consultations_to_fold(db)
    for consultation_id in consultation_ids:
        with database().transaction() as db:
            tallies.fold(db, consultation_id)
