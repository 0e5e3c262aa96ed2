"""Guided coding's checks and results (decision 0101): the held-out sample coded blind and agreement
with the machine (percent, Cohen's kappa, per code), bulk acceptance of sure proposals (never over an
officer's code or a held-out answer), what the frame shows (counts, quotes) and the CSV.

Agreement uses `analysis.proposals` (pure Python), so the web process never loads the model stack.
"""

import random
from dataclasses import dataclass, field

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from analysis.privacy import scrub
from analysis.proposals import agreement as measure_agreement
from app.csv_export import csv_text
from app.errors import Conflict, InvalidInput
from app.i18n import N_, _
from app.job_queue import enqueue_after_commit
from app.models.base import utcnow
from app.models.coding import Code, CodedAnswer, CodingFrame
from app.models.consultation_response import Answer
from app.models.user import User
from app.services import audit
from app.services.themes.coding import codes_of, row_for

HOLDOUT_SIZES = (20, 50, 100)
ACCEPT_THRESHOLDS = (0.95, 0.9, 0.8, 0.7, 0.6, 0.5)


# ---- the held-out check -----------------------------------------------------------------------


def sample_holdout(db: Session, frame: CodingFrame, size: int, officer: User) -> int:
    """Set aside `size` answers nobody has coded (seeded random choice) for the officer to code blind.
    They are never trained on; agreement compares the officer's codes with the machine's proposals."""
    if size not in HOLDOUT_SIZES:
        raise InvalidInput({"size": _("Choose how many answers to check")})
    taken = select(CodedAnswer.answer_id).where(
        CodedAnswer.frame_id == frame.id,
        (CodedAnswer.officer_code_id.is_not(None))
        | (CodedAnswer.accepted_code_id.is_not(None))
        | CodedAnswer.holdout.is_(True),
    )
    candidates = list(
        db.scalars(
            select(Answer.id)
            .where(Answer.question_id == frame.question_id, Answer.value_text != "", Answer.id.not_in(taken))
            .order_by(Answer.id)
        )
    )
    if not candidates:
        raise Conflict(_("Every answer is already coded or held out."))
    rng = random.Random(frame.id * 7919 + len(candidates))  # noqa: S311 - a sample, not a secret
    chosen = rng.sample(candidates, min(size, len(candidates)))
    for answer_id in chosen:
        row = row_for(db, frame, answer_id)
        row.holdout, row.skipped = True, False
    db.flush()
    audit.record(
        db,
        actor_id=officer.id,
        action="coding.holdout",
        object_type="coding_frame",
        object_id=frame.id,
        answers=len(chosen),
    )
    return len(chosen)


@dataclass(frozen=True)
class CodeAgreement:
    name: str
    officer_count: int
    percent: float | None
    kappa: float | None


@dataclass(frozen=True)
class AgreementView:
    held_out: int
    coded: int
    compared: int  # coded blind and proposed by a training that never saw them
    percent: float | None
    kappa: float | None
    per_code: list[CodeAgreement] = field(default_factory=list)


def agreement(db: Session, frame: CodingFrame) -> AgreementView:
    rows = db.execute(
        select(CodedAnswer.officer_code_id, CodedAnswer.proposed_code_id, CodedAnswer.proposed_run_id).where(
            CodedAnswer.frame_id == frame.id, CodedAnswer.holdout.is_(True)
        )
    ).all()
    names = {c.id: c.name for c in codes_of(db, frame)}
    coded = [r for r in rows if r.officer_code_id is not None]
    # A proposal from a training counts (held-out answers are never trained on); an abstention
    # (a training ran, no code) is a disagreement.
    compared = [r for r in coded if r.proposed_run_id is not None]
    result = measure_agreement(
        [names[r.officer_code_id] for r in compared],
        [names.get(r.proposed_code_id) if r.proposed_code_id else None for r in compared],
    )
    per_code = [
        CodeAgreement(name, n, percent, kappa)
        for name, (percent, kappa, n) in sorted(result.per_code.items(), key=lambda kv: (-kv[1][2], kv[0]))
    ]
    return AgreementView(len(rows), len(coded), len(compared), result.percent, result.kappa, per_code)


# ---- bulk acceptance ----------------------------------------------------------------------------


def _acceptable(frame: CodingFrame, threshold: float):
    return (
        CodedAnswer.frame_id == frame.id,
        CodedAnswer.officer_code_id.is_(None),
        CodedAnswer.accepted_code_id.is_(None),
        CodedAnswer.holdout.is_(False),
        CodedAnswer.proposed_code_id.is_not(None),
        CodedAnswer.confidence >= threshold,
    )


def acceptable_counts(db: Session, frame: CodingFrame) -> dict[float, int]:
    return {
        t: db.scalar(select(func.count(CodedAnswer.id)).where(*_acceptable(frame, t))) or 0
        for t in ACCEPT_THRESHOLDS
    }


def accept_above(db: Session, frame: CodingFrame, threshold: float, officer: User) -> int:
    """Accept every proposal at or above `threshold` for answers no officer has coded. Held-out answers
    and the officer's own codes are never touched; later trainings do not change what was accepted."""
    if threshold not in ACCEPT_THRESHOLDS:
        raise InvalidInput({"threshold": _("Choose how sure Chorus must be")})
    ids = list(db.scalars(select(CodedAnswer.id).where(*_acceptable(frame, threshold))))
    if ids:
        db.execute(
            update(CodedAnswer)
            .where(CodedAnswer.id.in_(ids))
            .values(
                accepted_code_id=CodedAnswer.proposed_code_id, accepted_by_id=officer.id, accepted_at=utcnow()
            )
            .execution_options(synchronize_session=False)
        )
        enqueue_after_commit(db, "coding.refresh_code_groups", frame.id)
    audit.record(
        db,
        actor_id=officer.id,
        action="coding.accept",
        object_type="coding_frame",
        object_id=frame.id,
        threshold=threshold,
        answers=len(ids),
    )
    return len(ids)


# ---- what the frame shows -----------------------------------------------------------------------


@dataclass(frozen=True)
class CodeView:
    code: Code
    by_officer: int
    accepted: int
    proposed: int
    quotes: list[str]

    @property
    def counted(self) -> int:
        """Answers counted under the code: coded by an officer, or an accepted proposal."""
        return self.by_officer + self.accepted

    @property
    def flagged(self) -> list[dict]:
        return [g for g in self.code.groups or [] if g.get("flag")]


@dataclass(frozen=True)
class Overview:
    total: int
    by_officer: int
    accepted: int
    proposed: int
    skipped: int
    holdout_open: int
    codes: list[CodeView]

    @property
    def open(self) -> int:
        return max(0, self.total - self.by_officer - self.accepted)


def total_answers(db: Session, question_id: int) -> int:
    return (
        db.scalar(
            select(func.count(Answer.id)).where(Answer.question_id == question_id, Answer.value_text != "")
        )
        or 0
    )


def overview(db: Session, frame: CodingFrame) -> Overview:
    codes = codes_of(db, frame)
    counts = {c.id: [0, 0, 0] for c in codes}
    rows = db.execute(
        select(
            CodedAnswer.officer_code_id,
            CodedAnswer.accepted_code_id,
            CodedAnswer.proposed_code_id,
            func.count(),
        )
        .where(CodedAnswer.frame_id == frame.id)
        .group_by(CodedAnswer.officer_code_id, CodedAnswer.accepted_code_id, CodedAnswer.proposed_code_id)
    ).all()
    for officer_code, accepted_code, proposed_code, n in rows:
        if officer_code in counts:
            counts[officer_code][0] += n
        elif accepted_code in counts:
            counts[accepted_code][1] += n
        elif proposed_code in counts:
            counts[proposed_code][2] += n
    flags = db.execute(
        select(func.count(CodedAnswer.id)).where(
            CodedAnswer.frame_id == frame.id,
            CodedAnswer.skipped.is_(True),
            CodedAnswer.officer_code_id.is_(None),
        )
    ).scalar()
    holdout_open = (
        db.scalar(
            select(func.count(CodedAnswer.id)).where(
                CodedAnswer.frame_id == frame.id,
                CodedAnswer.holdout.is_(True),
                CodedAnswer.officer_code_id.is_(None),
            )
        )
        or 0
    )
    quotes = _quotes(db, frame)
    views = [CodeView(c, *counts[c.id], quotes.get(c.id, [])) for c in codes]
    return Overview(
        total_answers(db, frame.question_id),
        sum(v.by_officer for v in views),
        sum(v.accepted for v in views),
        sum(v.proposed for v in views),
        flags or 0,
        holdout_open,
        views,
    )


def _quotes(db: Session, frame: CodingFrame, per_code: int = 3) -> dict[int, list[str]]:
    """A few answers the officer coded under each code, scrubbed of identifiers."""
    rows = db.execute(
        select(CodedAnswer.officer_code_id, Answer.value_text)
        .join(Answer, Answer.id == CodedAnswer.answer_id)
        .where(CodedAnswer.frame_id == frame.id, CodedAnswer.officer_code_id.is_not(None))
        .order_by(CodedAnswer.coded_at, CodedAnswer.id)
    ).all()
    quotes: dict[int, list[str]] = {}
    for code_id, text in rows:
        chosen = quotes.setdefault(code_id, [])
        if len(chosen) < per_code:
            chosen.append(scrub(text)[:300])
    return quotes


# The CSV people download: its header and words in the reader's language (nothing reads it back).
CSV_COLUMNS = (N_("answer_id"), N_("text"), N_("code"), N_("coded_by"), N_("proposed_code"), N_("confidence"),
               N_("held_out"))


def coding_csv(db: Session, frame: CodingFrame) -> str:
    """One row per answer: the code it counts under and where that came from, and the latest proposal."""
    names = {c.id: c.name for c in codes_of(db, frame)}
    rows = db.execute(
        select(
            Answer.id,
            Answer.value_text,
            CodedAnswer.officer_code_id,
            CodedAnswer.accepted_code_id,
            CodedAnswer.proposed_code_id,
            CodedAnswer.confidence,
            CodedAnswer.holdout,
        )
        .outerjoin(CodedAnswer, (CodedAnswer.answer_id == Answer.id) & (CodedAnswer.frame_id == frame.id))
        .where(Answer.question_id == frame.question_id, Answer.value_text != "")
        .order_by(Answer.id)
    ).all()
    out = [[_(column) for column in CSV_COLUMNS]]
    for answer_id, text, officer, accepted, proposed, confidence, holdout in rows:
        code = officer or accepted
        source = _("officer") if officer else _("accepted proposal") if accepted else ""
        out.append(
            [
                answer_id,
                text,
                names.get(code, ""),
                source,
                names.get(proposed, ""),
                "" if confidence is None else f"{confidence:.4f}",
                _("yes") if holdout else _("no"),
            ]
        )
    return csv_text(out)
