"""Analysis runs and curation jobs: CPU work that never runs inside a web request.

The web process imports this module to enqueue these tasks by name; the model stack
(app/jobs/analysis_work.py) is imported inside each task, so it loads only in the worker.
"""

from huey import crontab

from app.jobs import database, queue
from app.services.themes import runs as analysis_runs


@queue.task()
def run_analysis(run_id: int) -> None:
    from app.jobs import analysis_work  # the worker's half: keeps torch out of the web process

    analysis_work.execute_run(database(), run_id)


@queue.task()
def split_theme(theme_id: int, actor_id: int) -> None:
    from app.jobs import analysis_work  # the worker's half: keeps torch out of the web process

    analysis_work.execute_split(database(), theme_id, actor_id)


@queue.periodic_task(crontab(minute="*/2"))
def fail_stale_analysis_runs() -> None:
    with database().transaction() as db:
        analysis_runs.fail_stale_runs(db)


@queue.task()
def refresh_theme_groups(question_id: int) -> None:
    from app.jobs import analysis_work  # the worker's half: keeps scipy out of the web process

    with database().transaction() as db:
        analysis_work.refresh_groups(db, question_id)
