"""Responses from other channels: officer data entry, CSV import, and staff API tokens.

They go through the same validation and the same `record_response` as online answers, tagged with
their channel, so they join the same results and analysis.
"""

import csv
import hashlib
import io
import time
from dataclasses import dataclass, field
from datetime import timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from app.csv_export import restored_cell
from app.errors import Conflict, InvalidInput, NotFound
from app.i18n import _
from app.models.base import utcnow
from app.models.consultation import Channel, ConsultationState, QuestionKind
from app.models.consultation_response import ApiToken
from app.services import audit
from app.services.consultations import answering, rules
from app.tokens import new_token, token_hash

MAX_IMPORT_ROWS = 20_000
MAX_REPORTED_ERRORS = 50
OFFICER_CHANNELS = [Channel.PAPER, Channel.PHONE, Channel.FOCUS_GROUP, Channel.ONLINE, Channel.API]


def check_entry_allowed(form: answering.ConsultationForm) -> None:
    """Officers may type in late paper forms after closing, but not into a draft or published one."""
    if form.state not in (ConsultationState.OPEN, ConsultationState.CLOSED):
        raise Conflict(_("Responses can be entered while the consultation is open or closed, "
                       "not while it is a draft or after the results are published."))


def parse_channel(value: str, field_name: str = "channel") -> Channel:
    try:
        return Channel(value.strip().lower())
    except ValueError:
        raise InvalidInput({field_name: _("Choose how the response was given")}) from None


def enter_response(db: Session, form: answering.ConsultationForm, submission: answering.Submission,
                   idempotency_key: str, *, actor_id: int) -> tuple[str, bool]:
    check_entry_allowed(form)
    submission.entered_by_id = actor_id
    reference, created = answering.record_response(db, form, submission, idempotency_key, enforce_open=False)
    if created:
        audit.record(db, actor_id=actor_id, action="consultation.response_entered",
                     object_type="consultation", object_id=form.id, reference=reference,
                     channel=submission.channel.value)
    return reference, created


def applicable_answers(form: answering.ConsultationForm, respondent_type: str, raw: dict) -> dict:
    """Drop blank answers to questions of other questionnaires (an officer form shows them all)."""
    known = {str(q.id) for q in answering.questions_for(form, respondent_type)}
    return {k: v for k, v in raw.items() if k in known or rules.answer_present(v)}


# CSV import ---------------------------------------------------------------------------------------

@dataclass
class ImportReport:
    imported: int = 0
    already_imported: int = 0
    errors: list[tuple[int, str]] = field(default_factory=list)


def _column_for(question, header: list[str]) -> str | None:
    for name in (f"q{question.id}", question.text):
        for column in header:
            if column.strip() == name or column.strip().startswith(f"q{question.id} "):
                return column
    return None


def _csv_value(question, cell: str):
    cell = (cell or "").strip()
    cell = restored_cell(cell)  # undo the export's formula guard so a round trip keeps the text
    kind = QuestionKind(question.kind)
    if kind in (QuestionKind.MULTIPLE_CHOICE, QuestionKind.RANKING, QuestionKind.INDICATORS):
        return [part.strip() for part in cell.split(";") if part.strip()]
    if kind == QuestionKind.RATING and cell and not cell.isdigit() and cell in question.options:
        return str(question.options.index(cell) + 1)
    return cell


def import_csv(db: Session, form: answering.ConsultationForm, content: bytes, *, channel: Channel,
               actor_id: int) -> ImportReport:
    """All or nothing: every row is checked first; nothing is saved if any row is wrong.

    Each row's idempotency key comes from the file's content and the row number, so importing the
    same file twice adds nothing the second time.
    """
    check_entry_allowed(form)
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InvalidInput({"file": _("The file must be a CSV saved as UTF-8")}) from None
    reader = csv.DictReader(io.StringIO(text))
    header = reader.fieldnames or []
    if "respondent_type" not in header:
        raise InvalidInput({"file": _("The first row must name the columns, including respondent_type")})
    digest = hashlib.sha256(content).hexdigest()[:32]
    columns = {q.id: _column_for(q, header) for q in form.questions}
    checked, report = [], ImportReport()
    for line, row in enumerate(reader, start=2):
        if line - 1 > MAX_IMPORT_ROWS:
            raise InvalidInput(
                {"file": _("Import up to {limit} rows at a time").format(limit=f"{MAX_IMPORT_ROWS:,}")})
        submission = _submission(form, row, columns, channel)
        try:
            answering.check_submission(form, submission)
        except InvalidInput as error:
            for name, message in error.errors.items():
                if len(report.errors) < MAX_REPORTED_ERRORS:
                    report.errors.append((line, f"{name}: {message}"))
            continue
        checked.append((line, submission))
    if report.errors:
        return report
    for line, submission in checked:
        key = f"import-{digest}-{line}"
        _reference, created = enter_response(db, form, submission, key, actor_id=actor_id)
        report.imported += created
        report.already_imported += not created
    return report


def _submission(form, row: dict, columns: dict, channel: Channel) -> answering.Submission:
    respondent_type = (row.get("respondent_type") or "").strip().lower()
    questions = {q.id: q for q in form.questions}
    answers = {}
    for question_id, column in columns.items():
        if column is not None:
            value = _csv_value(questions[question_id], row.get(column) or "")
            if rules.answer_present(value):
                answers[str(question_id)] = value
    row_channel = (row.get("channel") or "").strip().lower()
    return answering.Submission(
        respondent_type=respondent_type, answers=answers,
        organisation_name=(row.get("organisation_name") or "").strip(),
        channel=Channel(row_channel) if row_channel in Channel.__members__.values() else channel,
    )


# API tokens ---------------------------------------------------------------------------------------

def create_api_token(db: Session, *, name: str, actor_id: int) -> tuple[ApiToken, str]:
    name = rules.clean_text(name)
    if not name or len(name) > 200:
        raise InvalidInput({"name": _("Enter a name of up to 200 characters, like 'Paper forms team'")})
    token = "chorus_" + new_token()
    api_token = ApiToken(name=name, token_hash=token_hash(token), created_by_id=actor_id)
    db.add(api_token)
    db.flush()
    audit.record(db, actor_id=actor_id, action="api_token.create", object_type="api_token",
                 object_id=api_token.id, name=name)
    return api_token, token


def list_api_tokens(db: Session) -> list[ApiToken]:
    return list(db.scalars(select(ApiToken).order_by(ApiToken.created_at.desc(), ApiToken.id.desc())))


def revoke_api_token(db: Session, token_id: int, *, actor_id: int) -> None:
    api_token = db.get(ApiToken, token_id)
    if api_token is None:
        raise NotFound()
    if api_token.revoked_at is None:
        api_token.revoked_at = utcnow()
        _valid_tokens.clear()
        audit.record(db, actor_id=actor_id, action="api_token.revoke", object_type="api_token",
                     object_id=token_id)


# Valid tokens seen in the last few seconds, by hash: a channel posting hundreds of responses a
# second then costs no token query per response. Revoking clears this process's cache at once;
# other processes stop accepting the token within TOKEN_CACHE_SECONDS.
TOKEN_CACHE_SECONDS = 5.0
_valid_tokens: dict[str, tuple[int, float]] = {}


def find_api_token(db: Session, token: str) -> int | None:
    """The token's id when it is valid; its last use is noted at most once a minute."""
    digest = token_hash(token)
    cached = _valid_tokens.get(digest)
    if cached is not None and cached[1] > time.monotonic():
        return cached[0]
    token_id = _look_up_token(db, digest)
    if token_id is not None:
        if len(_valid_tokens) > 1000:
            _valid_tokens.clear()
        _valid_tokens[digest] = (token_id, time.monotonic() + TOKEN_CACHE_SECONDS)
    return token_id


def _look_up_token(db: Session, digest: str) -> int | None:
    row = db.execute(select(ApiToken.id, ApiToken.last_used_at).where(
        ApiToken.token_hash == digest, ApiToken.revoked_at.is_(None))).first()
    if row is None:
        return None
    now = utcnow()
    if row.last_used_at is None or now - row.last_used_at > timedelta(minutes=1):
        db.execute(update(ApiToken).where(ApiToken.id == row.id).values(last_used_at=now))
    return row.id
