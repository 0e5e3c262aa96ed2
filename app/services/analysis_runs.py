"""Analysis runs: started by an officer, executed by a worker, written in one transaction at the end."""

import time
from dataclasses import dataclass
from datetime import timedelta
from functools import lru_cache

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from app.config import get_settings
from app.db import Database
from app.errors import Conflict, InvalidInput, NotFound
from app.job_queue import enqueue_after_commit
from app.models.analysis import AnalysisRun, Bucket, RunMode, RunStatus, Theme, ThemeStatus
from app.models.base import utcnow
from app.models.consultation import Question
from app.models.user import User
from app.services import audit
from app.services.analysis_sources import (
    SourceText,
    evidence_counts,
    group_columns,
    includes_forum_evidence,
    placed_evidence_count,
    texts_for_question,
)

PROGRESS_INTERVAL_SECONDS = 0.5
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
        raise InvalidInput({"question": "Only free-text questions can be analysed"})
    if active_run(db, question.id):
        raise Conflict("An analysis of this question is already running.")
    has_themes = db.scalar(select(func.count(Theme.id)).where(Theme.question_id == question.id))
    answers = db.scalar(select(func.count()).select_from(
        select(1).where(_answers_of(question)).subquery()))
    evidence = sum(evidence_counts(db, question).values()) if includes_forum_evidence(db, question.id) else 0
    if not has_themes and answers + evidence < MIN_TEXTS:
        raise Conflict(f"There are {answers + evidence} texts so far; analysis needs at least {MIN_TEXTS}.")
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
    from app.models.consultation_response import Answer

    return Answer.question_id == question.id


@lru_cache(maxsize=2)
def make_embedder(kind: str):
    from analysis.embedding import FakeEmbedder, SentenceTransformerEmbedder

    if kind == "fake":
        return FakeEmbedder(dim=64)
    return SentenceTransformerEmbedder()


def _cache():
    from analysis.embedding import SqliteEmbeddingCache

    path = get_settings().embedding_cache_path
    path.parent.mkdir(parents=True, exist_ok=True)
    return SqliteEmbeddingCache(path)


class _Progress:
    """Writes the stage and counts to the run row in short transactions of their own."""

    def __init__(self, database: Database, run_id: int):
        self.database = database
        self.run_id = run_id
        self._last = 0.0

    def __call__(self, stage: str, done: int, total: int) -> None:
        now = time.monotonic()
        if now - self._last < PROGRESS_INTERVAL_SECONDS and done < total:
            return
        self._last = now
        with self.database.transaction() as db:
            db.execute(update(AnalysisRun).where(AnalysisRun.id == self.run_id).values(
                stage=stage, progress_done=done, progress_total=total, heartbeat_at=utcnow()))


def execute_run(database: Database, run_id: int) -> None:
    """The worker's half: read the texts, analyse, then write every result in one transaction."""
    with database.transaction() as db:
        inputs = _claim(db, run_id)
    if inputs is None:
        return
    try:
        outcome, model_name = _compute(inputs, _Progress(database, run_id))
        with database.transaction() as db:
            _save(db, run_id, inputs, outcome, model_name)
    except Exception as error:
        with database.transaction() as db:
            _mark_failed(db, run_id, error)
        raise


def run_now(db: Session, run: AnalysisRun) -> None:
    """Run in the caller's transaction (demo data and the command line; never a web request)."""
    db.flush()
    inputs = _claim(db, run.id)
    outcome, model_name = _compute(inputs, lambda *args: None)
    _save(db, run.id, inputs, outcome, model_name)


@dataclass(frozen=True)
class _Inputs:
    items: list[SourceText]
    previous: object
    incremental: bool
    kind: str
    seed: int


def _claim(db: Session, run_id: int) -> _Inputs | None:
    run = db.get(AnalysisRun, run_id)
    if run is None or run.status != RunStatus.QUEUED:
        return None
    run.status, run.started_at, run.heartbeat_at = RunStatus.RUNNING, utcnow(), utcnow()
    question = db.get(Question, run.question_id)
    incremental = run.mode == RunMode.INCREMENTAL
    return _Inputs(
        items=texts_for_question(db, question, exclude_assigned=incremental),
        previous=_previous_result(db, question.id) if incremental else None,
        incremental=incremental, kind=run.parameters.get("embedder", "minilm"), seed=run.seed,
    )


def _compute(inputs: _Inputs, progress):
    embedder = make_embedder(inputs.kind)
    cache = _cache()
    try:
        if inputs.incremental:
            outcome = _incremental(inputs.items, inputs.previous, embedder, cache, inputs.seed, progress)
        else:
            outcome = _full(inputs.items, embedder, cache, inputs.seed, progress)
    finally:
        cache.close()
    progress("saving", 0, 1)
    return outcome, embedder.name


def _save(db: Session, run_id: int, inputs: _Inputs, outcome, model_name: str) -> None:
    from app.services.theme_results import save_full, save_incremental

    run = db.get(AnalysisRun, run_id)
    if inputs.incremental:
        save_incremental(db, run, inputs.items, outcome, inputs.previous)
    else:
        save_full(db, run, inputs.items, outcome)
    run.model_name = model_name
    run.status, run.stage, run.finished_at = RunStatus.SUCCEEDED, "done", utcnow()


def _mark_failed(db: Session, run_id: int, error: Exception) -> None:
    run = db.get(AnalysisRun, run_id)
    run.status, run.stage, run.finished_at = RunStatus.FAILED, "failed", utcnow()
    run.error = f"{type(error).__name__}: {error}"[:2000]


def _full(items: list[SourceText], embedder, cache, seed, progress):
    from analysis.pipeline import analyse

    groups = group_columns(items)
    stance = [item.stance for item in items] if any(item.stance for item in items) else None
    return analyse([item.text for item in items], groups=groups, stance=stance, embedder=embedder,
                   cache=cache, seed=seed, progress=progress)


def _incremental(items, previous, embedder, cache, seed, progress):
    from analysis.incremental import assign_incremental

    if not items:
        return None
    return assign_incremental(previous, [item.text for item in items], embedder=embedder, cache=cache,
                              seed=seed, progress=progress)


def _previous_result(db: Session, question_id: int):
    """The question's live themes as an AnalysisResult, so new answers can be placed in them."""
    from analysis.result import Accounting, AnalysisResult
    from analysis.result import Theme as AnalysedTheme

    themes = db.scalars(select(Theme).where(
        Theme.question_id == question_id, Theme.parent_id.is_(None),
        Theme.status != ThemeStatus.MERGED)).all()
    model = db.scalar(select(AnalysisRun.model_name).where(
        AnalysisRun.question_id == question_id, AnalysisRun.status == RunStatus.SUCCEEDED,
        AnalysisRun.mode == RunMode.FULL).order_by(AnalysisRun.id.desc()).limit(1))
    analysed = tuple(
        AnalysedTheme(id=str(t.id), label=t.label, keywords=tuple(t.keywords), size=t.size, share=0.0,
                      member_indices=(), quotes=(), centroid=tuple(t.centroid))
        for t in themes if t.centroid
    )
    return AnalysisResult(
        themes=analysed, other_indices=(), no_comment_indices=(), campaigns=(), assignment=(),
        accounting=Accounting(0, 0, 0, 0, 0), model_name=model or "", seed=0,
        parameters={"fit_thresholds": {str(t.id): t.fit_threshold for t in themes}}, seconds=0.0)


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
    from app.models.analysis import QuestionThemeStats

    counts = {bucket.value: 0 for bucket in Bucket}
    stats = db.get(QuestionThemeStats, question_id)
    if stats is not None:
        counts.update(stats.buckets)
    return counts


def unanalysed_count(db: Session, question_id: int) -> int:
    """Texts not placed yet: answers after the last placement (only the tail of the index is
    counted) and, when included, forum evidence no run has placed (a few hundred at most)."""
    from app.models.analysis import QuestionThemeStats
    from app.models.consultation_response import Answer

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
