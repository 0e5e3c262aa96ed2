"""Answering: a resident's draft as they go, and recording a response from any channel.

Recording is the hot path (hundreds a second), so it costs as few round trips as it can: the
question definitions of a consultation that is no longer a draft never change, so they are cached
per process; on PostgreSQL the response and its answers are one statement (INSERT … ON CONFLICT
(idempotency_key) DO NOTHING in a CTE feeding the answers' INSERT from arrays), on SQLite one
INSERT and one executemany. The idempotency key is looked up only when the insert finds it taken
or the response cannot be recorded: a retry with the same key returns the first response's
reference and writes nothing, even after the consultation closed.
"""

import secrets
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, insert, select, text
from sqlalchemy.orm import Session

from app.errors import Conflict, InvalidInput, NotFound
from app.i18n import N_, _, current_locale
from app.models.base import utcnow
from app.models.bilingual import ReadsInBothLanguages
from app.models.consultation import (
    Audience,
    Channel,
    Consultation,
    ConsultationState,
    Question,
    QuestionKind,
    Questionnaire,
    RespondentType,
)
from app.models.consultation_response import Answer, Draft, EqualitiesAnswer, Response
from app.models.organisation import Organisation
from app.services.consultations import building, indicator_question, rules
from app.tokens import new_token, token_hash

CLOSED_MESSAGE = N_("This consultation has closed, so it is not taking answers any more. "
                  "Thank you for your interest: the results will be published on this site.")


@dataclass(frozen=True)
class QuestionSpec(ReadsInBothLanguages):
    id: int
    kind: str
    text: str
    required: bool
    options: list
    limit: int
    page: int
    questionnaire_id: int | None
    show_if_question_id: int | None
    show_if_value: str
    hint: str = ""
    welsh: dict = field(default_factory=dict)

    @property
    def field(self) -> str:
        return f"q{self.id}"


@dataclass(frozen=True)
class ConsultationForm:
    """What recording needs to know, live state plus the (frozen) questions."""

    id: int
    state: ConsultationState
    audience: Audience
    closes_at: datetime | None
    about_you_enabled: bool
    questions: list[QuestionSpec] = field(default_factory=list)
    questionnaires: list[tuple[int, list]] = field(default_factory=list)

    @property
    def accepting(self) -> bool:
        return self.state == ConsultationState.OPEN and (self.closes_at is None or utcnow() < self.closes_at)


_QUESTIONS_CACHE: dict[tuple, tuple[list[QuestionSpec], list]] = {}


_CONSULTATIONS = Consultation.__table__
# Built once and run on the connection (Core): the ORM's compile and result steps for the same
# SELECT cost about 0.3 ms of CPU per response, more than the round trip itself.
_FORM_ROW = select(_CONSULTATIONS.c.state, _CONSULTATIONS.c.audience, _CONSULTATIONS.c.closes_at,
                   _CONSULTATIONS.c.about_you_enabled, _CONSULTATIONS.c.created_at,
                   _CONSULTATIONS.c.welsh_revision,
                   ).where(_CONSULTATIONS.c.id == bindparam("consultation_id"))


def load_form(db: Session, consultation_id: int) -> ConsultationForm:
    """The live state, read on every call, with the questions (cached once no longer a draft)."""
    db.flush()  # what Session.execute would do: a state changed in this session is seen
    row = db.connection().execute(_FORM_ROW, {"consultation_id": consultation_id}).first()
    if row is None:
        raise NotFound()
    key = (consultation_id, row.created_at, row.welsh_revision)  # new Welsh for the questions: new copy
    cached = _QUESTIONS_CACHE.get(key) if row.state != ConsultationState.DRAFT else None
    if cached is None:
        cached = _load_questions(db, consultation_id)
        if row.state != ConsultationState.DRAFT:
            _QUESTIONS_CACHE[key] = cached
    questions, questionnaires = cached
    return ConsultationForm(consultation_id, row.state, row.audience, row.closes_at,
                            row.about_you_enabled, questions, questionnaires)


def _load_questions(db: Session, consultation_id: int) -> tuple[list[QuestionSpec], list]:
    questions = db.scalars(select(Question).where(Question.consultation_id == consultation_id)
                           .order_by(Question.page, Question.position, Question.id))
    specs = [QuestionSpec(q.id, q.kind.value, q.text, q.required, list(q.options), q.limit, q.page,
                          q.questionnaire_id, q.show_if_question_id, q.show_if_value, q.hint,
                          dict(q.welsh or {})) for q in questions]
    questionnaires = [(q.id, list(q.respondent_types)) for q in db.scalars(
        select(Questionnaire).where(Questionnaire.consultation_id == consultation_id)
        .order_by(Questionnaire.id))]
    return specs, questionnaires


def questionnaire_id_for(form: ConsultationForm, respondent_type: str) -> int | None:
    for questionnaire_id, types in form.questionnaires:
        if respondent_type in types:
            return questionnaire_id
    return None


def questions_for(form: ConsultationForm, respondent_type: str) -> list[QuestionSpec]:
    return rules.applicable(form.questions, questionnaire_id_for(form, respondent_type))


@dataclass
class Submission:
    respondent_type: str
    answers: dict[str, Any]
    organisation_name: str = ""
    organisation_id: int | None = None
    equalities: dict[str, str] | None = None
    channel: Channel = Channel.ONLINE
    is_panel: bool = False
    invitation_id: int | None = None
    entered_by_id: int | None = None
    submitted_at: datetime | None = None


def check_submission(form: ConsultationForm, submission: Submission) -> tuple[dict, dict | None]:
    """The clean answers and equalities, or InvalidInput naming every wrong field."""
    organisation_name, errors = rules.check_respondent(submission.respondent_type,
                                                       submission.organisation_name)
    submission.organisation_name = organisation_name
    questions = questions_for(form, submission.respondent_type) if not errors else form.questions
    known = {str(q.id) for q in questions}
    unknown = [key for key in submission.answers if key not in known]
    clean, answer_errors = rules.validate_all(questions, submission.answers)
    errors.update(answer_errors)
    errors.update({f"q{key}": _("This question is not part of the consultation") for key in unknown})
    equalities = None
    if submission.equalities:
        if not form.about_you_enabled:
            errors["equalities"] = _("This consultation does not ask about you")
        else:
            equalities, equality_errors = rules.check_equalities(submission.equalities)
            errors.update(equality_errors)
    if errors:
        raise InvalidInput(errors)
    return clean, equalities


def record_response(db: Session, form: ConsultationForm, submission: Submission, idempotency_key: str,
                    *, enforce_open: bool = True) -> tuple[str, bool]:
    """(reference, created). The same idempotency key always gives the same single response."""
    if not idempotency_key or len(idempotency_key) > 64:
        raise InvalidInput({"idempotency_key": _("Send an idempotency key of 1 to 64 characters")})
    try:
        if enforce_open and not form.accepting:
            raise Conflict(CLOSED_MESSAGE)
        clean, equalities = check_submission(form, submission)
    except (Conflict, InvalidInput):
        existing = _existing(db, idempotency_key)  # a retry of a response recorded before
        if existing is not None:
            return _same_consultation(existing, form.id), False
        raise
    questions = questions_for(form, submission.respondent_type)
    rows = rules.answer_rows(questions, clean)
    response_id, reference = _insert_response(db, form, submission, idempotency_key, rows)
    if response_id is None:
        return _same_consultation(_existing(db, idempotency_key), form.id), False
    if equalities:
        db.connection().execute(insert(EqualitiesAnswer.__table__),
                                [{"response_id": response_id, **equalities}])
    if submission.invitation_id is not None:
        building.mark_invitation_used(db, submission.invitation_id)
    if any(q.kind == QuestionKind.INDICATORS for q in questions):
        indicator_question.count_answers(db, form.id, submission.respondent_type, questions, clean)
    return reference, True


def _existing(db: Session, key: str):
    table = Response.__table__
    return db.connection().execute(select(table.c.reference, table.c.consultation_id)
                                   .where(table.c.idempotency_key == key)).first()


def _same_consultation(existing, consultation_id: int) -> str:
    if existing.consultation_id != consultation_id:
        raise Conflict(_("That idempotency key was already used for another consultation."))
    return existing.reference


def _insert_response(db: Session, form: ConsultationForm, submission: Submission, key: str,
                     answers: list[rules.AnswerRow]) -> tuple[int | None, str]:
    """(new response id or None when the key was taken, reference), answers included."""
    reference = rules.new_reference()
    organisation_id = submission.organisation_id
    if organisation_id is None and submission.organisation_name:
        organisation_id = db.scalar(select(Organisation.id).where(
            Organisation.name == submission.organisation_name))
    values = {
        "consultation_id": form.id, "reference": reference, "idempotency_key": key,
        "questionnaire_id": questionnaire_id_for(form, submission.respondent_type),
        "respondent_type": RespondentType(submission.respondent_type).value,
        "organisation_id": organisation_id,
        "organisation_name": submission.organisation_name if submission.respondent_type ==
        RespondentType.ORGANISATION else "",
        "channel": submission.channel.value, "is_panel": submission.is_panel,
        "invitation_id": submission.invitation_id, "entered_by_id": submission.entered_by_id,
        "submitted_at": submission.submitted_at or utcnow(),
    }
    connection = db.connection()
    if connection.dialect.name == "postgresql":
        values.update(question_ids=[a.question_id for a in answers], texts=[a.value_text for a in answers],
                      option_indexes=[a.option_index for a in answers], numbers=[a.number for a in answers])
        return connection.execute(_INSERT_RESPONSE_WITH_ANSWERS_PG, values).scalar_one_or_none(), reference
    response_id = connection.execute(_INSERT_RESPONSE_SQLITE, values).scalar_one_or_none()
    if response_id is not None and answers:
        connection.execute(_INSERT_ANSWERS, [  # one executemany, no ORM bookkeeping
            {"response_id": response_id, "question_id": a.question_id, "value_text": a.value_text,
             "option_index": a.option_index, "number": a.number} for a in answers])
    return response_id, reference


# Plain SQL: SQLAlchemy cannot cache the compiled form of an INSERT … ON CONFLICT construct, and
# compiling it again for every response cost more than running it.
_INSERT_RESPONSE = """
    INSERT INTO consultation_response (consultation_id, reference, idempotency_key, questionnaire_id,
        respondent_type, organisation_id, organisation_name, channel, is_panel, invitation_id,
        entered_by_id, submitted_at)
    VALUES (:consultation_id, :reference, :idempotency_key, :questionnaire_id, :respondent_type,
        :organisation_id, :organisation_name, :channel, :is_panel, :invitation_id, :entered_by_id,
        :submitted_at)
    ON CONFLICT (idempotency_key) DO NOTHING
    RETURNING id"""
_SUBMITTED_AT = bindparam("submitted_at", type_=Response.__table__.c.submitted_at.type)
_INSERT_RESPONSE_SQLITE = text(_INSERT_RESPONSE).bindparams(_SUBMITTED_AT)
# One round trip on PostgreSQL: when the key is already taken, the CTE returns no row and so the
# answers' INSERT … SELECT inserts nothing either.
_ANSWERS_AFTER_RESPONSE = """
), answers AS (
    INSERT INTO consultation_answer (response_id, question_id, value_text, option_index, number)
    SELECT response.id, a.question_id, a.value_text, a.option_index, a.number
    FROM response CROSS JOIN unnest(CAST(:question_ids AS integer[]), CAST(:texts AS text[]),
                                    CAST(:option_indexes AS integer[]), CAST(:numbers AS integer[]))
         AS a(question_id, value_text, option_index, number)
)
SELECT id FROM response
"""
_INSERT_RESPONSE_WITH_ANSWERS_PG = text(
    "WITH response AS (" + _INSERT_RESPONSE + _ANSWERS_AFTER_RESPONSE  # nosec B608 - constants only, no input
).bindparams(_SUBMITTED_AT)
_INSERT_ANSWERS = insert(Answer.__table__)


# Drafts: the resident's journey -----------------------------------------------------------------

def start_draft(db: Session, consultation_id: int, *, invitation_id: int | None = None,
                organisation_name: str = "") -> tuple[Draft, str]:
    token = new_token()
    draft = Draft(consultation_id=consultation_id, token_hash=token_hash(token), answers={}, about_you={},
                  invitation_id=invitation_id, organisation_name=organisation_name, updated_at=utcnow())
    db.add(draft)
    db.flush()
    return draft, token


def find_draft(db: Session, consultation_id: int, token: str | None) -> Draft | None:
    if not token:
        return None
    return db.scalar(select(Draft).where(Draft.token_hash == token_hash(token),
                                         Draft.consultation_id == consultation_id))


def steps(form: ConsultationForm, draft: Draft) -> list[str]:
    """The journey for this draft now: who, each page with a visible question, about you, check.

    Before the resident says who they are, the pages counted are a resident's, so that "Step 1 of
    N" does not become "Step 2 of a larger N" on the next page."""
    result = ["who"]
    questions = questions_for(form, draft.respondent_type or RespondentType.RESIDENT.value)
    result += [f"page-{n}" for n in rules.pages(questions, draft.answers)]
    if form.about_you_enabled:
        result.append("about-you")
    return [*result, "check"]


def first_unanswered_page(form: ConsultationForm, draft: Draft, *, after: str) -> str | None:
    """The first question page after `after` with a required question left unanswered (a page a
    changed answer has just opened), or None."""
    journey = steps(form, draft)
    later = journey[journey.index(after) + 1:] if after in journey else []
    questions = questions_for(form, draft.respondent_type) if draft.respondent_type else []
    for step in later:
        if not step.startswith("page-"):
            continue
        shown = [q for q in rules.visible_questions(questions, draft.answers) if q.page == int(step[5:])]
        if any(q.required and not rules.answer_present(draft.answers.get(str(q.id))) for q in shown):
            return step
    return None


def page_questions(form: ConsultationForm, draft: Draft, page: int) -> list[QuestionSpec]:
    return rules.questions_on_page(questions_for(form, draft.respondent_type), draft.answers, page)


def save_who(draft: Draft, respondent_type: str, organisation_name: str) -> None:
    organisation_name, errors = rules.check_respondent(respondent_type, organisation_name)
    if errors:
        raise InvalidInput(errors)
    draft.respondent_type = respondent_type
    draft.organisation_name = organisation_name if respondent_type == RespondentType.ORGANISATION else ""
    draft.updated_at = utcnow()


def save_page(form: ConsultationForm, draft: Draft, page: int, raw: dict[str, Any]) -> None:
    questions = page_questions(form, draft, page)
    answers = dict(draft.answers)
    errors = {}
    for question in questions:
        if not rules.is_visible(question, answers):
            answers.pop(str(question.id), None)  # a follow-up its question no longer reveals
            continue
        value, error = rules.validate_answer(question, raw.get(str(question.id), ""))
        if error:
            errors[question.field] = error
        elif rules.answer_present(value):
            answers[str(question.id)] = value
        else:
            answers.pop(str(question.id), None)
    if errors:
        raise InvalidInput(errors)
    draft.answers = answers
    draft.updated_at = utcnow()


def save_about_you(draft: Draft, values: dict[str, str], wards: tuple[str, ...] = ()) -> None:
    clean, errors = rules.check_equalities(values, wards)
    if errors:
        raise InvalidInput(errors)
    draft.about_you = clean
    draft.updated_at = utcnow()


def submit_draft(db: Session, form: ConsultationForm, draft: Draft | None, idempotency_key: str) -> str:
    """Turn the draft into a response and delete it; a repeat with the same key gives the same one."""
    existing = _existing(db, idempotency_key) if idempotency_key else None
    if existing is not None:
        return _same_consultation(existing, form.id)
    if draft is None:
        raise Conflict(_("We could not find your answers. They may have been sent already, or the "
                       "consultation may have closed."))
    if not form.accepting:
        raise Conflict(CLOSED_MESSAGE)
    submission = Submission(
        respondent_type=draft.respondent_type, answers=dict(draft.answers),
        organisation_name=draft.organisation_name, equalities=dict(draft.about_you) or None,
        invitation_id=draft.invitation_id, is_panel=form.audience == Audience.PANEL,
    )
    if draft.invitation_id is not None:
        invitation = db.get(building.ConsultationInvitation, draft.invitation_id)
        submission.organisation_id = invitation.organisation_id if invitation else None
    reference, _created = record_response(db, form, submission, idempotency_key)
    db.delete(draft)
    return reference


def receipt_answers(form: ConsultationForm, draft: Draft) -> list[tuple[str, str]]:
    """(question, answer as shown) for every question the resident was asked, in order: read
    before the draft is turned into a response and deleted."""
    questions = questions_for(form, draft.respondent_type) if draft.respondent_type else []
    return [(str(q.localised("text", current_locale())), rules.display_value(q, draft.answers.get(str(q.id))))
            for q in rules.visible_questions(questions, draft.answers)]


def new_idempotency_key() -> str:
    return secrets.token_urlsafe(24)
