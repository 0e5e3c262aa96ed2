"""The texts an analysis run reads: a question's free-text answers with who said them.

The answers come from the consultations seam (`consultations_results.free_text_answers`, which
never includes equalities data); this module only adds what analysis needs on top.
"""

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.models.consultation import Question
from app.services.consultations_results import FreeTextAnswer, free_text_answers

GROUP_COLUMNS = ("respondent type", "channel", "panel or open", "organisation type")


def texts_for_question(db: Session, question: Question, *, exclude_assigned: bool = False
                       ) -> list[FreeTextAnswer]:
    """Every answer to the question; with `exclude_assigned`, only those no run has placed yet."""
    items = free_text_answers(db, question.id)
    if not exclude_assigned:
        return items
    from app.models.analysis import ThemeAssignment

    placed = set(db.scalars(select(ThemeAssignment.answer_id)
                            .where(ThemeAssignment.question_id == question.id)))
    return [item for item in items if item.answer_id not in placed]


def groups_of(item: FreeTextAnswer) -> dict[str, str | None]:
    return {
        "respondent type": item.respondent_type,
        "channel": item.channel,
        "panel or open": "panel" if item.is_panel else "open",
        "organisation type": item.organisation_type,
    }


def group_columns(items: list[FreeTextAnswer]) -> dict[str, list[str | None]]:
    """Each group column's value per text, for the columns at least one text has a value in."""
    rows = [groups_of(item) for item in items]
    return {column: [row[column] for row in rows] for column in GROUP_COLUMNS
            if any(row[column] is not None for row in rows)}
