"""Starting and signing petitions, and confirming signatures by email.

The signing path is one INSERT … ON CONFLICT DO NOTHING (plus the outbox row for the email):
concurrent signatures with the same normalised email store exactly one row, and a second
signature gets exactly the same answer as the first, so nobody learns who has signed.
"""

import enum
import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

from sqlalchemy import bindparam, select, text, update
from sqlalchemy.orm import Session

from app.errors import Conflict, InvalidInput, RateLimited
from app.i18n import _
from app.job_queue import enqueue_after_commit
from app.models.base import utcnow
from app.models.petition import (
    SIGNABLE,
    Petition,
    PetitionSettings,
    PetitionSignature,
    PetitionState,
)
from app.ratelimit import RateLimiter
from app.services.email import (
    RenderedEmail,
    outbox_values,
    queue_email,
    queue_rendered,
    render_email,
    send_after_commit,
)
from app.services.petitions.email_addresses import check_signer_email, email_domain, normalise_email
from app.services.petitions.rules import RuleSet
from app.tokens import new_token, token_hash

POSTCODE = re.compile(r"^([A-Z]{1,2}[0-9][A-Z0-9]?)\s*([0-9][A-Z]{2})$")
DUPLICATE_EMAILS_PER_PETITION = "2/hour"
TITLE_MAX, ACTION_MAX, BACKGROUND_MAX = 150, 1_000, 3_000


@dataclass(frozen=True)
class Signer:
    name: str
    email: str
    normalised_email: str
    domain: str
    postcode: str
    ward: str
    notify: bool


def clean_signer(*, name: str, email: str, location: str, consent: bool, notify: bool) -> Signer:
    """The signer's details checked together, so the form lists every problem at once."""
    errors: dict[str, str] = {}
    name = " ".join(name.split())
    if not name:
        errors["name"] = _("Enter your name")
    elif len(name) > 200:
        errors["name"] = _("Name must be 200 characters or fewer")
    try:
        email = check_signer_email(email)
    except InvalidInput as error:
        errors.update(error.errors)
    postcode, ward = parse_location(location)
    if not (postcode or ward):
        errors["location"] = _("Enter your postcode or the name of your ward")
    elif len(ward) > 100:
        errors["location"] = _("Ward must be 100 characters or fewer")
    if not consent:
        errors["consent"] = _("Confirm that you live, work or study here or use the council's services")
    if errors:
        raise InvalidInput(errors)
    return Signer(
        name=name,
        email=email,
        normalised_email=normalise_email(email),
        domain=email_domain(email),
        postcode=postcode,
        ward=ward,
        notify=notify,
    )


def parse_location(location: str) -> tuple[str, str]:
    """(postcode without spaces, "") for a UK postcode, else ("", ward name)."""
    text = " ".join(location.split())
    match = POSTCODE.match(text.upper())
    if match:
        return match.group(1) + match.group(2), ""
    return "", text


def check_petition_text(*, title: str, action: str, background: str) -> tuple[str, str, str]:
    errors: dict[str, str] = {}
    title, action, background = title.strip(), action.strip(), background.strip()
    if not title:
        errors["title"] = _("Enter what you want the council to do, in a short title")
    elif len(title) > TITLE_MAX:
        errors["title"] = _("Title must be {limit} characters or fewer").format(limit=TITLE_MAX)
    if not action:
        errors["action_text"] = _("Say what the council should do")
    elif len(action) > ACTION_MAX:
        errors["action_text"] = _("This must be {limit} characters or fewer").format(limit=f"{ACTION_MAX:,}")
    if len(background) > BACKGROUND_MAX:
        errors["background"] = _("This must be {limit} characters or fewer").format(
            limit=f"{BACKGROUND_MAX:,}")
    if errors:
        raise InvalidInput(errors)
    return title, action, background


@dataclass(frozen=True)
class NewPetition:
    title: str
    action: str
    background: str
    signer: "Signer"
    review_id: int | None


def check_new_petition(values: dict[str, str], review_ids: set[int]) -> NewPetition:
    """A 'start a petition' form: every problem at once (InvalidInput), or what to start."""
    errors: dict[str, str] = {}
    text = None
    try:
        text = check_petition_text(
            title=values["title"], action=values["action_text"], background=values["background"]
        )
    except InvalidInput as error:
        errors.update(error.errors)
    signer = None
    try:
        signer = clean_signer(
            name=values["name"],
            email=values["email"],
            location=values["location"],
            consent=bool(values["consent"]),
            notify=bool(values["notify"]),
        )
    except InvalidInput as error:
        errors.update(error.errors)
    review_id = int(values["review_id"]) if values["review_id"].isdigit() else None
    if review_id is not None and review_id not in review_ids:
        errors["review_id"] = _("Choose a service from the list, or none")
    if errors:
        raise InvalidInput(errors)
    return NewPetition(*text, signer=signer, review_id=review_id)


def start_petition(
    db: Session,
    *,
    title: str,
    action: str,
    background: str,
    signer: Signer,
    ip: str | None,
    settings: PetitionSettings,
    base_url: str,
    review_id: int | None = None,
) -> Petition:
    """A pending petition and its creator's signature; the creator confirms by email."""
    petition = Petition(
        title=title,
        action=action,
        background=background,
        review_id=review_id,
        state=PetitionState.PENDING,
        support_token=new_token(),
    )
    db.add(petition)
    db.flush()
    token = new_token()
    db.add(_signature_row(petition.id, signer, ip, token, settings, is_creator=True))
    db.flush()
    _confirmation_email(db, petition, signer.email, signer.name, token, settings, base_url, creator=True)
    return petition


class SignOutcome(enum.StrEnum):
    SIGNED = "signed"
    ALREADY = "already"  # same person again: answered the same, nothing counted twice
    DROPPED = "dropped"  # blocked address or domain: answered the same, nothing stored


class Signable(Protocol):
    """What signing needs to know of a petition: a Petition, or a few-seconds-old PetitionRef."""

    id: int
    title: str
    state: PetitionState


@dataclass(frozen=True)
class PetitionRef:
    id: int
    title: str
    state: PetitionState


def sign(
    db: Session,
    petition: Signable,
    signer: Signer,
    *,
    ip: str | None,
    settings: PetitionSettings,
    rules: RuleSet,
    limiter: RateLimiter | None,
    base_url: str,
) -> SignOutcome:
    """One guarded INSERT … ON CONFLICT DO NOTHING and, for a new signature, its outbox row
    (in the same statement on PostgreSQL, the next one on SQLite).

    The INSERT only happens while the petition is signable in the database, so `petition` may be
    a cached PetitionRef: a petition closed a moment ago is caught here, not by the cache.
    """
    if petition.state not in SIGNABLE:
        raise Conflict(_("This petition is not open for signatures."))
    if not screen(petition.id, signer, ip=ip, settings=settings, rules=rules, limiter=limiter):
        return SignOutcome.DROPPED
    token = new_token()
    values = _signature_values(petition.id, signer, ip, token, settings)
    email = _confirmation_message(petition, signer.name, token, settings, base_url)
    if db.get_bind().dialect.name == "postgresql":
        # One round trip: the signature and its outbox email, or neither.
        row = outbox_values(to=signer.email, email=email, concerns=f"petition:{petition.id}")
        inserted = db.execute(
            _GUARDED_INSERT_WITH_EMAIL, values | {f"email_{column}": row[column] for column in _EMAIL_COLUMNS}
        ).first()
        if inserted is not None:
            send_after_commit(db, inserted.id, job=EMAIL_BATCH_JOB)
            return SignOutcome.SIGNED
    else:
        inserted = db.execute(_GUARDED_INSERT, values).first()
    if inserted is None:
        current = db.get(Petition, petition.id)
        if current is None or current.state not in SIGNABLE:
            raise Conflict(_("This petition is not open for signatures."))
        _answer_duplicate(db, current, signer, settings, limiter, base_url)
        return SignOutcome.ALREADY
    queue_rendered(db, email, to=signer.email, concerns=f"petition:{petition.id}", job=EMAIL_BATCH_JOB)
    return SignOutcome.SIGNED


def screen(
    petition_id: int,
    signer: Signer,
    *,
    ip: str | None,
    settings: PetitionSettings,
    rules: RuleSet,
    limiter: RateLimiter | None,
) -> bool:
    """Rate limits and block lists, before any database work (False: drop silently).

    Call it before the request's first query to keep the write transaction short; `sign` then
    skips it when given limiter=None and an empty RuleSet.
    """
    verdict = rules.judge(ip, signer.domain)
    if limiter is not None and ip and not verdict.rate_limit_exempt:
        _check_rate_limits(limiter, settings, ip, petition_id)
    return not verdict.blocked


def _check_rate_limits(limiter: RateLimiter, settings: PetitionSettings, ip: str, petition_id: int) -> None:
    limits = (settings.signing_limit_per_address_short, settings.signing_limit_per_address_long)
    if limiter.allow_all("petition-sign", limits, ip, str(petition_id)):  # one Redis round trip
        return
    raise RateLimited(
        _("Too many signatures have been sent from your connection to this petition. "
        "Please wait a few minutes and try again."),
        retry_after_seconds=limiter.retry_after("petition-sign", limits, ip, str(petition_id)),
    )


def _signature_values(
    petition_id: int,
    signer: Signer,
    ip: str | None,
    token: str,
    settings: PetitionSettings,
    *,
    is_creator: bool = False,
) -> dict:
    now = utcnow()
    return {
        "petition_id": petition_id,
        "name": signer.name,
        "email": signer.email,
        "normalised_email": signer.normalised_email,
        "email_domain": signer.domain,
        "postcode": signer.postcode,
        "ward": signer.ward,
        "ip_address": ip,
        "notify_by_email": signer.notify,
        "is_creator": is_creator,
        "token_hash": token_hash(token),
        "token_expires_at": now + timedelta(hours=settings.confirmation_hours),
        "created_at": now,
    }


def _guarded_insert(*, with_email: bool):
    """INSERT … SELECT … WHERE the petition is signable ON CONFLICT DO NOTHING RETURNING id.

    Written as text because SQLAlchemy cannot cache the compiled form of dialect inserts with
    ON CONFLICT (it compiled one per signature); the same SQL runs on PostgreSQL and SQLite.
    `with_email` (PostgreSQL): the outbox row too, in the same statement, returning its id.
    """
    columns = list(_signature_values(0, Signer("", "", "", "", "", "", False), None, "", _NO_SETTINGS))
    types = {column.key: column.type for column in PetitionSignature.__table__.columns}
    states = ", ".join(f"'{state.value}'" for state in sorted(SIGNABLE))
    # Only column names and enum values are interpolated, never input.
    sql = (
        f"INSERT INTO petition_signature ({', '.join(columns)}) "  # noqa: S608  # nosec B608 - column names and enum values only
        f"SELECT {', '.join(':' + c for c in columns)} "
        "WHERE EXISTS (SELECT 1 FROM petition "
        f"WHERE petition.id = :petition_id AND petition.state IN ({states})) "
        "ON CONFLICT (petition_id, normalised_email) DO NOTHING RETURNING id"
    )
    if with_email:
        sql = (
            f"WITH signed AS ({sql}) "  # noqa: S608  # nosec B608 - column names only
            f"INSERT INTO outbox_email ({', '.join(_EMAIL_COLUMNS)}, created_at) "
            f"SELECT {', '.join(':email_' + c for c in _EMAIL_COLUMNS)}, :created_at FROM signed RETURNING id"
        )
    return text(sql).bindparams(*(bindparam(c, type_=types[c]) for c in columns))


# The outbox row's columns as services/email.py writes them (created_at is the signature's).
_EMAIL_COLUMNS = [
    c for c in outbox_values(to="", email=RenderedEmail("", "", "", ""), concerns="") if c != "created_at"
]
EMAIL_BATCH_JOB = "petitions.email_batches.add"  # signing sends its emails in batches (jobs/petitions.py)


class _NoSettings:
    confirmation_hours = 0


_NO_SETTINGS = _NoSettings()
_GUARDED_INSERT = _guarded_insert(with_email=False)
_GUARDED_INSERT_WITH_EMAIL = _guarded_insert(with_email=True)


def _signature_row(petition_id, signer, ip, token, settings, *, is_creator=False) -> PetitionSignature:
    return PetitionSignature(
        **_signature_values(petition_id, signer, ip, token, settings, is_creator=is_creator)
    )


def _answer_duplicate(db, petition, signer, settings, limiter, base_url) -> None:
    """Resend the confirmation if still pending, or say it is already counted, by email only."""
    existing = db.scalar(
        select(PetitionSignature).where(
            PetitionSignature.petition_id == petition.id,
            PetitionSignature.normalised_email == signer.normalised_email,
        )
    )
    if existing is None or existing.email is None or existing.invalidated_at is not None:
        return
    if limiter is not None and not limiter.allow(
        "petition-duplicate-email", DUPLICATE_EMAILS_PER_PETITION, str(petition.id), signer.normalised_email
    ):
        return
    if existing.validated_at is None:
        token = new_token()
        existing.token_hash = token_hash(token)
        existing.token_expires_at = utcnow() + timedelta(hours=settings.confirmation_hours)
        _confirmation_email(
            db,
            petition,
            existing.email,
            existing.name or signer.name,
            token,
            settings,
            base_url,
            creator=existing.is_creator,
        )
        return
    queue_email(
        db,
        "petition_already_signed",
        to=existing.email,
        concerns=f"petition:{petition.id}",
        job=EMAIL_BATCH_JOB,
        name=existing.name,
        title=petition.title,
        link=f"{base_url}/petitions/{petition.id}",
    )


def _confirmation_email(db, petition, email, name, token, settings, base_url, *, creator=False) -> None:
    message = _confirmation_message(petition, name, token, settings, base_url, creator=creator)
    queue_rendered(db, message, to=email, concerns=f"petition:{petition.id}", job=EMAIL_BATCH_JOB)


def _confirmation_message(petition, name, token, settings, base_url, *, creator=False) -> RenderedEmail:
    return render_email(
        "petition_confirm_start" if creator else "petition_confirm_signature",
        name=name,
        title=petition.title,
        link=f"{base_url}/petitions/signatures/{token}",
        hours=settings.confirmation_hours,
    )


# --- confirmation -----------------------------------------------------------------------------


class ConfirmOutcome(enum.StrEnum):
    CONFIRMED = "confirmed"
    ALREADY = "already"
    EXPIRED = "expired"
    UNKNOWN = "unknown"


@dataclass(frozen=True)
class Confirmation:
    outcome: ConfirmOutcome
    petition: Petition | None = None
    is_creator: bool = False


def find_unconfirmed(db: Session, token: str) -> Confirmation:
    """What a confirmation link would do, without doing it (the GET page)."""
    signature = db.scalar(select(PetitionSignature).where(PetitionSignature.token_hash == token_hash(token)))
    return _describe(db, signature, utcnow())


def _describe(db: Session, signature: PetitionSignature | None, now: datetime) -> Confirmation:
    if signature is None or signature.invalidated_at is not None:
        return Confirmation(ConfirmOutcome.UNKNOWN)
    petition = db.get(Petition, signature.petition_id)
    if signature.validated_at is not None:
        return Confirmation(ConfirmOutcome.ALREADY, petition, signature.is_creator)
    if signature.token_expires_at is None or signature.token_expires_at <= now:
        return Confirmation(ConfirmOutcome.EXPIRED, petition, signature.is_creator)
    return Confirmation(ConfirmOutcome.CONFIRMED, petition, signature.is_creator)


def confirm_signature(db: Session, token: str, *, base_url: str, now: datetime | None = None) -> Confirmation:
    """Count the signature once: the UPDATE only matches an unconfirmed, unexpired token."""
    now = now or utcnow()
    hashed = token_hash(token)
    row = db.execute(
        update(PetitionSignature)
        .where(
            PetitionSignature.token_hash == hashed,
            PetitionSignature.validated_at.is_(None),
            PetitionSignature.invalidated_at.is_(None),
            PetitionSignature.token_expires_at > now,
        )
        .values(validated_at=now)
        .returning(PetitionSignature.petition_id, PetitionSignature.is_creator)
        .execution_options(synchronize_session=False)
    ).first()
    if row is None:
        signature = db.scalar(select(PetitionSignature).where(PetitionSignature.token_hash == hashed))
        return _describe(db, signature, now)
    petition_id, is_creator = row
    petition = db.get(Petition, petition_id)
    if is_creator and petition.state == PetitionState.PENDING:
        _creator_confirmed(db, petition, now, base_url)
    enqueue_after_commit(db, "petitions.check_petition_thresholds", petition_id)
    return Confirmation(ConfirmOutcome.CONFIRMED, petition, is_creator)


def _creator_confirmed(db: Session, petition: Petition, now: datetime, base_url: str) -> None:
    petition.state = PetitionState.VALIDATED
    petition.validated_at = now
    creator = db.scalar(
        select(PetitionSignature).where(
            PetitionSignature.petition_id == petition.id, PetitionSignature.is_creator.is_(True)
        )
    )
    queue_email(
        db,
        "petition_share",
        to=creator.email,
        concerns=f"petition:{petition.id}",
        name=creator.name,
        title=petition.title,
        link=f"{base_url}/petitions/support/{petition.support_token}",
    )
