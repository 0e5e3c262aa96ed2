"""A printable report of a whole consultation: counts, themes with quotes and charts, findings."""

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.models.consultation import Consultation, Question, RespondentType
from app.models.consultation_response import Response
from app.services.reviews import outcomes
from app.services.themes import summary as themes_summary


def build(db: Session, consultation: Consultation) -> dict:
    counts = db.execute(select(Response.respondent_type, func.count()).where(
        Response.consultation_id == consultation.id).group_by(Response.respondent_type)).all()
    total = sum(n for _, n in counts)
    by_type = [(RespondentType(t).label, n, n / total if total else 0)
               for t, n in sorted(counts, key=lambda row: -row[1])]
    questions = [q for q in db.scalars(select(Question).where(Question.consultation_id == consultation.id)
                                       .order_by(Question.page, Question.position)) if q.kind.is_text]
    return {
        "consultation": consultation, "total": total, "by_type": by_type,
        "questions": [(q, themes_summary.summarise(db, q)) for q in questions],
        "outcome": outcomes.outcome_for(db, consultation.id),
    }
