"""The texts an analysis run reads: a question's free-text answers with who said them."""

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.models.consultation import Question, QuestionKind
from app.models.consultation_response import Answer, Response
from app.models.organisation import Organisation

GROUP_COLUMNS = ("respondent type", "channel", "panel or open", "organisation type")


@dataclass(frozen=True)
class TextItem:
    answer_id: int
    text: str
    respondent_type: str
    channel: str
    is_panel: bool
    organisation_type: str | None
    stance: str | None

    def groups(self) -> dict[str, str | None]:
        return {
            "respondent type": self.respondent_type,
            "channel": self.channel,
            "panel or open": "panel" if self.is_panel else "open",
            "organisation type": self.organisation_type,
        }


def stance_question(db: Session, question: Question) -> Question | None:
    """The closed question just before a free-text one ("Do you agree…?", "How would you rate…?")."""
    earlier = db.scalars(
        select(Question)
        .where(Question.consultation_id == question.consultation_id,
               Question.kind.in_([QuestionKind.SINGLE_CHOICE, QuestionKind.RATING]),
               (Question.page < question.page)
               | ((Question.page == question.page) & (Question.position < question.position)))
        .order_by(Question.page.desc(), Question.position.desc())
        .limit(1)
    ).first()
    return earlier


def texts_for_question(db: Session, question: Question, *, after_answer_id: int = 0,
                       exclude_assigned: bool = False) -> list[TextItem]:
    """Every answer to the question, oldest first; never any equalities data."""
    from app.models.analysis import ThemeAssignment

    query = (
        select(Answer.id, Answer.value_text, Answer.response_id, Response.respondent_type,
               Response.channel, Response.is_panel, Organisation.type)
        .join(Response, Response.id == Answer.response_id)
        .outerjoin(Organisation, Organisation.id == Response.organisation_id)
        .where(Answer.question_id == question.id, Answer.id > after_answer_id)
        .order_by(Answer.id)
    )
    if exclude_assigned:
        query = query.where(~select(ThemeAssignment.id)
                            .where(ThemeAssignment.answer_id == Answer.id).exists())
    rows = db.execute(query).all()
    stances = _stances(db, question, [row.response_id for row in rows])
    return [
        TextItem(
            answer_id=row.id, text=row.value_text or "", respondent_type=str(row.respondent_type),
            channel=str(row.channel), is_panel=bool(row.is_panel),
            organisation_type=str(row.type) if row.type else None,
            stance=stances.get(row.response_id),
        )
        for row in rows
    ]


def _stances(db: Session, question: Question, response_ids: list[int]) -> dict[int, str]:
    closed = stance_question(db, question)
    if closed is None or not response_ids:
        return {}
    options = list(closed.options or [])
    rows = db.execute(
        select(Answer.response_id, Answer.option_index, Answer.value_text)
        .where(Answer.question_id == closed.id)
    ).all()
    wanted = set(response_ids)
    stances = {}
    for row in rows:
        if row.response_id in wanted:
            index = row.option_index
            label = options[index] if index is not None and 0 <= index < len(options) else row.value_text
            stances[row.response_id] = str(label)
    return stances
