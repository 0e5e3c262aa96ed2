"""Officers type in paper, phone and focus-group responses, import them from CSV, and make API tokens."""

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request, UploadFile
from fastapi.responses import RedirectResponse
from starlette.datastructures import FormData

from app.auth import DbSession, Staff
from app.errors import InvalidInput
from app.i18n import _
from app.models.consultation import CHANNEL_LABELS, RESPONDENT_TYPE_LABELS, QuestionKind
from app.routes.officer.labels import translated
from app.services import consultations as service
from app.services.consultations import answering, channels, rules
from app.templating import render_form

router = APIRouter(prefix="/officer")


async def form_data(request: Request) -> FormData:
    return await request.form()


def _raw(questions, posted: FormData) -> dict:
    raw = {}
    for question in questions:
        if question.kind == QuestionKind.MULTIPLE_CHOICE:
            raw[str(question.id)] = [v for v in posted.getlist(question.field) if isinstance(v, str)]
        elif question.kind == QuestionKind.RANKING:
            positions = {i: str(posted.get(f"{question.field}-{i}") or "")
                         for i in range(len(question.options))}
            ranked, error = rules.ranking_from_positions(question.options, positions)
            raw[str(question.id)] = ranked if error is None else positions
        elif question.kind == QuestionKind.INDICATORS:
            raw[str(question.id)] = rules.indicators_answer_from_form(question, posted.get)
        else:
            value = posted.get(question.field)
            raw[str(question.id)] = value if isinstance(value, str) else ""
    return raw


def _entry_page(request, db, consultation_id, *, entered=None, **form):
    consultation = service.get_consultation(db, consultation_id)
    form["values"] = form.get("values") or {"answers": {}, "channel": "paper"}
    return render_form(request, "officer/consultations/entry.html", {
        "consultation": consultation, "entered": entered, "channels": translated(CHANNEL_LABELS),
        "respondent_types": translated(RESPONDENT_TYPE_LABELS), "equalities": rules.EQUALITIES_FIELDS,
        "idempotency_key": answering.new_idempotency_key()}, **form)


@router.get("/consultations/{consultation_id}/responses/new")
def new_response(request: Request, db: DbSession, user: Staff, consultation_id: int, entered: str = ""):
    return _entry_page(request, db, consultation_id, entered=entered[:20] or None)


@router.post("/consultations/{consultation_id}/responses/new")
def enter_response(request: Request, db: DbSession, user: Staff, consultation_id: int,
                   posted: Annotated[FormData, Depends(form_data)]):
    consultation = service.get_consultation(db, consultation_id)
    form = answering.load_form(db, consultation_id)
    text = {name: str(posted.get(name) or "")[:400] for name in
            ("channel", "respondent_type", "organisation_name", "idempotency_key", *rules.EQUALITIES_FIELDS)}
    raw = _raw(consultation.questions, posted)
    values = {**text, "answers": raw}
    try:
        channel = channels.parse_channel(text["channel"])
        equalities = {k: text[k] for k in rules.EQUALITIES_FIELDS if text[k]}
        submission = answering.Submission(
            respondent_type=text["respondent_type"], organisation_name=text["organisation_name"],
            answers=channels.applicable_answers(form, text["respondent_type"], raw), channel=channel,
            equalities=equalities or None)
        reference, _created = channels.enter_response(db, form, submission, text["idempotency_key"],
                                                      actor_id=user.id)
    except InvalidInput as error:
        return _entry_page(request, db, consultation_id, values=values, errors=error.errors, status_code=422)
    return RedirectResponse(f"/officer/consultations/{consultation_id}/responses/new?entered={reference}",
                            status_code=303)


def _import_page(request, db, consultation_id, *, report=None, **form):
    consultation = service.get_consultation(db, consultation_id)
    form["values"] = form.get("values") or {"channel": "paper"}
    return render_form(request, "officer/consultations/import.html", {
        "consultation": consultation, "report": report, "channels": translated(CHANNEL_LABELS)}, **form)


@router.get("/consultations/{consultation_id}/import")
def import_page(request: Request, db: DbSession, user: Staff, consultation_id: int):
    return _import_page(request, db, consultation_id)


@router.post("/consultations/{consultation_id}/import")
async def import_responses(request: Request, db: DbSession, user: Staff, consultation_id: int,
                           file: UploadFile | None = None,
                           channel: Annotated[str, Form(max_length=40)] = "paper"):
    settings = request.app.state.settings
    content = await file.read(settings.max_upload_bytes + 1) if file is not None else b""
    values = {"channel": channel}
    try:
        if not content:
            raise InvalidInput({"file": _("Choose a CSV file")})
        if len(content) > settings.max_upload_bytes:
            raise InvalidInput({"file": _("The file is too large")})
        form = answering.load_form(db, consultation_id)
        report = channels.import_csv(db, form, content, channel=channels.parse_channel(channel),
                                     actor_id=user.id)
    except InvalidInput as error:
        return _import_page(request, db, consultation_id, errors=error.errors, values=values, status_code=422)
    return _import_page(request, db, consultation_id, report=report, values=values,
                        status_code=422 if report.errors else 200)


def _tokens_page(request, db, *, created=None, **form):
    return render_form(request, "officer/consultations/api_tokens.html", {
        "tokens": channels.list_api_tokens(db),
        "created": created}, **form)


@router.get("/api-tokens")
def api_tokens(request: Request, db: DbSession, user: Staff):
    return _tokens_page(request, db)


@router.post("/api-tokens")
def create_api_token(request: Request, db: DbSession, user: Staff,
                     name: Annotated[str, Form(max_length=1000)] = ""):
    try:
        _token, secret = channels.create_api_token(db, name=name, actor_id=user.id)
    except InvalidInput as error:
        return _tokens_page(request, db, errors=error.errors, values={"name": name}, status_code=422)
    return _tokens_page(request, db, created=secret)


@router.post("/api-tokens/{token_id}/revoke")
def revoke_api_token(request: Request, db: DbSession, user: Staff, token_id: int):
    channels.revoke_api_token(db, token_id, actor_id=user.id)
    return RedirectResponse("/officer/api-tokens", status_code=303)
