"""The resident's journey: start, who is speaking, question pages, about you, check, confirmation.

A resident is anonymous: their draft is found through a random token in a cookie (or in a resume
link that sets the cookie on another device). Every page is a plain form; HTMX is not needed.
"""

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import FileResponse, RedirectResponse
from starlette.datastructures import FormData

from app.auth import DbSession, current_user_or_none
from app.errors import Conflict, InvalidInput, NotFound, RateLimited
from app.i18n import _
from app.models.consultation import Audience, QuestionKind, RespondentType
from app.services import consultations as service
from app.services import equalities
from app.services.accounts import check_email
from app.services.consultations import answering, building, local_time, results, rules
from app.services.email import queue_email
from app.services.reviews import outcomes
from app.templating import render, render_form, templates

# Consultation dates are shown in the council's local time with their zone (GMT/BST), wherever a
# consultation appears (the home page's list too).
templates.env.filters["local_date"] = local_time.format_date
templates.env.filters["local_datetime"] = local_time.format_datetime
templates.env.globals["exclusive_options"] = rules.EXCLUSIVE_OPTIONS

# The header says who is signed in (a resident, or staff answering as anyone) on every page here.
router = APIRouter(prefix="/consultations", dependencies=[Depends(current_user_or_none)])
DRAFT_COOKIE = "chorus_draft_{}"
DRAFT_COOKIE_DAYS = 120


async def form_data(request: Request) -> FormData:
    return await request.form()


Posted = Annotated[FormData, Depends(form_data)]


def _token(request: Request, consultation_id: int) -> str | None:
    return request.cookies.get(DRAFT_COOKIE.format(consultation_id))


def _set_draft_cookie(request: Request, response, consultation_id: int, token: str) -> None:
    response.set_cookie(DRAFT_COOKIE.format(consultation_id), token, max_age=DRAFT_COOKIE_DAYS * 86400,
                        path=f"/consultations/{consultation_id}", httponly=True, samesite="lax",
                        secure=request.app.state.settings.cookies_secure)


def _journey(request: Request, db, consultation_id: int):
    """The consultation, its form and the resident's draft, or a redirect to the start page."""
    consultation = service.public_consultation(db, consultation_id)
    form = answering.load_form(db, consultation_id)
    if not form.accepting:
        raise Conflict(_(answering.CLOSED_MESSAGE))
    draft = answering.find_draft(db, consultation_id, _token(request, consultation_id))
    return consultation, form, draft


def _start_over(consultation_id: int) -> RedirectResponse:
    return RedirectResponse(f"/consultations/{consultation_id}", status_code=303)


def _step_url(consultation_id: int, step: str) -> str:
    return f"/consultations/{consultation_id}/respond/{step}"


def _next_url(form, draft, step: str, action: str | None, return_to: str = "") -> str:
    """The page after `step`: Check your answers when the resident came from its "Change" link,
    unless the change opened a page they have not answered yet (a follow-up on a later page)."""
    if action == "save":
        return f"/consultations/{form.id}/respond/saved"
    journey = answering.steps(form, draft)
    if (action == "check" or return_to == "check") and step in journey:
        unanswered = answering.first_unanswered_page(form, draft, after=step)
        return _step_url(form.id, unanswered or "check")
    following = journey[journey.index(step) + 1] if step in journey else journey[0]
    return _step_url(form.id, following)


def _return_to(value) -> str:
    return "check" if value == "check" else ""


def _page_context(form, draft, step: str, return_to: str = "") -> dict:
    journey = answering.steps(form, draft)
    position = journey.index(step) if step in journey else 0
    back = (_step_url(form.id, journey[position - 1]) if position > 0 else f"/consultations/{form.id}")
    if return_to == "check":
        back = _step_url(form.id, "check")
    return {"step": step, "step_number": position + 1, "step_total": len(journey), "back_url": back,
            "return_to": return_to}


@router.get("/{consultation_id}")
def start_page(request: Request, db: DbSession, consultation_id: int):
    consultation = service.public_consultation(db, consultation_id)
    context = {"consultation": consultation, "accepting": service.is_accepting(consultation),
               "has_draft": bool(answering.find_draft(db, consultation_id, _token(request, consultation_id))),
               "invitation_token": None}
    if consultation.is_published:
        context["results"] = results.summary(db, consultation, public=True)
    return render(request, "consultations/start.html", context)


@router.get("/{consultation_id}/invited/{token}")
def invited_start_page(request: Request, db: DbSession, consultation_id: int, token: str):
    consultation = service.public_consultation(db, consultation_id)
    building.find_invitation(db, consultation_id, token)
    return render(request, "consultations/start.html", {
        "consultation": consultation, "accepting": service.is_accepting(consultation),
        "has_draft": False, "invitation_token": token})


@router.post("/{consultation_id}/start")
def start(request: Request, db: DbSession, consultation_id: int,
          invitation: Annotated[str, Form(max_length=100)] = ""):
    consultation, _form, draft = _journey(request, db, consultation_id)
    invitation_id, organisation_name = None, ""
    if consultation.audience != Audience.ANYONE:
        if not invitation:
            raise Conflict(
                _("This consultation is by invitation only. Use the link in your invitation email."))
        found = building.find_invitation(db, consultation_id, invitation)
        invitation_id = found.id
    elif draft is not None:
        return RedirectResponse(_step_url(consultation_id, "who"), status_code=303)
    address = request.client.host if request.client else "unknown"
    if not request.app.state.rate_limiter.allow("consultation-start", "60/hour", address):
        raise RateLimited(_("Many responses have been started from this address. Try again later."), 600)
    draft, token = answering.start_draft(db, consultation_id, invitation_id=invitation_id,
                                         organisation_name=organisation_name)
    response = RedirectResponse(_step_url(consultation_id, "who"), status_code=303)
    _set_draft_cookie(request, response, consultation_id, token)
    return response


def _who_page(request, consultation, form, draft, *, return_to="", **shown):
    shown["values"] = shown.get("values") or {"respondent_type": draft.respondent_type,
                                              "organisation_name": draft.organisation_name}
    return render_form(request, "consultations/who.html", {
        "consultation": consultation, "respondent_types": [(t.value, _(t.label)) for t in RespondentType],
        **_page_context(form, draft, "who", return_to)}, **shown)


@router.get("/{consultation_id}/respond/who")
def who_page(request: Request, db: DbSession, consultation_id: int, change: str = ""):
    consultation, form, draft = _journey(request, db, consultation_id)
    if draft is None:
        return _start_over(consultation_id)
    return _who_page(request, consultation, form, draft, return_to=_return_to(change))


@router.post("/{consultation_id}/respond/who")
def save_who(request: Request, db: DbSession, consultation_id: int,
             respondent_type: Annotated[str, Form(max_length=40)] = "",
             organisation_name: Annotated[str, Form(max_length=1000)] = "",
             action: Annotated[str, Form(max_length=20)] = "",
             return_to: Annotated[str, Form(max_length=20)] = ""):
    consultation, form, draft = _journey(request, db, consultation_id)
    if draft is None:
        return _start_over(consultation_id)
    try:
        answering.save_who(draft, respondent_type, organisation_name)
    except InvalidInput as error:
        values = {"respondent_type": respondent_type, "organisation_name": organisation_name}
        return _who_page(request, consultation, form, draft, values=values, errors=error.errors,
                         status_code=422, return_to=_return_to(return_to))
    return RedirectResponse(_next_url(form, draft, "who", action, _return_to(return_to)), status_code=303)


def _raw_answers(questions, posted: FormData) -> dict:
    raw = {}
    for question in questions:
        kind = QuestionKind(question.kind)
        if kind == QuestionKind.MULTIPLE_CHOICE:
            raw[str(question.id)] = [v for v in posted.getlist(question.field) if isinstance(v, str)]
        elif kind == QuestionKind.RANKING:
            positions = {i: str(posted.get(f"{question.field}-{i}") or "")
                         for i in range(len(question.options))}
            ranked, error = rules.ranking_from_positions(question.options, positions)
            raw[str(question.id)] = ranked if error is None else {"error": error, "positions": positions}
        elif kind == QuestionKind.INDICATORS:
            raw[str(question.id)] = rules.indicators_answer_from_form(question, posted.get)
        else:
            value = posted.get(question.field)
            raw[str(question.id)] = value if isinstance(value, str) else ""
    return raw


def _question_page(request, consultation, form, draft, page, *, return_to="", **shown):
    questions = answering.page_questions(form, draft, page)
    reveals: dict[int, list] = {}
    for question in questions:
        if rules.reveals_on_its_page(question, questions):
            reveals.setdefault(question.show_if_question_id, []).append(question)
    if shown.get("values") is None:
        shown["values"] = dict(draft.answers)
    return render_form(request, "consultations/page.html", {
        "consultation": consultation, "questions": questions, "reveals": reveals,
        "revealed_ids": [q.id for follow in reveals.values() for q in follow],
        **_page_context(form, draft, f"page-{page}", return_to)}, **shown)


@router.get("/{consultation_id}/respond/page-{page}")
def question_page(request: Request, db: DbSession, consultation_id: int, page: int, change: str = ""):
    consultation, form, draft = _journey(request, db, consultation_id)
    if draft is None or not draft.respondent_type:
        return _start_over(consultation_id)
    if not answering.page_questions(form, draft, page):
        raise NotFound()
    return _question_page(request, consultation, form, draft, page, return_to=_return_to(change))


@router.post("/{consultation_id}/respond/page-{page}")
def save_question_page(request: Request, db: DbSession, consultation_id: int, page: int, posted: Posted):
    consultation, form, draft = _journey(request, db, consultation_id)
    if draft is None or not draft.respondent_type:
        return _start_over(consultation_id)
    questions = answering.page_questions(form, draft, page)
    if not questions:
        raise NotFound()
    raw = _raw_answers(questions, posted)
    ranking_errors = {f"q{k}": v["error"] for k, v in raw.items() if isinstance(v, dict)}
    try:
        if ranking_errors:
            raise InvalidInput(ranking_errors)
        answering.save_page(form, draft, page, raw)
    except InvalidInput as error:
        typed = {**draft.answers,
                 **{k: (v["positions"] if isinstance(v, dict) else v) for k, v in raw.items()}}
        return _question_page(request, consultation, form, draft, page, values=typed,
                              errors={**error.errors, **ranking_errors}, status_code=422,
                              return_to=_return_to(posted.get("return_to")))
    action = posted.get("action")
    action = action if isinstance(action, str) else None
    following = _next_url(form, draft, f"page-{page}", action, _return_to(posted.get("return_to")))
    return RedirectResponse(following, status_code=303)


def _about_you_page(request, db, consultation, form, draft, *, return_to="", **shown):
    wards = equalities.council_wards(db)
    if shown.get("values") is None:
        shown["values"] = dict(draft.about_you)
    return render_form(request, "consultations/about_you.html", {
        "consultation": consultation, "questions": equalities.QUESTIONS, "wards": wards,
        "prefer_not": equalities.PREFER_NOT_TO_SAY, "gender_different": equalities.GENDER_DIFFERENT,
        "write_in_key": equalities.WRITE_IN_KEY,
        **_page_context(form, draft, "about-you", return_to)}, **shown)


@router.get("/{consultation_id}/respond/about-you")
def about_you_page(request: Request, db: DbSession, consultation_id: int, change: str = ""):
    consultation, form, draft = _journey(request, db, consultation_id)
    if draft is None or not form.about_you_enabled:
        return _start_over(consultation_id)
    return _about_you_page(request, db, consultation, form, draft, return_to=_return_to(change))


@router.post("/{consultation_id}/respond/about-you")
def save_about_you(request: Request, db: DbSession, consultation_id: int, posted: Posted):
    consultation, form, draft = _journey(request, db, consultation_id)
    if draft is None or not form.about_you_enabled:
        return _start_over(consultation_id)
    values = {name: str(posted.get(name) or "")[:200] for name in (*equalities.KEYS, equalities.WRITE_IN_KEY)}
    try:
        answering.save_about_you(draft, values, equalities.council_wards(db))
    except InvalidInput as error:
        return _about_you_page(request, db, consultation, form, draft, values=values, errors=error.errors,
                               status_code=422, return_to=_return_to(posted.get("return_to")))
    action = posted.get("action")
    return RedirectResponse(_next_url(form, draft, "about-you", action if isinstance(action, str) else None,
                                      _return_to(posted.get("return_to"))), status_code=303)


def _check_page(request, consultation, form, draft, *, receipt=None, **shown):
    questions = answering.questions_for(form, draft.respondent_type) if draft.respondent_type else []
    rows = [(q, rules.display_value(q, draft.answers.get(str(q.id))))
            for q in rules.visible_questions(questions, draft.answers)]
    return render_form(request, "consultations/check.html", {
        "consultation": consultation, "draft": draft, "rows": rows,
        "respondent_label": _(RespondentType(draft.respondent_type).label) if draft.respondent_type else "",
        "about_you": form.about_you_enabled, "idempotency_key": answering.new_idempotency_key(),
        "receipt": receipt or {},
        **_page_context(form, draft, "check")}, **shown)


@router.get("/{consultation_id}/respond/check")
def check_page(request: Request, db: DbSession, consultation_id: int):
    consultation, form, draft = _journey(request, db, consultation_id)
    if draft is None:
        return _start_over(consultation_id)
    return _check_page(request, consultation, form, draft)


@router.post("/{consultation_id}/respond/submit")
def submit(request: Request, db: DbSession, consultation_id: int,
           idempotency_key: Annotated[str, Form(max_length=64)] = "",
           receipt: Annotated[str, Form(max_length=5)] = "",
           receipt_email: Annotated[str, Form(max_length=320)] = ""):
    consultation = service.public_consultation(db, consultation_id)
    form = answering.load_form(db, consultation_id)
    draft = answering.find_draft(db, consultation_id, _token(request, consultation_id))
    receipt_to, answers = None, []
    try:
        if receipt == "yes" and draft is not None:
            receipt_to = check_email(receipt_email, field="receipt_email")
            answers = answering.receipt_answers(form, draft)
        reference = answering.submit_draft(db, form, draft, idempotency_key)
    except InvalidInput as error:
        errors = {("who" if k in ("respondent_type", "organisation_name") else k): v
                  for k, v in error.errors.items()}
        return _check_page(request, consultation, form, draft, errors=errors, status_code=422,
                           receipt={"receipt": receipt, "receipt_email": receipt_email})
    if receipt_to:  # opted in: a copy through the outbox, once (a repeat submit finds no draft)
        link = f"{request.app.state.settings.base_url}/consultations/{consultation_id}"
        queue_email(db, "consultation_receipt", to=receipt_to, concerns=f"consultation:{consultation_id}",
                    title=consultation.title, reference=reference, answers=answers, link=link)
    response = RedirectResponse(f"/consultations/{consultation_id}/confirmation/{reference}", status_code=303)
    response.delete_cookie(DRAFT_COOKIE.format(consultation_id), path=f"/consultations/{consultation_id}")
    return response


@router.get("/{consultation_id}/confirmation/{reference}")
def confirmation(request: Request, db: DbSession, consultation_id: int, reference: str):
    consultation = service.public_consultation(db, consultation_id)
    if not results.reference_exists(db, consultation_id, reference):
        raise NotFound()
    return render(request, "consultations/confirmation.html",
                  {"consultation": consultation, "reference": reference,
                   "sign_up_wording": outcomes.SIGN_UP_WORDING})


def _saved_page(request, consultation, token, *, sent=False, **shown):
    link = f"{request.app.state.settings.base_url}/consultations/{consultation.id}/resume/{token}"
    return render_form(request, "consultations/saved.html", {
        "consultation": consultation, "resume_link": link, "sent": sent}, **shown)


@router.get("/{consultation_id}/respond/saved")
def saved(request: Request, db: DbSession, consultation_id: int, sent: bool = False):
    consultation, _form, draft = _journey(request, db, consultation_id)
    if draft is None:
        return _start_over(consultation_id)
    return _saved_page(request, consultation, _token(request, consultation_id), sent=sent)


@router.post("/{consultation_id}/respond/email-link")
def email_link(request: Request, db: DbSession, consultation_id: int,
               email: Annotated[str, Form(max_length=320)] = ""):
    consultation, _form, draft = _journey(request, db, consultation_id)
    if draft is None:
        return _start_over(consultation_id)
    token = _token(request, consultation_id)
    limiter = request.app.state.rate_limiter
    address = request.client.host if request.client else "unknown"
    if not limiter.allow("consultation-resume-email", "5/hour", address):
        raise RateLimited(_("You have asked for several links. Copy the link on this page instead."), 3600)
    try:
        to = check_email(email)
    except InvalidInput as error:
        return _saved_page(request, consultation, token, errors=error.errors, values={"email": email},
                           status_code=422)
    link = f"{request.app.state.settings.base_url}/consultations/{consultation_id}/resume/{token}"
    queue_email(db, "consultation_resume_link", to=to, title=consultation.title, link=link)
    return RedirectResponse(f"/consultations/{consultation_id}/respond/saved?sent=1", status_code=303)


@router.get("/{consultation_id}/resume/{token}")
def resume(request: Request, db: DbSession, consultation_id: int, token: str):
    _journey(request, db, consultation_id)
    draft = answering.find_draft(db, consultation_id, token)
    if draft is None:
        raise NotFound(_("We could not find those answers. They may have been sent already, or the "
                         "consultation may have closed."))
    step = "check" if draft.respondent_type and draft.answers else "who"
    response = RedirectResponse(_step_url(consultation_id, step), status_code=303)
    _set_draft_cookie(request, response, consultation_id, token)
    return response


@router.get("/{consultation_id}/documents/{document_id}")
def document(request: Request, db: DbSession, consultation_id: int, document_id: int):
    service.public_consultation(db, consultation_id)
    found = building.get_document(db, consultation_id, document_id)
    path = building.document_path(request.app.state.settings, found)
    if not path.exists():
        raise NotFound()
    return FileResponse(path, media_type="application/pdf", filename=found.filename,
                        content_disposition_type="attachment",
                        headers={"X-Content-Type-Options": "nosniff",
                                 "Cache-Control": "private, max-age=300"})
