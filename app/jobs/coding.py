"""Guided coding's jobs: learning from an officer's codes and proposing the rest (decision 0101).

The web process imports this module to enqueue these tasks by name; the model stack
(app/jobs/coding_work.py, which imports analysis.coding and scikit-learn) is imported inside each
task, so it loads only in the worker.
"""

from huey import crontab

from app.jobs import database, queue
from app.services.themes import coding


@queue.task()
def train_codes(run_id: int) -> None:
    from app.jobs import coding_work  # the worker's half: keeps scikit-learn out of the web process

    coding_work.execute_run(database(), run_id)


@queue.task()
def refresh_code_groups(frame_id: int) -> None:
    from app.jobs import coding_work  # the worker's half: keeps scipy out of the web process

    with database().transaction() as db:
        coding_work.refresh_groups(db, frame_id)


@queue.periodic_task(crontab(minute="*/2"))
def fail_stale_coding_runs() -> None:
    with database().transaction() as db:
        coding.fail_stale_runs(db)
