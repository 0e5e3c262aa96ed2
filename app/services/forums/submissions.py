"""Organisations' formal submissions to a review: drafted by a member or organiser, signed off by
one of the organisation's organisers, counted apart from individuals' responses.

Attachments are PDFs (checked by type and by their first bytes), kept in the database in the same
transaction as the submission.
"""

import hashlib
from dataclasses import dataclass

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session, joinedload, selectinload

from app.errors import Forbidden, InvalidInput, NotFound
from app.i18n import _
from app.models.base import utcnow
from app.models.consultation import Consultation
from app.models.forum import Submission, SubmissionAttachment, SubmissionStatus
from app.models.organisation import Organisation, OrganisationType
from app.models.review import Review
from app.models.user import Role, User
from app.services import audit
from app.services.forums.visibility import is_staff

MAX_ATTACHMENT_BYTES = 5 * 1024 * 1024
MAX_ATTACHMENTS = 5


@dataclass(frozen=True)
class Upload:
    filename: str
    content_type: str
    content: bytes


def is_member_of(user: User | None, organisation: Organisation) -> bool:
    return (user is not None and user.organisation_id == organisation.id
            and user.role in (Role.ORGANISER, Role.MEMBER))


def is_organiser_of(user: User | None, organisation: Organisation) -> bool:
    return user is not None and user.role == Role.ORGANISER and user.organisation_id == organisation.id


def _check_uploads(uploads: list[Upload]) -> None:
    uploads = [u for u in uploads if u.filename]
    if len(uploads) > MAX_ATTACHMENTS:
        raise InvalidInput({"attachments": _("Attach up to {limit} files").format(limit=MAX_ATTACHMENTS)})
    for upload in uploads:
        if upload.content_type != "application/pdf" or not upload.content.startswith(b"%PDF-"):
            raise InvalidInput({"attachments": _("{file} must be a PDF").format(file=upload.filename[:100])})
        if len(upload.content) > MAX_ATTACHMENT_BYTES:
            too_big = _("{file} must be smaller than 5 MB").format(file=upload.filename[:100])
            raise InvalidInput({"attachments": too_big})
        if not upload.content:
            raise InvalidInput({"attachments": _("{file} is empty").format(file=upload.filename[:100])})


def draft(db: Session, author: User, organisation: Organisation, *, review_id: int, title: str, body: str,
          uploads: list[Upload] = (), consultation_id: int | None = None) -> Submission:
    if not is_member_of(author, organisation):
        raise NotFound()
    errors = {}
    if db.get(Review, review_id) is None:
        errors["review_id"] = _("Choose the review you are responding to")
    elif consultation_id is not None and _review_of(db, consultation_id) != review_id:
        errors["consultation_id"] = _("Choose a consultation of the same review, or none")
    if not title.strip():
        errors["title"] = _("Enter a title")
    if not body.strip():
        errors["body"] = _("Enter your organisation's submission")
    try:
        _check_uploads(list(uploads))
    except InvalidInput as error:
        errors.update(error.errors)
    if errors:
        raise InvalidInput(errors)
    submission = Submission(organisation_id=organisation.id, review_id=review_id,
                            consultation_id=consultation_id, title=title.strip()[:200],
                            body=body.strip()[:100_000], drafted_by_id=author.id)
    db.add(submission)
    db.flush()
    for upload in uploads:
        if upload.filename:
            db.add(SubmissionAttachment(
                submission_id=submission.id, filename=_safe_filename(upload.filename),
                content_type="application/pdf", size_bytes=len(upload.content),
                sha256=hashlib.sha256(upload.content).hexdigest(), content=upload.content))
    audit.record(db, actor_id=author.id, action="submission.draft", object_type="submission",
                 object_id=submission.id, organisation_id=organisation.id)
    db.flush()
    return submission


def _review_of(db: Session, consultation_id: int) -> int | None:
    consultation = db.get(Consultation, consultation_id)
    return consultation.review_id if consultation else None


def _safe_filename(name: str) -> str:
    base = name.replace("\\", "/").rsplit("/", 1)[-1]
    cleaned = "".join(c for c in base if c.isalnum() or c in " ._-()").strip() or "attachment.pdf"
    return cleaned[:200] if cleaned.lower().endswith(".pdf") else cleaned[:196] + ".pdf"


def sign_off(db: Session, organiser: User, submission: Submission) -> None:
    """Only an organiser of the submitting organisation can sign it off (officers cannot)."""
    if not is_organiser_of(organiser, submission.organisation):
        raise Forbidden(_("Only an organiser of this organisation can sign off its submission."))
    if submission.is_signed_off:
        return
    submission.status = SubmissionStatus.SIGNED_OFF
    submission.signed_off_by_id = organiser.id
    submission.signed_off_at = utcnow()
    audit.record(db, actor_id=organiser.id, action="submission.sign_off", object_type="submission",
                 object_id=submission.id, organisation_id=submission.organisation_id)


def _visible(viewer: User | None):
    """Signed-off submissions are public; drafts only to their organisation and to officers."""
    if is_staff(viewer):
        return Submission.id.is_not(None)
    signed = Submission.status == SubmissionStatus.SIGNED_OFF
    if viewer is None or viewer.organisation_id is None:
        return signed
    return or_(signed, Submission.organisation_id == viewer.organisation_id)


def list_submissions(db: Session, viewer: User | None, organisation: Organisation) -> list[Submission]:
    return list(db.scalars(
        select(Submission).where(Submission.organisation_id == organisation.id, _visible(viewer))
        .options(joinedload(Submission.review), selectinload(Submission.attachments))
        .order_by(Submission.id.desc())))


def get_submission(
    db: Session, viewer: User | None, organisation: Organisation, submission_id: int
) -> Submission:
    submission = db.scalar(
        select(Submission)
        .where(Submission.id == submission_id, Submission.organisation_id == organisation.id,
               _visible(viewer))
        .options(joinedload(Submission.review), joinedload(Submission.organisation),
                 joinedload(Submission.drafted_by), joinedload(Submission.signed_off_by),
                 selectinload(Submission.attachments)))
    if submission is None:
        raise NotFound()
    return submission


def get_attachment(db: Session, submission: Submission, attachment_id: int) -> SubmissionAttachment:
    attachment = db.scalar(select(SubmissionAttachment).where(
        SubmissionAttachment.id == attachment_id, SubmissionAttachment.submission_id == submission.id))
    if attachment is None:
        raise NotFound()
    return attachment


def counts_by_organisation_type(db: Session, review_id: int) -> dict[OrganisationType, int]:
    """Signed-off organisational submissions to a review: counted apart from individuals."""
    rows = db.execute(
        select(Organisation.type, func.count(Submission.id))
        .join(Organisation, Organisation.id == Submission.organisation_id)
        .where(Submission.review_id == review_id, Submission.status == SubmissionStatus.SIGNED_OFF)
        .group_by(Organisation.type)).all()
    return dict(rows)
