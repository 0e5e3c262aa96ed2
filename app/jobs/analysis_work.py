"""The worker's half of analysis: executing a run, making the embedder, clustering a theme in two
for a split, refreshing who-said-it breakdowns. Only the worker imports this module (through the
tasks in app/jobs/analysis.py), so the web process never loads the model stack."""

import dataclasses
import time
from dataclasses import dataclass
from functools import lru_cache

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from analysis.embedding import FakeEmbedder, SentenceTransformerEmbedder, SqliteEmbeddingCache, embed
from analysis.groups import GroupComparer
from analysis.incremental import assign_incremental
from analysis.labels import Labeller
from analysis.pipeline import analyse
from analysis.result import Accounting, AnalysisResult
from analysis.result import Theme as AnalysedTheme
from analysis.themes import ThemeFinder
from app.config import get_settings
from app.db import Database
from app.models.analysis import AnalysisRun, Bucket, RunMode, RunStatus, Theme, ThemeAssignment, ThemeStatus
from app.models.base import utcnow
from app.models.consultation import Question
from app.services import audit, themes
from app.services.themes import results as theme_results
from app.services.themes.results import save_full, save_incremental
from app.services.themes.sources import (
    SOURCE_COLUMN,
    SourceText,
    group_columns,
    key_of,
    texts_for_question,
)

PROGRESS_INTERVAL_SECONDS = 0.5


@lru_cache(maxsize=2)
def make_embedder(kind: str):
    if kind == "fake":
        return FakeEmbedder(dim=64)
    return SentenceTransformerEmbedder()


def embedding_cache() -> SqliteEmbeddingCache:
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
    if run is None or not run.is_queued:
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
    cache = embedding_cache()
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
    groups = group_columns(items)
    stance = [item.stance for item in items] if any(item.stance for item in items) else None
    return analyse([item.text for item in items], groups=groups, stance=stance, embedder=embedder,
                   cache=cache, seed=seed, progress=progress)


def _incremental(items, previous, embedder, cache, seed, progress):
    if not items:
        return None
    return assign_incremental(previous, [item.text for item in items], embedder=embedder, cache=cache,
                              seed=seed, progress=progress)


def _previous_result(db: Session, question_id: int):
    """The question's live themes as an AnalysisResult, so new answers can be placed in them."""

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


def execute_split(database, theme_id: int, actor_id: int) -> None:
    """Re-cluster one theme's answers into two or more (the worker's half of a split)."""
    with database.transaction() as db:
        theme = db.get(Theme, theme_id)
        if theme is None or theme.status == ThemeStatus.MERGED:
            return
        question = db.get(Question, theme.question_id)
        rows = themes.theme_texts(db, question, theme)
        parts = _cluster_in_two_or_more(theme, [item.text for _, item in rows])
        if len(parts) < 2:
            return
        for label, members, centroid in parts:
            part = Theme(question_id=theme.question_id, run_id=theme.run_id, label=label.label[:200],
                         keywords=list(label.keywords),
                         quotes=[theme_results.quote(rows[i][1], q) for i, q in label.quotes],
                         centroid=[round(float(v), 6) for v in centroid], fit_threshold=theme.fit_threshold)
            db.add(part)
            db.flush()
            db.execute(update(ThemeAssignment)
                       .where(ThemeAssignment.id.in_([rows[i][0] for i in members]))
                       .values(theme_id=part.id, assigned_by_id=actor_id)
                       .execution_options(synchronize_session=False))
        theme.status = ThemeStatus.MERGED
        theme_results.refresh_sizes(db, theme.question_id)
        audit.record(db, actor_id=actor_id, action="theme.split", object_type="theme", object_id=theme.id,
                     parts=len(parts))
        refresh_groups(db, theme.question_id)


def _cluster_in_two_or_more(theme: Theme, texts: list[str]):
    embedder, cache = make_embedder("fake" if len(theme.centroid) == 64 else "minilm"), embedding_cache()
    try:
        x = embed(texts, embedder, cache=cache)
    finally:
        cache.close()
    clustering = ThemeFinder(k=2, seed=0).fit(x)
    clusters = sorted({int(c) for c in clustering.labels if c >= 0})
    members = [[i for i, c in enumerate(clustering.labels) if c == cluster] for cluster in clusters]
    keep = [(m, clustering.centroids[c]) for m, c in zip(members, clusters, strict=True) if m]
    if len(keep) < 2:
        return []
    # Texts the clustering left out stay with the nearest part, so nothing leaves the theme.
    placed = {i for m, _ in keep for i in m}
    for i in set(range(len(texts))) - placed:
        best = max(range(len(keep)), key=lambda p: float(x[i] @ keep[p][1]))
        keep[best][0].append(i)
    labels = Labeller().label(texts, x, [m for m, _ in keep], [c for _, c in keep])
    return [(label, m, c) for label, (m, c) in zip(labels, keep, strict=True)]


def refresh_groups(db: Session, question_id: int) -> None:
    question = db.get(Question, question_id)
    items = texts_for_question(db, question)
    position = {item.key: i for i, item in enumerate(items)}
    assigned = db.execute(select(*SOURCE_COLUMN.values(), ThemeAssignment.theme_id, ThemeAssignment.bucket)
                          .where(ThemeAssignment.question_id == question_id)).all()
    themes = [t for t in db.scalars(select(Theme).where(
        Theme.question_id == question_id, Theme.parent_id.is_(None), Theme.status != ThemeStatus.MERGED))]
    members = {t.id: [] for t in themes}
    population = []
    for *sources, theme_id, bucket in assigned:
        key = key_of(sources)
        if key not in position or bucket == Bucket.NO_COMMENT:
            continue
        population.append(position[key])
        if theme_id in members:
            members[theme_id].append(position[key])
    columns = group_columns(items)
    if not themes or not population:
        return
    flags = GroupComparer().compare(columns, [members[t.id] for t in themes], sorted(population))
    for theme, theme_flags in zip(themes, flags, strict=True):
        theme.groups = [dataclasses.asdict(flag) for flag in theme_flags]
