"""Guided coding (decision 0101): an officer's coding frame for a free-text question, answers coded one
at a time, and Chorus proposing codes for the rest after every 20 (trained in a worker job). The
held-out check, bulk acceptance, counts and the CSV are in coding_results.

An officer's code always beats the machine's: an answer counts under the officer's own code, else
under a proposal an officer accepted; a later training changes proposals only. Held-out answers are
coded blind and never trained on, so agreement with the machine is measured honestly. Every change
is audited. The model stack stays in the worker (app/jobs/coding_work.py).
"""

import random
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from analysis.language import language_of
from app.config import get_settings
from app.errors import Conflict, InvalidInput, NotFound
from app.i18n import _
from app.job_queue import enqueue_after_commit
from app.models.analysis import RunStatus
from app.models.base import utcnow
from app.models.coding import Code, CodedAnswer, CodingFrame, CodingRun
from app.models.consultation import Question
from app.models.consultation_response import Answer
from app.models.user import User
from app.services import audit
from app.services.themes import live_themes

TRAIN_EVERY = 20  # coded answers between trainings
MAX_CODES = 200


def frame_for(db: Session, question_id: int) -> CodingFrame | None:
    return db.scalar(select(CodingFrame).where(CodingFrame.question_id == question_id))


def require_frame(db: Session, question_id: int) -> CodingFrame:
    frame = frame_for(db, question_id)
    if frame is None:
        raise NotFound()
    return frame


def start_frame(db: Session, question: Question, officer: User, *, from_themes: bool) -> CodingFrame:
    """A new frame: empty, or one code per current top-level theme (its label and description)."""
    if not question.kind.is_text:
        raise InvalidInput({"start": _("Only free-text questions can be coded")})
    if frame_for(db, question.id) is not None:
        raise Conflict(_("This question already has a coding frame."))
    frame = CodingFrame(
        question_id=question.id, started_from="themes" if from_themes else "scratch", created_by_id=officer.id
    )
    db.add(frame)
    db.flush()
    if from_themes:
        seen: set[str] = set()
        for position, theme in enumerate(live_themes(db, question.id)):
            name = _unique_name(theme.label[:200], seen)
            seen.add(name.casefold())
            db.add(
                Code(
                    frame_id=frame.id,
                    name=name,
                    description=theme.description or "",
                    position=position,
                    theme_id=theme.id,
                )
            )
        db.flush()
    audit.record(
        db,
        actor_id=officer.id,
        action="coding.start",
        object_type="coding_frame",
        object_id=frame.id,
        question_id=question.id,
        started_from=frame.started_from,
        codes=len(codes_of(db, frame)),
    )
    return frame


def _unique_name(name: str, taken: set[str]) -> str:
    candidate, n = name, 2
    while candidate.casefold() in taken:
        suffix = f" ({n})"
        candidate, n = name[: 200 - len(suffix)] + suffix, n + 1
    return candidate


def codes_of(db: Session, frame: CodingFrame) -> list[Code]:
    return list(db.scalars(select(Code).where(Code.frame_id == frame.id).order_by(Code.position, Code.id)))


def get_code(db: Session, frame: CodingFrame, code_id: int) -> Code:
    code = db.get(Code, code_id)
    if code is None or code.frame_id != frame.id:
        raise NotFound()
    return code


def _clean_code(
    db: Session,
    frame: CodingFrame,
    name: str,
    description: str,
    *,
    field_prefix: str = "",
    code: Code | None = None,
) -> tuple[str, str]:
    name = " ".join((name or "").split())
    description = (description or "").strip()
    errors = {}
    if not name:
        errors[f"{field_prefix}name"] = _("Enter a name for the code")
    elif len(name) > 200:
        errors[f"{field_prefix}name"] = _("The code's name must be 200 characters or fewer")
    elif any(
        other.name.casefold() == name.casefold() and (code is None or other.id != code.id)
        for other in codes_of(db, frame)
    ):
        errors[f"{field_prefix}name"] = _("The frame already has a code with that name")
    if len(description) > 2000:
        errors[f"{field_prefix}description"] = _("The description must be 2,000 characters or fewer")
    if errors:
        raise InvalidInput(errors)
    return name, description


def add_code(
    db: Session, frame: CodingFrame, name: str, description: str, officer: User, *, field_prefix: str = ""
) -> Code:
    name, description = _clean_code(db, frame, name, description, field_prefix=field_prefix)
    existing = codes_of(db, frame)
    if len(existing) >= MAX_CODES:
        message = _("A frame can have at most {limit} codes").format(limit=MAX_CODES)
        raise InvalidInput({f"{field_prefix}name": message})
    code = Code(
        frame_id=frame.id,
        name=name,
        description=description,
        position=max((c.position for c in existing), default=-1) + 1,
    )
    db.add(code)
    db.flush()
    audit.record(
        db,
        actor_id=officer.id,
        action="coding.add_code",
        object_type="coding_code",
        object_id=code.id,
        frame_id=frame.id,
        name=name,
    )
    return code


def edit_code(
    db: Session, frame: CodingFrame, code: Code, name: str, description: str, officer: User
) -> None:
    name, description = _clean_code(db, frame, name, description, code=code)
    before = {"name": code.name, "description": code.description}
    code.name, code.description = name, description
    db.flush()
    audit.record(
        db,
        actor_id=officer.id,
        action="coding.edit_code",
        object_type="coding_code",
        object_id=code.id,
        frame_id=frame.id,
        before=before,
        after={"name": name, "description": description},
    )


# ---- coding answers one at a time -------------------------------------------------------------


@dataclass(frozen=True)
class AnswerToCode:
    answer_id: int
    text: str
    proposed: Code | None
    confidence: float | None
    officer_code_id: int | None
    holdout: bool
    language: str | None = None  # named when not English: the model behind proposals reads English only


def _answer_of(db: Session, frame: CodingFrame, answer_id: int) -> Answer:
    answer = db.get(Answer, answer_id)
    if answer is None or answer.question_id != frame.question_id or not (answer.value_text or "").strip():
        raise NotFound()
    return answer


def row_for(db: Session, frame: CodingFrame, answer_id: int) -> CodedAnswer:
    row = db.scalar(
        select(CodedAnswer).where(CodedAnswer.frame_id == frame.id, CodedAnswer.answer_id == answer_id)
    )
    if row is None:
        row = CodedAnswer(frame_id=frame.id, answer_id=answer_id, holdout=False, skipped=False)
        db.add(row)
    return row


def answer_to_code(db: Session, frame: CodingFrame, answer_id: int) -> AnswerToCode:
    answer = _answer_of(db, frame, answer_id)
    row = db.scalar(
        select(CodedAnswer).where(CodedAnswer.frame_id == frame.id, CodedAnswer.answer_id == answer_id)
    )
    proposed = db.get(Code, row.proposed_code_id) if row is not None and row.proposed_code_id else None
    return AnswerToCode(
        answer.id,
        answer.value_text,
        proposed,
        row.confidence if row else None,
        row.officer_code_id if row else None,
        bool(row and row.holdout),
        language_of(answer.value_text or ""),
    )


def next_answer(db: Session, frame: CodingFrame, *, check: bool = False) -> AnswerToCode | None:
    """The next answer to ask the officer about. In a held-out check: the next held-out answer not yet
    coded. Otherwise the answer Chorus is least sure of (lowest confidence in the latest proposals),
    then answers no training has seen yet (a seeded random order, so they spread over the answers)."""
    if check:
        answer_id = db.scalar(
            select(CodedAnswer.answer_id)
            .where(
                CodedAnswer.frame_id == frame.id,
                CodedAnswer.holdout.is_(True),
                CodedAnswer.officer_code_id.is_(None),
            )
            .order_by(CodedAnswer.id)
            .limit(1)
        )
        return answer_to_code(db, frame, answer_id) if answer_id else None
    open_row = (
        CodedAnswer.frame_id == frame.id,
        CodedAnswer.officer_code_id.is_(None),
        CodedAnswer.accepted_code_id.is_(None),
        CodedAnswer.holdout.is_(False),
        CodedAnswer.skipped.is_(False),
    )
    answer_id = db.scalar(
        select(CodedAnswer.answer_id)
        .where(*open_row, CodedAnswer.uncertainty_rank.is_not(None))
        .order_by(CodedAnswer.uncertainty_rank, CodedAnswer.answer_id)
        .limit(1)
    )
    if answer_id is None:
        handled = select(CodedAnswer.answer_id).where(
            CodedAnswer.frame_id == frame.id,
            (CodedAnswer.officer_code_id.is_not(None))
            | (CodedAnswer.accepted_code_id.is_not(None))
            | CodedAnswer.holdout.is_(True)
            | CodedAnswer.skipped.is_(True)
            | CodedAnswer.uncertainty_rank.is_not(None),
        )
        candidates = list(
            db.scalars(
                select(Answer.id)
                .where(
                    Answer.question_id == frame.question_id,
                    Answer.value_text != "",
                    Answer.id.not_in(handled),
                )
                .order_by(Answer.id)
            )
        )
        if not candidates:
            return None
        rng = random.Random(frame.id * 1_000_003 + len(candidates))  # noqa: S311 - an order, not a secret
        answer_id = rng.choice(candidates)
    return answer_to_code(db, frame, answer_id)


def code_answer(
    db: Session, frame: CodingFrame, answer_id: int, officer: User, *, code_id: str = "", new_code: str = ""
) -> Code:
    """The officer's code for one answer (an existing code, or a new one named here). It replaces any
    earlier code of theirs and beats every proposal. Every 20th code starts a training."""
    _answer_of(db, frame, answer_id)
    new_code = " ".join((new_code or "").split())
    if new_code:
        try:
            code = add_code(db, frame, new_code, "", officer)
        except InvalidInput as error:
            raise InvalidInput({"new_code": next(iter(error.errors.values()))}) from error
    elif code_id.isdigit() and len(code_id) < 10:  # an id, not a number past the column
        code = db.get(Code, int(code_id))
        if code is None or code.frame_id != frame.id:
            raise InvalidInput({"code": _("Choose one of the frame's codes")})
    else:
        raise InvalidInput({"code": _("Choose a code, or name a new one")})
    row = row_for(db, frame, answer_id)
    before = {
        "officer": row.officer_code_id,
        "accepted": row.accepted_code_id,
        "proposed": row.proposed_code_id,
        "confidence": row.confidence,
    }
    first_time = row.officer_code_id is None
    row.officer_code_id, row.coded_by_id, row.coded_at, row.skipped = code.id, officer.id, utcnow(), False
    db.flush()
    audit.record(
        db,
        actor_id=officer.id,
        action="coding.code_answer",
        object_type="answer",
        object_id=answer_id,
        frame_id=frame.id,
        code=code.id,
        code_name=code.name,
        holdout=row.holdout,
        before=before,
    )
    if first_time and not row.holdout:
        frame.coded_since_run += 1
        if frame.coded_since_run >= TRAIN_EVERY and active_run(db, frame) is None:
            start_training(db, frame, officer)
    return code


def skip(db: Session, frame: CodingFrame, answer_id: int, officer: User) -> None:
    _answer_of(db, frame, answer_id)
    row = row_for(db, frame, answer_id)
    row.skipped = True
    db.flush()
    audit.record(
        db,
        actor_id=officer.id,
        action="coding.skip",
        object_type="answer",
        object_id=answer_id,
        frame_id=frame.id,
    )


def unskip_all(db: Session, frame: CodingFrame, officer: User) -> int:
    result = db.execute(
        update(CodedAnswer)
        .where(CodedAnswer.frame_id == frame.id, CodedAnswer.skipped.is_(True))
        .values(skipped=False)
        .execution_options(synchronize_session=False)
    )
    count = result.rowcount or 0
    audit.record(
        db,
        actor_id=officer.id,
        action="coding.unskip",
        object_type="coding_frame",
        object_id=frame.id,
        answers=count,
    )
    return count


# ---- training in the worker -------------------------------------------------------------------


def active_run(db: Session, frame: CodingFrame) -> CodingRun | None:
    return db.scalars(
        select(CodingRun)
        .where(CodingRun.frame_id == frame.id, CodingRun.status.in_([RunStatus.QUEUED, RunStatus.RUNNING]))
        .order_by(CodingRun.id.desc())
    ).first()


def latest_run(db: Session, frame: CodingFrame) -> CodingRun | None:
    return db.scalars(
        select(CodingRun).where(CodingRun.frame_id == frame.id).order_by(CodingRun.id.desc())
    ).first()


def fail_stale_runs(db: Session) -> int:
    """A worker killed mid-training leaves a run 'running' with an old heartbeat: mark it failed."""
    cutoff = utcnow() - timedelta(seconds=get_settings().analysis_stale_after_seconds)
    result = db.execute(
        update(CodingRun)
        .where(
            CodingRun.status == RunStatus.RUNNING,
            CodingRun.heartbeat_at < cutoff,
        )
        .values(
            status=RunStatus.FAILED,
            stage="failed",
            finished_at=utcnow(),
            error="The worker stopped before the training finished; the earlier proposals are kept. "
            "Ask Chorus to propose codes again.",
        )
    )
    return result.rowcount or 0


def get_run(db: Session, run_id: int) -> CodingRun:
    run = db.get(CodingRun, run_id)
    if run is None:
        raise NotFound()
    return run


def training_examples(db: Session, frame: CodingFrame) -> int:
    return (
        db.scalar(
            select(func.count(CodedAnswer.id)).where(
                CodedAnswer.frame_id == frame.id,
                CodedAnswer.officer_code_id.is_not(None),
                CodedAnswer.holdout.is_(False),
            )
        )
        or 0
    )


def start_training(db: Session, frame: CodingFrame, officer: User) -> CodingRun:
    """Queue a training: a worker job learns from the officer's codes (never the held-out ones) and
    the codes' descriptions, then proposes a code for every other answer."""
    if active_run(db, frame) is not None:
        raise Conflict(_("Chorus is already learning from your codes; it will finish in a moment."))
    if not codes_of(db, frame):
        raise Conflict(_("Add codes to the frame first."))
    run = CodingRun(frame_id=frame.id, created_by_id=officer.id, trained_on=training_examples(db, frame))
    db.add(run)
    frame.coded_since_run = 0
    db.flush()
    audit.record(
        db,
        actor_id=officer.id,
        action="coding.train",
        object_type="coding_run",
        object_id=run.id,
        frame_id=frame.id,
        trained_on=run.trained_on,
    )
    enqueue_after_commit(db, "coding.train_codes", run.id)
    return run
