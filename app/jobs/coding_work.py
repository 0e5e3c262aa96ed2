"""The worker's half of guided coding: train on the officer's codes, propose a code for every other
answer, rank them least sure first, and refresh who-said-it per code. Only the worker imports this
module (through the tasks in app/jobs/coding.py)."""

import dataclasses
import time
from dataclasses import dataclass

from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session

from analysis.coding import chosen_method, least_sure, propose_codes
from analysis.groups import GroupComparer
from app.config import get_settings
from app.db import Database
from app.jobs.analysis_work import embedding_cache, make_embedder
from app.models.analysis import RunStatus
from app.models.base import utcnow
from app.models.coding import Code, CodedAnswer, CodingFrame, CodingRun
from app.models.consultation import Question
from app.services.themes.sources import group_columns, texts_for_question

PROGRESS_INTERVAL_SECONDS = 0.5


class _Progress:
    """Writes the stage and counts to the run row in short transactions of their own."""

    def __init__(self, database: Database, run_id: int):
        self.database, self.run_id, self._last = database, run_id, 0.0

    def __call__(self, stage: str, done: int, total: int) -> None:
        now = time.monotonic()
        if now - self._last < PROGRESS_INTERVAL_SECONDS and done < total:
            return
        self._last = now
        with self.database.transaction() as db:
            db.execute(
                update(CodingRun)
                .where(CodingRun.id == self.run_id)
                .values(stage=stage, progress_done=done, progress_total=total, heartbeat_at=utcnow())
            )


@dataclass(frozen=True)
class _Inputs:
    frame_id: int
    answer_ids: list[int]
    texts: list[str]
    given: list[str | None]  # the officer's codes the model learns from (never held-out ones)
    settled: list[str | None]  # given, accepted or held out: not asked about next
    frame: dict[str, str]  # code name -> description
    code_ids: dict[str, int]
    kind: str


def execute_run(database: Database, run_id: int) -> None:
    with database.transaction() as db:
        inputs = _claim(db, run_id)
    if inputs is None:
        return
    try:
        started = time.monotonic()
        proposals, model_name = _compute(inputs, _Progress(database, run_id))
        with database.transaction() as db:
            _save(db, run_id, inputs, proposals, model_name, time.monotonic() - started)
    except Exception as error:
        with database.transaction() as db:
            run = db.get(CodingRun, run_id)
            run.status, run.stage, run.finished_at = RunStatus.FAILED, "failed", utcnow()
            run.error = f"{type(error).__name__}: {error}"[:2000]
        raise


def run_now(db: Session, run: CodingRun) -> None:
    """Train in the caller's transaction (the demo loader, a command; never a web request)."""
    db.flush()
    started = time.monotonic()
    inputs = _claim(db, run.id)
    proposals, model_name = _compute(inputs, lambda *args: None)
    _save(db, run.id, inputs, proposals, model_name, time.monotonic() - started)


def _claim(db: Session, run_id: int) -> _Inputs | None:
    run = db.get(CodingRun, run_id)
    if run is None or run.status != RunStatus.QUEUED:
        return None
    run.status, run.started_at, run.heartbeat_at, run.stage = (
        RunStatus.RUNNING,
        utcnow(),
        utcnow(),
        "preparing",
    )
    frame = db.get(CodingFrame, run.frame_id)
    codes = list(db.scalars(select(Code).where(Code.frame_id == frame.id).order_by(Code.position, Code.id)))
    names = {c.id: c.name for c in codes}
    rows = {r.answer_id: r for r in db.scalars(select(CodedAnswer).where(CodedAnswer.frame_id == frame.id))}
    answers = [
        item
        for item in texts_for_question(db, db.get(Question, frame.question_id))
        if item.source == "answer"
    ]
    given, settled = [], []
    for item in answers:
        row = rows.get(item.source_id)
        officer = names.get(row.officer_code_id) if row is not None and row.officer_code_id else None
        learn = officer if officer is not None and not row.holdout else None
        given.append(learn)
        done = row is not None and (row.officer_code_id or row.accepted_code_id or row.holdout)
        settled.append("settled" if done else None)
    run.trained_on = sum(g is not None for g in given)
    return _Inputs(
        frame.id,
        [item.source_id for item in answers],
        [item.text for item in answers],
        given,
        settled,
        {c.name: c.description for c in codes},
        {c.name: c.id for c in codes},
        get_settings().analysis_embedder,
    )


def _compute(inputs: _Inputs, progress):
    embedder = make_embedder(inputs.kind)
    method = chosen_method(embedder, sum(code is not None for code in inputs.given))
    cache = embedding_cache()
    try:
        proposals = propose_codes(
            inputs.texts,
            inputs.given,
            inputs.frame,
            embedder=embedder,
            cache=cache,
            seed=0,
            progress=progress,
            method=method,
        )
    finally:
        cache.close()
    progress("saving", 0, 1)
    return proposals, f"{embedder.name}, fine-tuned" if method == "finetune" else embedder.name


def _save(db: Session, run_id: int, inputs: _Inputs, proposals, model_name: str, seconds: float) -> None:
    run = db.get(CodingRun, run_id)
    order = least_sure(proposals, inputs.settled, len(proposals))
    rank = {index: position for position, index in enumerate(order)}
    existing = dict(
        db.execute(
            select(CodedAnswer.answer_id, CodedAnswer.id).where(CodedAnswer.frame_id == inputs.frame_id)
        ).all()
    )
    updates, inserts, abstained = [], [], 0
    for index, (answer_id, proposal) in enumerate(zip(inputs.answer_ids, proposals, strict=True)):
        if inputs.given[index] is not None:
            continue  # an officer's code: nothing to propose
        code_id = inputs.code_ids.get(proposal.code) if proposal.code else None
        abstained += code_id is None
        values = {
            "proposed_code_id": code_id,
            "confidence": proposal.confidence,
            "uncertainty_rank": rank.get(index),
            "proposed_run_id": run_id,
        }
        if answer_id in existing:
            updates.append({"id": existing[answer_id], **values})
        else:
            inserts.append(
                {
                    "frame_id": inputs.frame_id,
                    "answer_id": answer_id,
                    "holdout": False,
                    "skipped": False,
                    **values,
                }
            )
    if updates:
        db.execute(update(CodedAnswer), updates)
    if inserts:
        db.execute(insert(CodedAnswer), inserts)
    run.model_name = model_name
    run.summary = {
        "answers": len(proposals),
        "proposed": len(updates) + len(inserts) - abstained,
        "abstained": abstained,
        "seconds": round(seconds, 2),
    }
    run.status, run.stage, run.finished_at = RunStatus.SUCCEEDED, "done", utcnow()
    run.progress_done = run.progress_total = 1
    db.flush()
    refresh_groups(db, inputs.frame_id)


def refresh_groups(db: Session, frame_id: int) -> None:
    """Who said it, per code, over the answers counted under each (officer's codes and accepted
    proposals): the same comparison the themes page makes."""
    frame = db.get(CodingFrame, frame_id)
    if frame is None:
        return
    items = [
        item
        for item in texts_for_question(db, db.get(Question, frame.question_id))
        if item.source == "answer"
    ]
    position = {item.source_id: i for i, item in enumerate(items)}
    codes = list(db.scalars(select(Code).where(Code.frame_id == frame_id).order_by(Code.position, Code.id)))
    members: dict[int, list[int]] = {c.id: [] for c in codes}
    population = []
    for answer_id, officer, accepted in db.execute(
        select(CodedAnswer.answer_id, CodedAnswer.officer_code_id, CodedAnswer.accepted_code_id).where(
            CodedAnswer.frame_id == frame_id
        )
    ):
        code_id = officer or accepted
        if code_id in members and answer_id in position:
            members[code_id].append(position[answer_id])
            population.append(position[answer_id])
    columns = group_columns(items)
    if not codes or not population or not columns:
        return
    flags = GroupComparer().compare(columns, [sorted(members[c.id]) for c in codes], sorted(population))
    for code, code_flags in zip(codes, flags, strict=True):
        code.groups = [dataclasses.asdict(flag) for flag in code_flags]
