"""The analysis worker is SIGKILLed in the middle of a run.

A real `python -m app worker` (fake embedder) analyses a question of a few thousand answers, which
takes seconds; it is killed while the run is computing. Nothing of the run is stored (its results
are written in one transaction at the end), the run never shows as done, and a worker restarted
with a short ANALYSIS_STALE_AFTER_SECONDS marks it failed when its sweep runs, after which the
officer can start the analysis again.
"""

import itertools
import time
import uuid

from sqlalchemy import func, insert, select

from app import jobs
from app.jobs import make_queue
from app.jobs.analysis import fail_stale_analysis_runs, run_analysis
from app.models.analysis import AnalysisRun, RunStatus, Theme, ThemeAssignment
from app.models.base import utcnow
from app.models.consultation import Channel, Consultation, ConsultationState, Question, QuestionKind
from app.models.consultation_response import Answer, Response
from app.models.user import Role
from app.services import reviews
from app.services.themes import runs as analysis_runs
from tests import factories
from tests.factories.evidence import real_comments
from tests.faults.processes import Worker

ANSWERS = 3000  # a few seconds of work for the fake embedder and the clustering
COMPUTING = {"embedding", "clustering", "labelling", "sub-themes"}


def _question_with_answers(database) -> tuple[int, int]:
    with database.transaction() as db:
        officer = factories.user(db, Role.OFFICER)
        review = reviews.create_review(db, title="Home care review", service="Home care")
        consultation = Consultation(review_id=review.id, title="Home care", summary="Tell us.",
                                    state=ConsultationState.CLOSED)
        db.add(consultation)
        db.flush()
        question = Question(consultation_id=consultation.id, page=1, position=1, kind=QuestionKind.LONG_TEXT,
                            text="What could the service do better?")
        db.add(question)
        db.flush()
        comments = itertools.cycle(real_comments(500))
        ids = db.execute(insert(Response).returning(Response.id), [
            {"consultation_id": consultation.id, "reference": uuid.uuid4().hex[:12].upper(),
             "idempotency_key": uuid.uuid4().hex, "respondent_type": "resident", "channel": Channel.ONLINE,
             "is_panel": False, "organisation_name": "", "submitted_at": utcnow()}
            for _ in range(ANSWERS)]).scalars().all()
        db.execute(insert(Answer), [{"response_id": response_id, "question_id": question.id,
                                     "value_text": f"{next(comments)} (person {n})"}
                                    for n, response_id in enumerate(ids)])
        return question.id, officer.id


def _start_run(database, question_id: int, officer_id: int) -> int:
    """The officer's 'Find themes', its job put on the worker's queue instead of run in this process."""
    with database.transaction() as db:
        from app.models.user import User

        run = analysis_runs.start_run(db, db.get(Question, question_id), db.get(User, officer_id))
        db.info.pop("jobs_after_commit")  # tests run jobs at once; here the real worker must take it
        return run.id


def _enqueue(workdir, task, *args) -> None:
    """Put a job on the worker's queue, serialised exactly as the app would."""
    make_queue(f"sqlite:///{workdir / 'queue.db'}").storage.enqueue(jobs.queue.serialize_task(task.s(*args)))


def _run(database, run_id: int) -> AnalysisRun:
    with database.transaction(write=False) as db:
        return db.get(AnalysisRun, run_id)


def _results_of(database, question_id: int) -> tuple[int, int]:
    with database.transaction(write=False) as db:
        themes = db.scalar(select(func.count()).select_from(Theme).where(Theme.question_id == question_id))
        assigned = db.scalar(select(func.count()).select_from(ThemeAssignment)
                             .where(ThemeAssignment.question_id == question_id))
    return themes, assigned


def _wait_for(condition, timeout: float, what: str, worker: Worker):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = condition()
        if found:
            return found
        time.sleep(0.05)
    raise AssertionError(f"{what} did not happen within {timeout} s:\n{worker.log_tail()}")


def test_killed_worker_leaves_no_half_result_and_the_run_is_marked_failed(committed_database, tmp_path):
    question_id, officer_id = _question_with_answers(committed_database)
    run_id = _start_run(committed_database, question_id, officer_id)
    _enqueue(tmp_path, run_analysis, run_id)
    worker = Worker(committed_database.url, tmp_path)
    try:
        computing = _wait_for(lambda: (run := _run(committed_database, run_id)).stage in COMPUTING and run,
                              90, "the run reaching its computing stages", worker)
        worker.kill()
    finally:
        worker.stop()
    assert computing.status == RunStatus.RUNNING
    stuck = _run(committed_database, run_id)
    assert stuck.status == RunStatus.RUNNING, f"the run ended before the kill ({stuck.status}): make it bigger"
    assert _results_of(committed_database, question_id) == (0, 0), "part of the killed run was saved"

    # The worker comes back; its stale-run sweep (every 2 minutes) runs now, with a 1 s staleness.
    time.sleep(1.1)
    restarted = Worker(committed_database.url, tmp_path, ANALYSIS_STALE_AFTER_SECONDS="1")
    try:
        _enqueue(tmp_path, fail_stale_analysis_runs)
        failed = _wait_for(lambda: (run := _run(committed_database, run_id)).status != RunStatus.RUNNING and run,
                           60, "the sweep marking the run failed", restarted)
    finally:
        restarted.stop()
    assert failed.status == RunStatus.FAILED and "worker stopped" in failed.error
    assert _results_of(committed_database, question_id) == (0, 0)
    with committed_database.transaction() as db:
        assert analysis_runs.active_run(db, question_id) is None  # the officer may start again
