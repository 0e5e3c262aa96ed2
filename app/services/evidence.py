"""Evidence a finding can cite, read live: each kind says what it shows now (label, counts, state)."""

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.models.analysis import Theme, ThemeStatus
from app.models.consultation import Consultation, Question
from app.models.consultation_response import Answer
from app.models.finding import EvidenceKind


@dataclass(frozen=True)
class EvidenceView:
    kind: EvidenceKind
    object_id: int
    title: str
    figures: dict
    quotes: tuple[str, ...] = ()
    link: str = ""
    missing: bool = False


def current(db: Session, kind: EvidenceKind, object_id: int) -> EvidenceView:
    resolver = RESOLVERS.get(kind)
    view = resolver(db, object_id) if resolver else None
    return view or EvidenceView(kind, object_id, "This evidence is no longer available", {}, missing=True)


def _theme(db: Session, theme_id: int) -> EvidenceView | None:
    theme = db.get(Theme, theme_id)
    if theme is None:
        return None
    while theme.status == ThemeStatus.MERGED and theme.merged_into_id:
        theme = db.get(Theme, theme.merged_into_id)
    question = db.get(Question, theme.question_id)
    total = db.scalar(select(func.count(Answer.id)).where(Answer.question_id == question.id)) or 0
    return EvidenceView(
        EvidenceKind.THEME, theme_id, f"Theme: {theme.label}",
        {"answers": theme.size, "of": total},
        tuple(q["text"] for q in theme.quotes[:3]), f"/officer/themes/{theme.id}",
    )


def _question(db: Session, question_id: int) -> EvidenceView | None:
    question = db.get(Question, question_id)
    if question is None:
        return None
    rows = db.execute(select(Answer.option_index, func.count()).where(
        Answer.question_id == question_id, Answer.option_index.is_not(None))
        .group_by(Answer.option_index)).all()
    options = list(question.options or [])
    figures = {(options[i] if i is not None and i < len(options) else str(i)): n for i, n in rows}
    consultation = db.get(Consultation, question.consultation_id)
    return EvidenceView(EvidenceKind.QUESTION, question_id, f"{consultation.title}: {question.text}",
                        figures, (), f"/officer/consultations/{consultation.id}/results")


RESOLVERS = {EvidenceKind.THEME: _theme, EvidenceKind.QUESTION: _question}


def register(kind: EvidenceKind):
    """Features add their own kinds (petitions, forum threads…) without this module knowing them."""
    def decorator(function):
        RESOLVERS[kind] = function
        return function
    return decorator


def changed(snapshot: dict, view: EvidenceView) -> bool:
    return not view.missing and snapshot.get("figures") != _jsonable(view.figures)


def snapshot_of(view: EvidenceView) -> dict:
    return {"title": view.title, "figures": _jsonable(view.figures)}


def _jsonable(figures: dict) -> dict:
    return {str(k): v for k, v in figures.items()}


# Evidence kinds from other features register themselves on import.
from app.services import evidence_sources  # noqa: E402, F401
