"""'You said, we did': what a published consultation shows residents, and who is told about it."""

import hashlib
import hmac
from dataclasses import dataclass

from sqlalchemy import func, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from app.errors import Conflict, InvalidInput, NotFound
from app.i18n import N_, _
from app.job_queue import enqueue_after_commit
from app.models.base import DEFAULT_LANGUAGE, LANGUAGES, utcnow
from app.models.consultation import Consultation, Question, RespondentType
from app.models.consultation_response import Response
from app.models.finding import ConsultationOutcome, Finding, FindingStatus, ResultsSubscriber
from app.models.forum import Forum, Thread, ThreadFollow
from app.models.outbox import EmailOptOut, OutboxEmail
from app.models.panel import PanelDrawRecord, PanelMember, PanelVolunteer
from app.models.petition import Petition, PetitionSignature
from app.models.user import User
from app.services import audit
from app.services.accounts import check_email
from app.services.email import queue_email
from app.services.petitions import counted
from app.services.petitions.email_addresses import normalise_email
from app.services.reviews import access as review_access
from app.services.themes import summary as themes_summary

MAX_TEXT = 8000


@dataclass(frozen=True)
class PublicResults:
    consultation: Consultation
    responses: int
    by_type: list[tuple[str, int]]
    questions: list[tuple[Question, themes_summary.Summary]]
    findings: list[Finding]
    outcome: ConsultationOutcome | None


def published(db: Session, consultation_id: int) -> Consultation:
    consultation = db.get(Consultation, consultation_id)
    if consultation is None or not consultation.is_published:
        raise NotFound()
    return consultation


def public_results(db: Session, consultation: Consultation) -> PublicResults:
    """Only aggregates, approved themes and scrubbed quotes: never equalities data, never names."""
    counts = db.execute(
        select(Response.respondent_type, func.count())
        .where(Response.consultation_id == consultation.id)
        .group_by(Response.respondent_type)
    ).all()
    by_type = sorted(((RespondentType(t).label, n) for t, n in counts), key=lambda row: -row[1])
    text_questions = [
        q
        for q in db.scalars(
            select(Question)
            .where(Question.consultation_id == consultation.id)
            .order_by(Question.page, Question.position)
        )
        if q.kind.is_text
    ]
    summaries = [(q, themes_summary.summarise(db, q, approved_only=True)) for q in text_questions]
    outcome = outcome_for(db, consultation.id)
    finding_ids = (outcome.finding_ids or []) if outcome else []
    chosen = list(
        db.scalars(
            select(Finding).where(Finding.id.in_(finding_ids), Finding.status == FindingStatus.PUBLISHED)
        )
    )
    return PublicResults(
        consultation,
        sum(n for _, n in by_type),
        by_type,
        [(q, s) for q, s in summaries if s.themes],
        chosen,
        outcome,
    )


def outcome_for(db: Session, consultation_id: int) -> ConsultationOutcome | None:
    return db.scalar(
        select(ConsultationOutcome).where(ConsultationOutcome.consultation_id == consultation_id)
    )


def save_outcome(
    db: Session,
    consultation: Consultation,
    *,
    decision: str,
    what_happened: str,
    finding_ids: list[int],
    officer: User,
) -> ConsultationOutcome:
    review_access.require_staff(officer)
    decision, what_happened = decision.strip(), what_happened.strip()
    errors = {}
    if len(decision) > MAX_TEXT:
        errors["decision"] = _("The decision must be {limit} characters or fewer").format(
            limit=f"{MAX_TEXT:,}")
    if len(what_happened) > MAX_TEXT:
        errors["what_happened"] = _("What happened must be {limit} characters or fewer").format(
            limit=f"{MAX_TEXT:,}")
    valid = set(
        db.scalars(
            select(Finding.id).where(Finding.review_id == consultation.review_id, Finding.id.in_(finding_ids))
        )
    )
    if set(finding_ids) - valid:
        errors["findings"] = _("Choose findings of this consultation's review")
    if errors:
        raise InvalidInput(errors)
    outcome = outcome_for(db, consultation.id) or ConsultationOutcome(consultation_id=consultation.id)
    outcome.decision, outcome.what_happened = decision, what_happened
    outcome.finding_ids, outcome.updated_at = sorted(valid), utcnow()
    db.add(outcome)
    db.flush()
    audit.record(
        db,
        actor_id=officer.id,
        action="consultation.outcome",
        object_type="consultation",
        object_id=consultation.id,
    )
    return outcome


# What a person agrees to when asking for the results; shown on the sign-up forms and kept with the sign-up.
SIGN_UP_WORDING = N_("We will email you once when the council publishes what people said and what it "
                     "decided. We use your address for nothing else and delete it afterwards.")
RESULTS_BATCH = 200
# The words in a panel volunteer's consent (services.panels.CONSENT_TEXT) that agree to hear outcomes.
PANEL_OUTCOME_CONSENT = "tell me what came of each one I am invited to"


def subscribe(db: Session, consultation: Consultation, email: str, *,
              language: str = DEFAULT_LANGUAGE) -> None:
    """Ask to hear when results are published; asking twice is the same as asking once. The words
    agreed to are kept with the sign-up, and its created_at says when."""
    if consultation.is_draft:
        raise NotFound()
    address = check_email(email)
    insert = pg_insert if db.get_bind().dialect.name == "postgresql" else sqlite_insert
    db.execute(
        insert(ResultsSubscriber)
        .values(consultation_id=consultation.id, email=address, created_at=utcnow(),
                language=language if language in LANGUAGES else DEFAULT_LANGUAGE,
                consent_wording=SIGN_UP_WORDING)
        .on_conflict_do_nothing(index_elements=["consultation_id", "email"])
    )


def notify_subscribers(db: Session, consultation: Consultation, base_url: str = "") -> None:
    """Tell everyone who opted in, through the outbox, in batches (a job; see send_results_batch)."""
    if not consultation.is_published:
        raise Conflict(_("Publish the consultation before telling people about its results."))
    enqueue_after_commit(db, "outcomes.tell_contributors", consultation.id)


@dataclass(frozen=True)
class Recipient:
    address: str
    language: str
    subscriber_id: int | None = None


def results_marker(consultation_id: int) -> str:
    """The outbox `concerns` of results emails: who has been told, and purged with the answers."""
    return f"consultation:{consultation_id}:results"


def _recipients(db: Session, consultation: Consultation) -> list[Recipient]:
    """Everyone who opted in: results sign-ups; panel members invited to this consultation whose consent
    says they will be told what came of it; people following a thread in the review's forums; signers
    of the review's petitions who asked for news."""
    people = [Recipient(s.email, s.language, s.id) for s in db.scalars(
        select(ResultsSubscriber).where(ResultsSubscriber.consultation_id == consultation.id)
        .order_by(ResultsSubscriber.id))]
    people += [Recipient(email, language) for email, language in db.execute(
        select(PanelVolunteer.email, PanelVolunteer.language)
        .join(PanelMember, PanelMember.volunteer_id == PanelVolunteer.id)
        .join(PanelDrawRecord, PanelDrawRecord.id == PanelMember.draw_id)
        .where(PanelDrawRecord.consultation_id == consultation.id, PanelMember.invited_at.is_not(None),
               PanelVolunteer.email.is_not(None), PanelVolunteer.consent_text.contains(PANEL_OUTCOME_CONSENT))
        .order_by(PanelMember.id))]
    if consultation.review_id is not None:
        people += [Recipient(email, language) for email, language in db.execute(
            select(User.email, User.language).distinct()
            .join(ThreadFollow, ThreadFollow.user_id == User.id)
            .join(Thread, Thread.id == ThreadFollow.thread_id)
            .join(Forum, Forum.id == Thread.forum_id)
            .where(Forum.review_id == consultation.review_id, User.is_active.is_(True))
            .order_by(User.email))]
    if consultation.review_id is not None:
        people += [Recipient(email, language) for email, language in db.execute(
            select(PetitionSignature.email, PetitionSignature.language)
            .join(Petition, Petition.id == PetitionSignature.petition_id)
            .where(Petition.review_id == consultation.review_id, counted(),
                   PetitionSignature.notify_by_email.is_(True), PetitionSignature.email.is_not(None))
            .order_by(PetitionSignature.id))]
    seen, unique = set(), []
    for person in people:
        if person.address.lower() not in seen:
            seen.add(person.address.lower())
            unique.append(person)
    return unique


def unsubscribe_link(base_url: str, secret: str, address: str) -> str:
    digest = address_digest(address)
    return f"{base_url}/unsubscribe/{digest}/{unsubscribe_signature(secret, digest)}"


def address_digest(address: str) -> str:
    return hashlib.sha256(normalise_email(address).encode()).hexdigest()


def unsubscribe_signature(secret: str, digest: str) -> str:
    return hmac.new(secret.encode(), f"unsubscribe:{digest}".encode(), hashlib.sha256).hexdigest()[:32]


def unsubscribe(db: Session, secret: str, digest: str, signature: str) -> None:
    """The one unsubscribe link: no more outcome emails to this address (stored as its hash only)."""
    if not hmac.compare_digest(unsubscribe_signature(secret, digest), signature):
        raise NotFound()
    if db.get(EmailOptOut, digest) is None:
        db.add(EmailOptOut(address_sha256=digest))
        db.flush()


def send_results_batch(db: Session, consultation_id: int, *, base_url: str, secret: str,
                       batch: int = RESULTS_BATCH) -> int:
    """Queue the next `batch` results emails, each in its reader's language with one unsubscribe link;
    returns how many are still to send (the job runs again until none)."""
    consultation = db.get(Consultation, consultation_id)
    if consultation is None or not consultation.is_published:
        return 0
    marker = results_marker(consultation_id)
    told = {a.lower() for a in db.scalars(
        select(OutboxEmail.to_address).where(OutboxEmail.concerns == marker))}
    opted_out = set(db.scalars(select(EmailOptOut.address_sha256)))
    pending, now = [], utcnow()
    for person in _recipients(db, consultation):
        if person.address.lower() in told:
            continue
        if address_digest(person.address) in opted_out:
            if person.subscriber_id:  # told nothing, and nothing more to keep
                db.execute(update(ResultsSubscriber).where(ResultsSubscriber.id == person.subscriber_id)
                           .values(notified_at=now))
            continue
        pending.append(person)
    link = f"{base_url}/consultations/{consultation.id}/you-said-we-did"
    for person in pending[:batch]:
        queue_email(db, "results_published", to=person.address, concerns=marker, language=person.language,
                    title=consultation.title, link=link,
                    unsubscribe=unsubscribe_link(base_url, secret, person.address))
        if person.subscriber_id:
            db.execute(update(ResultsSubscriber).where(ResultsSubscriber.id == person.subscriber_id)
                       .values(notified_at=now))
    return max(0, len(pending) - batch)
