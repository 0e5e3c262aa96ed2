"""Analysis runs and curation jobs: CPU work that never runs inside a web request."""

from huey import crontab

from app.jobs import database, queue
from app.services import analysis_runs


@queue.task()
def run_analysis(run_id: int) -> None:
    analysis_runs.execute_run(database(), run_id)


@queue.task()
def split_theme(theme_id: int, actor_id: int) -> None:
    from app.services import themes

    themes.execute_split(database(), theme_id, actor_id)


@queue.periodic_task(crontab(minute="*/2"))
def fail_stale_analysis_runs() -> None:
    with database().transaction() as db:
        analysis_runs.fail_stale_runs(db)


@queue.task()
def refresh_theme_groups(question_id: int) -> None:
    from app.services.theme_stats import refresh_groups

    with database().transaction() as db:
        refresh_groups(db, question_id)
