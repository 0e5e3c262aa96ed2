"""Published themes of a consultation, for open data."""

from fastapi import APIRouter
from pydantic import BaseModel

from app.auth import DbSession
from app.services.reviews import outcomes

router = APIRouter(prefix="/api/v1", tags=["consultations"])


class ThemeOut(BaseModel):
    id: int
    label: str
    keywords: list[str]
    count: int
    share: float
    quotes: list[str]


class QuestionThemesOut(BaseModel):
    question_id: int
    question: str
    answers: int
    themes: list[ThemeOut]


class ConsultationThemesOut(BaseModel):
    consultation_id: int
    title: str
    questions: list[QuestionThemesOut]


@router.get("/consultations/{consultation_id}/themes", response_model=ConsultationThemesOut,
            responses={404: {"description": "Not found or not published"}})
def published_themes(db: DbSession, consultation_id: int) -> ConsultationThemesOut:
    """Approved themes of each free-text question of a published consultation, with scrubbed quotes."""
    consultation = outcomes.published(db, consultation_id)
    results = outcomes.public_results(db, consultation)
    return ConsultationThemesOut(
        consultation_id=consultation.id, title=consultation.title,
        questions=[QuestionThemesOut(
            question_id=question.id, question=question.text, answers=summary.total_answers,
            themes=[ThemeOut(id=v.theme.id, label=v.theme.label, keywords=list(v.theme.keywords)[:8],
                             count=v.theme.size, share=round(v.share, 4),
                             quotes=[q["text"] for q in v.theme.public_quotes[:5]]) for v in summary.themes],
        ) for question, summary in results.questions],
    )
