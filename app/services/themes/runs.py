"""Analysis runs: started by an officer, executed by a worker, written in one transaction at the end."""

from datetime import timedelta

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from app.config import get_settings
from app.errors import Conflict, InvalidInput, NotFound
from app.i18n import _, ngettext
from app.job_queue import enqueue_after_commit
from app.models.analysis import AnalysisRun, Bucket, QuestionThemeStats, RunMode, RunStatus, Theme
from app.models.base import utcnow
from app.models.consultation import Question
from app.models.consultation_response import Answer
from app.models.user import User
from app.services import audit
from app.services.themes.sources import (
    evidence_counts,
    includes_forum_evidence,
    placed_evidence_count,
)

MIN_TEXTS = 5


def get_run(db: Session, run_id: int) -> AnalysisRun:
    run = db.get(AnalysisRun, run_id)
    if run is None:
        raise NotFound()
    return run


def runs_for_question(db: Session, question_id: int) -> list[AnalysisRun]:
    return list(db.scalars(select(AnalysisRun).where(AnalysisRun.question_id == question_id)
                           .order_by(AnalysisRun.id.desc())))


def active_run(db: Session, question_id: int) -> AnalysisRun | None:
    return db.scalars(select(AnalysisRun).where(
        AnalysisRun.question_id == question_id,
        AnalysisRun.status.in_([RunStatus.QUEUED, RunStatus.RUNNING]))).first()


def start_run(db: Session, question: Question, officer: User, *, seed: int = 0) -> AnalysisRun:
    """Queue a run: the first is a full analysis; later ones place only new answers (curation kept)."""
    if not question.kind.is_text:
        raise InvalidInput({"question": _("Only free-text questions can be analysed")})
    if active_run(db, question.id):
        raise Conflict(_("An analysis of this question is already running."))
    has_themes = db.scalar(select(func.count(Theme.id)).where(Theme.question_id == question.id))
    answers = db.scalar(select(func.count()).select_from(
        select(1).where(_answers_of(question)).subquery()))
    evidence = sum(evidence_counts(db, question).values()) if includes_forum_evidence(db, question.id) else 0
    if not has_themes and answers + evidence < MIN_TEXTS:
        raise Conflict(ngettext("There is {count} text so far; analysis needs at least {least}.",
                                  "There are {count} texts so far; analysis needs at least {least}.",
                                  answers + evidence).format(count=answers + evidence, least=MIN_TEXTS))
    run = AnalysisRun(question_id=question.id, mode=RunMode.INCREMENTAL if has_themes else RunMode.FULL,
                      seed=seed, created_by_id=officer.id,
                      parameters={"embedder": get_settings().analysis_embedder})
    db.add(run)
    db.flush()
    audit.record(db, actor_id=officer.id, action="analysis.start", object_type="analysis_run",
                 object_id=run.id, question_id=question.id, mode=run.mode.value)
    enqueue_after_commit(db, "analysis.run_analysis", run.id)
    return run


def _answers_of(question: Question):
    return Answer.question_id == question.id


def fail_stale_runs(db: Session) -> int:
    """A worker killed mid-run leaves a run 'running' with an old heartbeat: mark it failed."""
    cutoff = utcnow() - timedelta(seconds=get_settings().analysis_stale_after_seconds)
    result = db.execute(update(AnalysisRun).where(
        AnalysisRun.status == RunStatus.RUNNING, AnalysisRun.heartbeat_at < cutoff,
    ).values(status=RunStatus.FAILED, stage="failed", finished_at=utcnow(),
             error="The worker stopped before the run finished; nothing from it was saved. "
                   "Start the analysis again."))
    return result.rowcount or 0


def bucket_counts(db: Session, question_id: int) -> dict[str, int]:
    """How many answers ended where, from the counts stored when assignments last changed."""
    counts = {bucket.value: 0 for bucket in Bucket}
    stats = db.get(QuestionThemeStats, question_id)
    if stats is not None:
        counts.update(stats.buckets)
    return counts


def unanalysed_count(db: Session, question_id: int) -> int:
    """Texts not placed yet: answers after the last placement (only the tail of the index is
    counted) and, when included, forum evidence no run has placed (a few hundred at most)."""

    stats = db.get(QuestionThemeStats, question_id)
    last = stats.last_answer_id if stats else 0
    answers = db.scalar(select(func.count(Answer.id)).where(Answer.question_id == question_id,
                                                            Answer.id > last)) or 0
    return answers + unanalysed_evidence_count(db, question_id)


def unanalysed_evidence_count(db: Session, question_id: int) -> int:
    if not includes_forum_evidence(db, question_id):
        return 0
    available = sum(evidence_counts(db, db.get(Question, question_id)).values())
    return max(0, available - placed_evidence_count(db, question_id))
