"""Citizens' panel outreach analyses run here, never in a request.

One LP per LEXIMIN level, for every short group and number of recruits: seconds to minutes on a
large pool."""

from huey import crontab

from app.jobs import database, queue
from app.services.panels.outreach import fail_stale_analyses, perform_analysis


@queue.task()
def run_outreach_analysis(analysis_id: int) -> None:
    perform_analysis(database(), analysis_id)


@queue.periodic_task(crontab(minute="*/10"))
def fail_stale_outreach_analyses() -> None:
    with database().transaction() as db:
        fail_stale_analyses(db)
