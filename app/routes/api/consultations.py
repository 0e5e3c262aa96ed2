"""JSON API for consultations: open data and other channels (documented in /openapi.json)."""

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Header, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field

from app.auth import DbSession
from app.db import HotWriteSession
from app.errors import AppError, Conflict, InvalidInput, NotFound, RateLimited
from app.models.consultation import Audience, Channel, Consultation, ConsultationState, RespondentType
from app.services import consultations as service
from app.services.consultations import answering, channels, results
from app.services.consultations.rules import EQUALITIES_FIELDS

router = APIRouter(prefix="/api/v1/consultations", tags=["consultations"])
ANONYMOUS_LIMIT = "30/minute"


class ConsultationOut(BaseModel):
    id: int
    title: str
    summary: str
    state: ConsultationState
    audience: Audience
    opens_at: datetime | None
    closes_at: datetime | None
    url: str


class QuestionOut(BaseModel):
    id: int
    kind: str
    text: str
    hint: str
    required: bool
    page: int
    max_length: int | None = Field(description="Character limit of a text answer")
    options: list[str]
    questionnaire_id: int | None
    show_if_question_id: int | None
    show_if_value: str


class QuestionnaireOut(BaseModel):
    id: int
    title: str
    respondent_types: list[str]


class ConsultationDetailOut(ConsultationOut):
    about_you_enabled: bool
    respondent_types: list[RespondentType]
    questionnaires: list[QuestionnaireOut]
    questions: list[QuestionOut]


class EqualitiesIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    age_band: str = ""
    sex: str = ""
    gender_identity: str = Field("", max_length=80)
    disability: str = ""
    ethnicity: str = ""
    ward: str = Field("", max_length=80)


class ResponseIn(BaseModel):
    """Answers keyed by question id: a string (text, single choice, rating 1..n) or a list
    (multiple choice; ranking in order, most important first; "which of these matter most": up to
    three options in order, then optionally one suggestion of the respondent's own)."""

    model_config = ConfigDict(extra="forbid")
    idempotency_key: str = Field(min_length=1, max_length=64,
                                 description="The same key always records one response")
    respondent_type: RespondentType
    organisation_name: str = Field("", max_length=200)
    answers: dict[str, str | list[str]] = Field(default_factory=dict, max_length=200)
    equalities: EqualitiesIn | None = None
    channel: Channel | None = Field(None, description="Staff tokens only; anonymous responses are 'api'")
    is_panel: bool = Field(False, description="Staff tokens only")
    submitted_at: datetime | None = Field(None, description="Staff tokens only (the date on a paper form)")


class ResponseOut(BaseModel):
    reference: str
    created: bool


class CountOut(BaseModel):
    label: str
    count: int
    percent: float


class RankOut(BaseModel):
    label: str
    mean_rank: float
    borda: int
    first_choices: int


class QuestionResultOut(BaseModel):
    id: int
    text: str
    kind: str
    answered: int
    counts: list[CountOut]
    mean: float | None
    ranking: list[RankOut]


class ResultsOut(BaseModel):
    consultation_id: int
    total: int
    by_respondent_type: list[CountOut]
    by_channel: list[CountOut]
    questions: list[QuestionResultOut]


def _summary(request: Request, consultation: Consultation) -> dict:
    return {"id": consultation.id, "title": consultation.title, "summary": consultation.summary,
            "state": consultation.state, "audience": consultation.audience, "opens_at": consultation.opens_at,
            "closes_at": consultation.closes_at,
            "url": f"{request.app.state.settings.base_url}/consultations/{consultation.id}"}


@router.get("", response_model=list[ConsultationOut])
def list_consultations(request: Request, db: DbSession):
    """Open and published consultations."""
    found = db.scalars(service.visible_consultations().where(
        Consultation.state.in_([ConsultationState.OPEN, ConsultationState.PUBLISHED]))
        .order_by(Consultation.id.desc()).limit(500))
    return [_summary(request, c) for c in found]


@router.get("/{consultation_id}", response_model=ConsultationDetailOut)
def consultation_detail(request: Request, db: DbSession, consultation_id: int):
    consultation = service.public_consultation(db, consultation_id)
    return {**_summary(request, consultation), "about_you_enabled": consultation.about_you_enabled,
            "respondent_types": list(RespondentType),
            "questionnaires": [{"id": q.id, "title": q.title, "respondent_types": q.respondent_types}
                               for q in consultation.questionnaires],
            "questions": [{"id": q.id, "kind": q.kind.value, "text": q.text, "hint": q.hint,
                           "required": q.required, "page": q.page, "max_length": q.limit if q.kind.is_text
                           else None, "options": q.options, "questionnaire_id": q.questionnaire_id,
                           "show_if_question_id": q.show_if_question_id, "show_if_value": q.show_if_value}
                          for q in consultation.questions]}


def _field(name: str) -> str:
    if name.startswith("q") and name[1:].isdigit():
        return f"body.answers.{name[1:]}"
    return f"body.equalities.{name}" if name in EQUALITIES_FIELDS else f"body.{name}"


@router.post("/{consultation_id}/responses", response_model=ResponseOut, status_code=201,
             responses={200: {"model": ResponseOut, "description": "Already recorded with this key"},
                        401: {"description": "Unknown or revoked API token"},
                        409: {"description": "The consultation is not taking answers"},
                        422: {"description": "Says which field is wrong"},
                        429: {"description": "Too many anonymous responses from this address"}})
def post_response(request: Request, db: HotWriteSession, consultation_id: int, body: ResponseIn,
                  authorization: Annotated[str | None, Header()] = None):
    """Record one response. Anonymous while the consultation is open to anyone (rate-limited per
    address); a staff API token (`Authorization: Bearer …`) may set the channel, panel flag and date."""
    # A hot path: on SQLite the request's one transaction first waits for its writer turn
    # (Database.write_transaction) instead of polling the database lock, which starved some writers
    # for seconds under load; committed before the response is sent.
    staff = _staff_token(db, authorization)
    form = answering.load_form(db, consultation_id)
    if form.state == ConsultationState.DRAFT:
        raise NotFound()
    if not staff:
        _check_anonymous(request, form)
    submission = answering.Submission(
        respondent_type=body.respondent_type.value, organisation_name=body.organisation_name,
        answers=dict(body.answers), equalities=body.equalities.model_dump() if body.equalities else None,
        channel=(body.channel or Channel.API) if staff else Channel.API,
        is_panel=body.is_panel if staff else False, submitted_at=body.submitted_at if staff else None)
    try:
        if submission.submitted_at is not None and submission.submitted_at.tzinfo is None:
            raise InvalidInput({"submitted_at": "Give the time zone, like 2026-11-23T10:00:00Z"})
        if staff:
            channels.check_entry_allowed(form)
        reference, created = answering.record_response(db, form, submission, body.idempotency_key,
                                                       enforce_open=not staff)
    except InvalidInput as error:
        errors = [{"field": _field(name), "message": message} for name, message in error.errors.items()]
        return JSONResponse({"detail": "Invalid response", "errors": errors}, status_code=422)
    return JSONResponse({"reference": reference, "created": created}, status_code=201 if created else 200)


def _staff_token(db, authorization: str | None) -> bool:
    if authorization is None:
        return False
    scheme, _, token = authorization.partition(" ")
    if scheme.lower() != "bearer" or not token or channels.find_api_token(db, token.strip()) is None:
        raise AppError("Unknown or revoked API token.", status_code=401)
    return True


def _check_anonymous(request: Request, form: answering.ConsultationForm) -> None:
    if form.audience != Audience.ANYONE:
        raise Conflict("This consultation is by invitation only.")
    address = request.client.host if request.client else "unknown"
    limiter = request.app.state.rate_limiter
    if not limiter.allow("consultation-api-response", ANONYMOUS_LIMIT, address):
        raise RateLimited("Too many responses from this address. Try again in a minute.", 60)


def _counts(bars) -> list[dict]:
    return [{"label": b.label, "count": b.count, "percent": b.percent} for b in bars]


@router.get("/{consultation_id}/results", response_model=ResultsOut)
def consultation_results(db: DbSession, consultation_id: int):
    """Aggregate results of a published consultation (no free text, no equalities data)."""
    consultation = service.published_consultation(db, consultation_id)
    found = results.summary(db, consultation, public=True)
    return {"consultation_id": consultation.id, "total": found.total,
            "by_respondent_type": _counts(found.by_type), "by_channel": _counts(found.by_channel),
            "questions": [{"id": r.question.id, "text": r.question.text, "kind": r.question.kind.value,
                           "answered": r.answered, "counts": _counts(r.bars), "mean": r.mean,
                           "ranking": [vars(item) for item in r.ranking]} for r in found.questions]}
