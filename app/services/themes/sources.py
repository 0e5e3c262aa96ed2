"""The texts an analysis run reads: a question's free-text answers with who said them, and, when the
officer includes it, the forum evidence that speaks to the consultation.

Answers come from the consultations seam (`consultations_results.free_text_answers`, which never
includes equalities data) and evidence from the forums seam (`forum_evidence`, which never includes
hidden posts or anonymous authors); this module gives both one shape for analysis.
"""

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.models.analysis import AnalysisScope, ThemeAssignment
from app.models.consultation import Consultation, Question
from app.services.consultations.results import FreeTextAnswer, free_text_answers
from app.services.themes.forum_evidence import EvidenceText, forum_texts_for_consultation
from app.services.themes.forum_evidence import evidence_counts as forum_evidence_counts

GROUP_COLUMNS = ("respondent type", "channel", "panel or open", "organisation type", "forum")
SOURCE_COLUMN = {"answer": ThemeAssignment.answer_id, "post": ThemeAssignment.post_id,
                 "meeting": ThemeAssignment.meeting_id, "submission": ThemeAssignment.submission_id}
EVIDENCE_CHANNELS = {"post": "forum post", "staff_post": "forum post", "meeting_notes": "meeting notes",
                     "submission": "organisation submission"}


@dataclass(frozen=True)
class SourceText:
    """One text to analyse: an answer, or a piece of forum evidence, with who said it."""

    source: str  # "answer" | "post" | "meeting" | "submission"
    source_id: int
    text: str
    respondent_type: str
    channel: str
    is_panel: bool = False
    organisation_type: str | None = None
    stance: str | None = None
    forum: str | None = None
    is_public: bool = True  # may a quote of it appear on public pages?

    @property
    def key(self) -> tuple[str, int]:
        return self.source, self.source_id

    @property
    def answer_id(self) -> int | None:
        return self.source_id if self.source == "answer" else None


def includes_forum_evidence(db: Session, question_id: int) -> bool:
    scope = db.get(AnalysisScope, question_id)
    return bool(scope and scope.includes_forum_evidence)


def texts_for_question(db: Session, question: Question, *, exclude_assigned: bool = False
                       ) -> list[SourceText]:
    """Every text of the question's analysis; with `exclude_assigned`, only those no run has placed."""
    items = [_from_answer(a) for a in free_text_answers(db, question.id)]
    if includes_forum_evidence(db, question.id):
        items += evidence_for_question(db, question)
    if not exclude_assigned:
        return items
    placed = assigned_keys(db, question.id)
    return [item for item in items if item.key not in placed]


def evidence_for_question(db: Session, question: Question) -> list[SourceText]:
    consultation = db.get(Consultation, question.consultation_id)
    return [_from_evidence(e) for e in forum_texts_for_consultation(db, consultation)]


def evidence_counts(db: Session, question: Question) -> dict[str, int]:
    return forum_evidence_counts(db, db.get(Consultation, question.consultation_id))


def placed_evidence_count(db: Session, question_id: int) -> int:
    return db.scalar(select(func.count(ThemeAssignment.id)).where(
        ThemeAssignment.question_id == question_id, ThemeAssignment.answer_id.is_(None))) or 0


def assigned_keys(db: Session, question_id: int, *, evidence_only: bool = False) -> set[tuple[str, int]]:
    statement = select(*SOURCE_COLUMN.values()).where(ThemeAssignment.question_id == question_id)
    if evidence_only:
        statement = statement.where(ThemeAssignment.answer_id.is_(None))
    return {key_of(row) for row in db.execute(statement)}


def key_of(sources) -> tuple[str, int]:
    """The (source, id) of an assignment row from its SOURCE_COLUMN values (exactly one is set)."""
    return next((source, value) for source, value in zip(SOURCE_COLUMN, sources, strict=True)
                if value is not None)


def source_values(item: SourceText) -> dict[str, int | None]:
    """The assignment's source columns for a text: exactly one is set."""
    return {column.key: (item.source_id if source == item.source else None)
            for source, column in SOURCE_COLUMN.items()}


def _from_answer(answer: FreeTextAnswer) -> SourceText:
    return SourceText("answer", answer.answer_id, answer.text, answer.respondent_type, answer.channel,
                      answer.is_panel, answer.organisation_type, answer.stance)


def _from_evidence(evidence: EvidenceText) -> SourceText:
    # Anonymous staff posts carry no organisation; otherwise only council staff post without one.
    respondent_type = "organisation" if evidence.speaks_for_organisation else "staff"
    return SourceText(
        evidence.source, evidence.id, evidence.text, respondent_type, EVIDENCE_CHANNELS[evidence.kind],
        organisation_type=evidence.organisation_type.value if evidence.organisation_type else None,
        forum=evidence.forum or ("organisation submissions" if evidence.kind == "submission" else None),
        is_public=evidence.forum_is_public,
    )


def groups_of(item: SourceText) -> dict[str, str | None]:
    return {
        "respondent type": item.respondent_type,
        "channel": item.channel,
        "panel or open": "panel" if item.is_panel else "open",
        "organisation type": item.organisation_type,
        "forum": item.forum,
    }


def group_columns(items: list[SourceText]) -> dict[str, list[str | None]]:
    """Each group column's value per text, for the columns at least one text has a value in."""
    rows = [groups_of(item) for item in items]
    return {column: [row[column] for row in rows] for column in GROUP_COLUMNS
            if any(row[column] is not None for row in rows)}
