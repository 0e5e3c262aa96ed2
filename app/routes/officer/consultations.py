"""Officers build and run consultations: details, question builder, documents, invitations, states.

Every form posts and redirects (works without JavaScript); with HTMX the question builder swaps
only its own section, because the redirect target renders the `_questions.html` fragment.
"""

from typing import Annotated

from fastapi import APIRouter, Form, Request, UploadFile
from fastapi.responses import RedirectResponse
from pydantic import BaseModel, Field

from app.auth import DbSession, Staff
from app.errors import InvalidInput, NotFound
from app.i18n import N_, _, ngettext
from app.models.consultation import AUDIENCE_LABELS, QUESTION_KIND_LABELS, RESPONDENT_TYPE_LABELS, Audience
from app.routes.officer.labels import translated
from app.services import accounts, reviews, welsh_versions
from app.services import consultations as service
from app.services.consultations import building, local_time
from app.services.email import queue_email
from app.templating import render, render_form

router = APIRouter(prefix="/officer/consultations")
QUESTIONS_FRAGMENT = "officer/consultations/_questions.html"
# What a redirect back to the overview says happened: a key in the link, so only these are shown.
NOTICES = {
    "details_saved": N_("Details saved"),
    "open": N_("Consultation open"),
    "closed": N_("Consultation closed"),
    "published": N_("Consultation published"),
    "document_added": N_("Document added"),
}


def _base(consultation_id: int) -> str:
    return f"/officer/consultations/{consultation_id}"


def _notice(key: str, sent: str) -> str | None:
    if key == "invitations_sent" and sent.isdigit():
        count = int(sent)
        return ngettext("%(num)s invitation sent", "%(num)s invitations sent", count) % {"num": f"{count:,}"}
    return _(NOTICES[key]) if key in NOTICES else None


@router.get("")
def consultation_list(request: Request, db: DbSession, user: Staff):
    return render(request, "officer/consultations/list.html", {
        "consultations": service.list_for_officers(db)})


def _new_page(request, db, **form):
    return render_form(request, "officer/consultations/new.html", {
        "reviews": reviews.list_reviews(db), "audiences": translated(AUDIENCE_LABELS)}, **form)


@router.get("/new")
def new_consultation(request: Request, db: DbSession, user: Staff, review_id: str = ""):
    return _new_page(request, db, values={"review_id": review_id[:20], "audience": "anyone"})


def _review_choice(value: str) -> int | None:
    """The review chosen on the form: "none" is a stand-alone consultation; nothing chosen is an error."""
    if value == "none":
        return None
    if not value.isdigit():
        raise InvalidInput({"review_id": _("Choose the review this consultation belongs to, or none")})
    return int(value)


@router.post("/new")
def create_consultation(request: Request, db: DbSession, user: Staff,
                        review_id: Annotated[str, Form(max_length=20)] = "",
                        title: Annotated[str, Form(max_length=1000)] = "",
                        summary: Annotated[str, Form(max_length=20_000)] = "",
                        audience: Annotated[str, Form(max_length=40)] = "anyone"):
    values = {"review_id": review_id, "title": title, "summary": summary, "audience": audience}
    try:
        if audience not in Audience.__members__.values():
            raise InvalidInput({"audience": _("Choose who can answer")})
        consultation = service.create_consultation(
            db, review_id=_review_choice(review_id), title=title, summary=summary,
            audience=Audience(audience), actor_id=user.id)
    except InvalidInput as error:
        return _new_page(request, db, errors=error.errors, values=values, status_code=422)
    return RedirectResponse(_base(consultation.id), status_code=303)


def _overview(request, db, consultation_id, *, question_values=None, fragment=None, notice=None, **form):
    consultation = service.get_consultation(db, consultation_id)
    total, used = building.invitation_counts(db, consultation_id)
    form["values"] = form.get("values") or _detail_values(consultation)
    return render_form(request, "officer/consultations/overview.html", {
        "consultation": consultation, "responses": service.response_count(db, consultation_id),
        "invitations_total": total, "invitations_used": used, "kinds": translated(QUESTION_KIND_LABELS),
        "audiences": translated(AUDIENCE_LABELS), "respondent_types": translated(RESPONDENT_TYPE_LABELS),
        "organisations": accounts.list_organisations(db),
        "question_values": question_values or {"page": "1"},
        "notice": notice, "zone_hint": _(local_time.ZONE_HINT),
        "welsh_texts": welsh_versions.consultation_texts(db, consultation),
    }, **form, fragment=fragment)


def _detail_values(consultation) -> dict:
    return {"title": consultation.title, "summary": consultation.summary,
            "confidentiality": consultation.confidentiality, "audience": consultation.audience.value,
            "opens_at": local_time.form_value(consultation.opens_at),
            "closes_at": local_time.form_value(consultation.closes_at),
            "about_you_enabled": consultation.about_you_enabled,
            "you_said_we_did": consultation.you_said_we_did}


@router.get("/{consultation_id}")
def overview(request: Request, db: DbSession, user: Staff, consultation_id: int, notice: str = "",
             sent: str = ""):
    return _overview(request, db, consultation_id, fragment=QUESTIONS_FRAGMENT,
                     notice=_notice(notice, sent[:10]))


@router.post("/{consultation_id}/details")
def update_details(request: Request, db: DbSession, user: Staff, consultation_id: int,
                   title: Annotated[str, Form(max_length=1000)] = "",
                   summary: Annotated[str, Form(max_length=20_000)] = "",
                   confidentiality: Annotated[str, Form(max_length=5000)] = "",
                   audience: Annotated[str, Form(max_length=40)] = "",
                   opens_at: Annotated[str, Form(max_length=40)] = "",
                   closes_at: Annotated[str, Form(max_length=40)] = "",
                   about_you_enabled: Annotated[str, Form(max_length=10)] = "",
                   you_said_we_did: Annotated[str, Form(max_length=20_000)] = ""):
    values = {"title": title, "summary": summary, "confidentiality": confidentiality, "audience": audience,
              "opens_at": opens_at, "closes_at": closes_at, "about_you_enabled": bool(about_you_enabled),
              "you_said_we_did": you_said_we_did}
    consultation = service.get_consultation(db, consultation_id)
    try:
        if audience not in Audience.__members__.values():
            raise InvalidInput({"audience": _("Choose who can answer")})
        service.update_details(
            db, consultation, title=title, summary=summary, confidentiality=confidentiality,
            audience=Audience(audience), opens_at=local_time.parse_local(opens_at, "opens_at"),
            closes_at=local_time.parse_local(closes_at, "closes_at"),
            about_you_enabled=bool(about_you_enabled),
            you_said_we_did=you_said_we_did, actor_id=user.id)
    except InvalidInput as error:
        db.expire(consultation)
        return _overview(request, db, consultation_id, errors=error.errors, values=values, status_code=422)
    return RedirectResponse(f"{_base(consultation_id)}?notice=details_saved", status_code=303)


@router.post("/{consultation_id}/state/{verb}")
def transition(request: Request, db: DbSession, user: Staff, consultation_id: int, verb: str):
    actions = {"open": service.open_consultation, "close": service.close_consultation,
               "publish": service.publish_consultation}
    if verb not in actions:
        return RedirectResponse(_base(consultation_id), status_code=303)
    consultation = service.get_consultation(db, consultation_id)
    actions[verb](db, consultation, actor_id=user.id)
    return RedirectResponse(f"{_base(consultation_id)}?notice={consultation.state.value}",
                            status_code=303)


class QuestionForm(BaseModel):
    """A question as the builder's add and edit forms send it."""

    kind: str = Field("", max_length=40)
    text: str = Field("", max_length=2000)
    hint: str = Field("", max_length=2000)
    required: str = Field("", max_length=10)
    max_length: str = Field("", max_length=10)
    options: str = Field("", max_length=10_000)
    page: str = Field("1", max_length=10)
    questionnaire_id: str = Field("", max_length=20)
    show_if_question_id: str = Field("", max_length=20)
    show_if_value: str = Field("", max_length=400)

    def to_input(self) -> building.QuestionInput:
        return building.QuestionInput(**{**self.model_dump(), "required": bool(self.required),
                                         "page": self.page or "1"})


@router.post("/{consultation_id}/questions")
def add_question(request: Request, db: DbSession, user: Staff, consultation_id: int,
                 form: Annotated[QuestionForm, Form()]):
    data = form.to_input()
    consultation = service.get_consultation(db, consultation_id)
    try:
        building.add_question(db, consultation, data, actor_id=user.id)
    except InvalidInput as error:
        return _overview(request, db, consultation_id, errors=error.errors, question_values=vars(data),
                         status_code=422, fragment=QUESTIONS_FRAGMENT)
    return RedirectResponse(f"{_base(consultation_id)}#questions", status_code=303)


def _edit_page(request, db, consultation_id, question_id, **form):
    consultation = service.get_consultation(db, consultation_id)
    question = next((q for q in consultation.questions if q.id == question_id), None)
    if question is None:
        raise NotFound()
    values = form.pop("values", None) or {
                        "kind": question.kind.value, "text": question.text, "hint": question.hint,
                        "required": question.required, "max_length": str(question.max_length or ""),
                        "options": "\n".join(question.options), "page": str(question.page),
                        "questionnaire_id": str(question.questionnaire_id or ""),
                        "show_if_question_id": str(question.show_if_question_id or ""),
                        "show_if_value": question.show_if_value}
    return render_form(request, "officer/consultations/edit_question.html", {
        "consultation": consultation, "question": question, "question_values": values,
        "kinds": translated(QUESTION_KIND_LABELS)}, **form)


@router.get("/{consultation_id}/questions/{question_id}")
def edit_question(request: Request, db: DbSession, user: Staff, consultation_id: int, question_id: int):
    return _edit_page(request, db, consultation_id, question_id)


@router.post("/{consultation_id}/questions/{question_id}")
def update_question(request: Request, db: DbSession, user: Staff, consultation_id: int, question_id: int,
                    form: Annotated[QuestionForm, Form()]):
    data = form.to_input()
    consultation = service.get_consultation(db, consultation_id)
    try:
        building.update_question(db, consultation, question_id, data, actor_id=user.id)
    except InvalidInput as error:
        return _edit_page(request, db, consultation_id, question_id, values=vars(data), errors=error.errors,
                          status_code=422)
    return RedirectResponse(f"{_base(consultation_id)}#questions", status_code=303)


@router.post("/{consultation_id}/questions/{question_id}/delete")
def delete_question(request: Request, db: DbSession, user: Staff, consultation_id: int, question_id: int):
    consultation = service.get_consultation(db, consultation_id)
    building.delete_question(db, consultation, question_id, actor_id=user.id)
    return RedirectResponse(f"{_base(consultation_id)}#questions", status_code=303)


@router.post("/{consultation_id}/questions/{question_id}/move")
def move_question(request: Request, db: DbSession, user: Staff, consultation_id: int, question_id: int,
                  direction: Annotated[str, Form(max_length=10)] = "up"):
    consultation = service.get_consultation(db, consultation_id)
    building.move_question(db, consultation, question_id, direction)
    return RedirectResponse(f"{_base(consultation_id)}#questions", status_code=303)


@router.post("/{consultation_id}/questionnaires")
def add_questionnaire(request: Request, db: DbSession, user: Staff, consultation_id: int,
                      questionnaire_title: Annotated[str, Form(max_length=1000)] = "",
                      respondent_types: Annotated[list[str] | None, Form()] = None):
    consultation = service.get_consultation(db, consultation_id)
    try:
        building.add_questionnaire(db, consultation, title=questionnaire_title,
                                   respondent_types=(respondent_types or [])[:10], actor_id=user.id)
    except InvalidInput as error:
        return _overview(request, db, consultation_id, errors=error.errors, status_code=422)
    return RedirectResponse(f"{_base(consultation_id)}#questionnaires", status_code=303)


@router.post("/{consultation_id}/documents")
async def upload_document(request: Request, db: DbSession, user: Staff, consultation_id: int,
                          document: UploadFile | None = None,
                          document_title: Annotated[str, Form(max_length=400)] = ""):
    settings = request.app.state.settings
    content = b""
    if document is not None:
        content = await document.read(settings.max_upload_bytes + 1)
    consultation = service.get_consultation(db, consultation_id)
    try:
        if document is None or not content:
            raise InvalidInput({"document": _("Choose a PDF file")})
        building.add_document(db, settings, consultation, title=document_title,
                              filename=document.filename or "document.pdf", content=content, actor_id=user.id)
    except InvalidInput as error:
        return _overview(request, db, consultation_id, errors=error.errors, status_code=422)
    return RedirectResponse(f"{_base(consultation_id)}?notice=document_added#documents", status_code=303)


@router.post("/{consultation_id}/invitations")
def send_invitations(request: Request, db: DbSession, user: Staff, consultation_id: int,
                     emails: Annotated[str, Form(max_length=50_000)] = "",
                     organisation_id: Annotated[str, Form(max_length=20)] = ""):
    consultation = service.get_consultation(db, consultation_id)
    try:
        created = building.invite(db, consultation, emails=emails,
                                  organisation_id=int(organisation_id) if organisation_id.isdigit() else None,
                                  actor_id=user.id)
    except InvalidInput as error:
        return _overview(request, db, consultation_id, errors=error.errors, status_code=422)
    base_url = request.app.state.settings.base_url
    for invitation, token in created:
        queue_email(db, "consultation_invitation", to=invitation.email, language=invitation.language,
                    inviter=user.display_name,
                    council=request.app.state.settings.council_name, title=consultation.title,
                    link=f"{base_url}/consultations/{consultation.id}/invited/{token}")
    sent = f"?notice=invitations_sent&sent={len(created)}#invitations"
    return RedirectResponse(f"{_base(consultation_id)}{sent}", status_code=303)
