"""Officers see results while a consultation runs, read free text, and export (streamed)."""

from fastapi import APIRouter, Request
from fastapi.responses import StreamingResponse

from app.auth import DataProtection, DbSession, Staff
from app.db import read_stream
from app.models.consultation import RESPONDENT_TYPE_LABELS
from app.routes.officer.labels import translated
from app.services import consultations as service
from app.services.consultations import exports, results
from app.services.privacy import subject_access
from app.templating import render

router = APIRouter(prefix="/officer/consultations")


@router.get("/{consultation_id}/results")
def results_page(request: Request, db: DbSession, user: Staff, consultation_id: int,
                 question: int | None = None, respondent_type: str = "", q: str = "", page: int = 1):
    consultation = service.get_consultation(db, consultation_id)
    text_questions = [item for item in consultation.questions if item.kind.is_text]
    chosen = next((item for item in text_questions if item.id == question), None)
    chosen = chosen or (text_questions[0] if text_questions else None)
    summary = results.summary(db, consultation)
    free_text = None
    if chosen is not None:
        answered = next(r.answered for r in summary.questions if r.question.id == chosen.id)
        free_text = results.free_text(db, chosen.id, respondent_type=respondent_type, search=q[:200],
                                      page=page, known_total=answered)
    return render(request, "officer/consultations/results.html", {
        "consultation": consultation, "results": summary,
        "text_questions": text_questions, "chosen": chosen, "free_text": free_text,
        "filters": {"respondent_type": respondent_type, "q": q[:200]},
        "respondent_types": translated(RESPONDENT_TYPE_LABELS),
    }, fragment="officer/consultations/_free_text.html")


def _stream(request: Request, consultation_id: int, produce, media_type: str, filename: str):
    # The request's session is closed once the handler returns; the stream reads on its own.
    body = read_stream(request.app.state.database, produce)
    return StreamingResponse(body, media_type=media_type, headers={
        "Content-Disposition": f'attachment; filename="{filename}"', "Cache-Control": "no-store"})


@router.get("/{consultation_id}/export.csv")
def export_csv(request: Request, db: DbSession, user: Staff, consultation_id: int):
    consultation = service.get_consultation(db, consultation_id)
    questions = list(consultation.questions)
    return _stream(request, consultation_id, lambda s: exports.responses_csv(s, consultation_id, questions),
                   "text/csv; charset=utf-8", f"consultation-{consultation_id}-responses.csv")


@router.get("/{consultation_id}/export.json")
def export_json(request: Request, db: DbSession, user: Staff, consultation_id: int):
    consultation = service.get_consultation(db, consultation_id)
    questions = list(consultation.questions)
    return _stream(request, consultation_id, lambda s: exports.responses_json(s, consultation_id, questions),
                   "application/json", f"consultation-{consultation_id}-responses.json")


@router.get("/{consultation_id}/equalities.csv")
def export_equalities(request: Request, db: DbSession, user: DataProtection, consultation_id: int):
    """Special-category data: the data-protection role only, and every download audited."""
    service.get_consultation(db, consultation_id)
    subject_access.record_equalities_export(db, consultation_id, user)
    return _stream(request, consultation_id, lambda s: exports.equalities_csv(s, consultation_id),
                   "text/csv; charset=utf-8", f"consultation-{consultation_id}-equalities.csv")
