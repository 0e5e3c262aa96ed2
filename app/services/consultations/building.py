"""The question builder, questionnaires per respondent type, PDF documents and invitations."""

import secrets
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.config import Settings
from app.errors import Conflict, InvalidInput, NotFound
from app.i18n import _
from app.models.base import utcnow
from app.models.consultation import (
    Audience,
    Consultation,
    ConsultationDocument,
    ConsultationInvitation,
    Question,
    QuestionKind,
    Questionnaire,
    RespondentType,
)
from app.services import audit
from app.services.accounts import check_email
from app.services.consultations import indicator_question
from app.services.consultations.rules import clean_text
from app.tokens import new_token, token_hash

MAX_OPTIONS = 20


@dataclass
class QuestionInput:
    kind: str = ""
    text: str = ""
    hint: str = ""
    required: bool = False
    max_length: str = ""
    options: str = ""
    page: str = "1"
    questionnaire_id: str = ""
    show_if_question_id: str = ""
    show_if_value: str = ""


def _require_draft(consultation: Consultation) -> None:
    if not consultation.is_draft:
        raise Conflict(_("Questions can only change while the consultation is a draft, "
                       "so that every response answers the same questions."))


def _check_question(db: Session, consultation: Consultation, data: QuestionInput,
                    question_id: int | None = None) -> dict:
    errors: dict[str, str] = {}
    try:
        kind = QuestionKind(data.kind)
    except ValueError:
        errors["kind"] = _("Choose the type of question")
        kind = None
    text = clean_text(data.text)
    if not text:
        errors["text"] = _("Enter the question")
    elif len(text) > 500:
        errors["text"] = _("The question must be 500 characters or fewer")
    options = [clean_text(line) for line in data.options.splitlines() if clean_text(line)]
    if kind == QuestionKind.INDICATORS:  # the review's indicators, read now (decision 0103)
        if consultation.review_id is None:
            errors["kind"] = (_("“Which of these matter most to you?” asks about a review's indicators: "
                              "choose another type, or use it in a consultation that is part of a review"))
        options = indicator_question.options_for_review(db, consultation.review_id) \
            if consultation.review_id is not None else []
    elif kind and kind.has_options:
        if len(options) < 2:
            errors["options"] = _("Enter at least 2 options, one on each line")
        elif len(options) > MAX_OPTIONS or len(set(options)) != len(options) or \
                any(len(o) > 200 for o in options):
            errors["options"] = _("Enter up to {limit} different options of up to 200 characters").format(
                limit=MAX_OPTIONS)
    else:
        options = []
    max_length = None
    if data.max_length.strip():
        if not data.max_length.strip().isdigit() or not 1 <= int(data.max_length) <= 10_000:
            errors["max_length"] = _("Enter a character limit between 1 and 10,000")
        else:
            max_length = int(data.max_length)
    if not data.page.strip().isdigit() or not 1 <= int(data.page) <= 50:
        errors["page"] = _("Enter a page number between 1 and 50")
    questionnaire_id = _own_id(db, Questionnaire, consultation.id, data.questionnaire_id)
    if questionnaire_id is False:
        errors["questionnaire_id"] = _("Choose a questionnaire of this consultation")
    show_if_id = _own_id(db, Question, consultation.id, data.show_if_question_id)
    show_if_value = clean_text(data.show_if_value)
    if show_if_id is False or (show_if_id and show_if_id == question_id):
        errors["show_if_question_id"] = _("Choose an earlier question of this consultation")
    elif show_if_id:
        earlier = db.get(Question, show_if_id)
        if show_if_value not in earlier.options:
            errors["show_if_value"] = _("Enter one of the earlier question's options exactly")
    if errors:
        raise InvalidInput(errors)
    return {"kind": kind, "text": text, "hint": clean_text(data.hint)[:1000], "required": data.required,
            "max_length": max_length if kind and kind.is_text else None, "options": options,
            "page": int(data.page), "questionnaire_id": questionnaire_id or None,
            "show_if_question_id": show_if_id or None, "show_if_value": show_if_value if show_if_id else ""}


def _own_id(db: Session, model, consultation_id: int, raw: str) -> int | bool | None:
    """None when blank, the id when it belongs to this consultation, False otherwise."""
    if not raw.strip():
        return None
    if not raw.strip().isdigit():
        return False
    found = db.scalar(select(model.id).where(model.id == int(raw), model.consultation_id == consultation_id))
    return found if found else False


def add_question(db: Session, consultation: Consultation, data: QuestionInput, *,
                 actor_id: int | None = None) -> Question:
    _require_draft(consultation)
    values = _check_question(db, consultation, data)
    last = db.scalar(select(func.max(Question.position)).where(Question.consultation_id == consultation.id))
    question = Question(consultation_id=consultation.id, position=(last or 0) + 1, **values)
    db.add(question)
    db.flush()
    audit.record(db, actor_id=actor_id, action="consultation.question_add", object_type="consultation",
                 object_id=consultation.id, question_id=question.id)
    return question


def _own_question(db: Session, consultation: Consultation, question_id: int) -> Question:
    question = db.get(Question, question_id)
    if question is None or question.consultation_id != consultation.id:
        raise NotFound()
    return question


def update_question(db: Session, consultation: Consultation, question_id: int, data: QuestionInput, *,
                    actor_id: int | None = None) -> Question:
    _require_draft(consultation)
    question = _own_question(db, consultation, question_id)
    for name, value in _check_question(db, consultation, data, question_id).items():
        setattr(question, name, value)
    audit.record(db, actor_id=actor_id, action="consultation.question_edit", object_type="consultation",
                 object_id=consultation.id, question_id=question.id)
    return question


def delete_question(db: Session, consultation: Consultation, question_id: int, *,
                    actor_id: int | None = None) -> None:
    _require_draft(consultation)
    question = _own_question(db, consultation, question_id)
    db.delete(question)
    db.flush()
    audit.record(db, actor_id=actor_id, action="consultation.question_delete", object_type="consultation",
                 object_id=consultation.id, question_id=question_id)


def move_question(db: Session, consultation: Consultation, question_id: int, direction: str) -> None:
    """Swap with the neighbour on the same page (up or down)."""
    _require_draft(consultation)
    question = _own_question(db, consultation, question_id)
    siblings = list(db.scalars(select(Question).where(
        Question.consultation_id == consultation.id, Question.page == question.page)
        .order_by(Question.position, Question.id)))
    index = siblings.index(question)
    other = index - 1 if direction == "up" else index + 1
    if 0 <= other < len(siblings):
        siblings[index], siblings[other] = siblings[other], siblings[index]
    for position, sibling in enumerate(siblings, start=1):
        sibling.position = position


def add_questionnaire(db: Session, consultation: Consultation, *, title: str, respondent_types: list[str],
                      actor_id: int | None = None) -> Questionnaire:
    _require_draft(consultation)
    title = clean_text(title)
    errors = {}
    if not title or len(title) > 200:
        errors["questionnaire_title"] = _("Enter a title of up to 200 characters")
    valid = [t for t in respondent_types if t in RespondentType.__members__.values()]
    if not valid or len(valid) != len(respondent_types):
        errors["respondent_types"] = _("Choose who answers this questionnaire")
    if errors:
        raise InvalidInput(errors)
    questionnaire = Questionnaire(consultation_id=consultation.id, title=title, respondent_types=valid)
    db.add(questionnaire)
    db.flush()
    audit.record(db, actor_id=actor_id, action="consultation.questionnaire_add", object_type="consultation",
                 object_id=consultation.id, questionnaire_id=questionnaire.id)
    return questionnaire


def add_document(db: Session, settings: Settings, consultation: Consultation, *, title: str,
                 filename: str, content: bytes, actor_id: int | None = None) -> ConsultationDocument:
    title = clean_text(title) or clean_text(Path(filename or "").stem)
    if len(content) > settings.max_upload_bytes:
        raise InvalidInput({"document": _("The file must be smaller than {size} MB").format(
            size=settings.max_upload_bytes // (1024 * 1024))})
    if not content.startswith(b"%PDF-"):
        raise InvalidInput({"document": _("The file must be a PDF")})
    if not title:
        raise InvalidInput({"document_title": _("Enter a title for the document")})
    stored_name = f"{secrets.token_hex(16)}.pdf"
    directory = Path(settings.upload_dir) / "consultations"
    directory.mkdir(parents=True, exist_ok=True)
    (directory / stored_name).write_bytes(content)
    safe_name = "".join(c for c in Path(filename or "document.pdf").name if c.isalnum() or c in "._- ")
    document = ConsultationDocument(consultation_id=consultation.id, title=title[:200],
                                    filename=(safe_name or "document.pdf")[:200], stored_name=stored_name,
                                    size_bytes=len(content))
    db.add(document)
    db.flush()
    audit.record(db, actor_id=actor_id, action="consultation.document_add", object_type="consultation",
                 object_id=consultation.id, document_id=document.id)
    return document


def document_path(settings: Settings, document: ConsultationDocument) -> Path:
    return Path(settings.upload_dir) / "consultations" / document.stored_name


def get_document(db: Session, consultation_id: int, document_id: int) -> ConsultationDocument:
    document = db.get(ConsultationDocument, document_id)
    if document is None or document.consultation_id != consultation_id:
        raise NotFound()
    return document


def invite(db: Session, consultation: Consultation, *, emails: str, organisation_id: int | None = None,
           actor_id: int | None = None) -> list[tuple[ConsultationInvitation, str]]:
    """One single-use link per person; returns each invitation with its token (for the email)."""
    if consultation.audience == Audience.ANYONE:
        raise Conflict(_("Anyone can answer this consultation, so it needs no invitations."))
    addresses = [part.strip() for part in emails.replace(",", "\n").splitlines() if part.strip()]
    if not addresses:
        raise InvalidInput({"emails": _("Enter at least one email address")})
    if len(addresses) > 500:
        raise InvalidInput({"emails": _("Enter up to 500 email addresses at a time")})
    checked = []
    for address in addresses:
        checked.append(check_email(address, field="emails"))
    created = []
    for address in dict.fromkeys(checked):
        token = new_token()
        invitation = ConsultationInvitation(consultation_id=consultation.id, email=address,
                                            organisation_id=organisation_id, token_hash=token_hash(token))
        db.add(invitation)
        created.append((invitation, token))
    db.flush()
    audit.record(db, actor_id=actor_id, action="consultation.invite", object_type="consultation",
                 object_id=consultation.id, count=len(created))
    return created


def invitation_counts(db: Session, consultation_id: int) -> tuple[int, int]:
    total, used = db.execute(select(func.count(), func.count(ConsultationInvitation.used_at)).where(
        ConsultationInvitation.consultation_id == consultation_id)).one()
    return total, used


def find_invitation(db: Session, consultation_id: int, token: str) -> ConsultationInvitation:
    invitation = db.scalar(select(ConsultationInvitation).where(
        ConsultationInvitation.token_hash == token_hash(token),
        ConsultationInvitation.consultation_id == consultation_id))
    if invitation is None:
        raise NotFound(_("We could not find that invitation. Check the link in your email."))
    if invitation.used_at is not None:
        raise Conflict(_("This invitation link has already been used to respond. Each link works once."))
    return invitation


def mark_invitation_used(db: Session, invitation_id: int) -> None:
    from sqlalchemy import update

    result = db.execute(update(ConsultationInvitation).where(
        ConsultationInvitation.id == invitation_id, ConsultationInvitation.used_at.is_(None),
    ).values(used_at=utcnow()))
    if result.rowcount != 1:
        raise Conflict(_("This invitation link has already been used to respond. Each link works once."))
