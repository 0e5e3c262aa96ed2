"""Subject access and erasure (issue 25): everything Chorus holds about an email address, found,
exported (JSON and a readable page) or erased, by the data-protection role only, and audited.

Residents see and erase their own (issue 27: `own_holdings`, `erase_own`) through "My Chorus".

Covered: accounts (with their sessions, sign-in links and follows), consultation responses (reached
through the invitation or the emailed receipt that carried the address) with their drafts and
invitations, petition signatures, panel volunteers, results sign-ups, forum posts written under a name,
the outbox and audit entries. Anonymous staff posts are out of reach by design: nothing links them to a
person (decision 0080).

The audit never stores the address looked up: a SHA-256 of the normalised address instead, so the
record that an erasure happened outlives the erasure without undoing it.
"""

import re
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import String, cast, delete, func, or_, select, update
from sqlalchemy.orm import Session

from app.errors import Forbidden
from app.i18n import N_, _
from app.models.analysis import Theme, ThemeAssignment
from app.models.audit import AuditEvent
from app.models.base import utcnow
from app.models.consultation import Consultation, ConsultationInvitation
from app.models.consultation_response import Answer, Draft, EqualitiesAnswer, Response
from app.models.consultation_tally import ResultsMark, ResultsTally
from app.models.finding import ResultsSubscriber
from app.models.forum import Post, PostRevision, ThreadFollow
from app.models.outbox import OutboxEmail
from app.models.panel import PanelVolunteer
from app.models.petition import PetitionSignature
from app.models.resident import PetitionFollow, ResidentSignInLink
from app.models.user import Invitation, Role, StaffSession, User
from app.services import audit
from app.services.accounts import check_email
from app.services.panels import pool as panels_pool
from app.services.petitions.email_addresses import normalise_email
from app.services.privacy import retention
from app.services.themes import results as theme_results

REMOVED_POST = "[Removed at the author's request]"
_RECEIPT_REFERENCE = re.compile(r"\(([A-Za-z0-9-]{4,20})\)$")


def require_data_protection(user: User) -> None:
    if user.role != Role.DATA_PROTECTION:
        raise Forbidden(_("Only the data-protection officer can do this."))


def consultations_with_equalities(db: Session) -> list[tuple[Consultation, int]]:
    """Consultations holding equalities answers, with how many: what this role may export."""
    return [(c, n) for c, n in db.execute(
        select(Consultation, func.count(EqualitiesAnswer.id))
        .join(Response, Response.consultation_id == Consultation.id)
        .join(EqualitiesAnswer, EqualitiesAnswer.response_id == Response.id)
        .group_by(Consultation.id).order_by(Consultation.id.desc())).all()]


def record_equalities_export(db: Session, consultation_id: int, actor: User) -> None:
    require_data_protection(actor)
    audit.record(db, actor_id=actor.id, action="consultation.equalities_export", object_type="consultation",
                 object_id=consultation_id)


def address_hash(email: str) -> str:
    return retention.address_digest(email)


@dataclass
class Holdings:
    email: str
    sections: dict[str, list[dict]] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return sum(len(rows) for rows in self.sections.values())

    def as_json(self) -> dict:
        return {"email": self.email, "generated_at": utcnow().isoformat(), "held": self.sections}


SECTION_TITLES = {  # shown with _(title)
    "accounts": N_("Accounts"), "responses": N_("Consultation responses"),
    "drafts": N_("Unsent answers (drafts)"), "consultation_invitations": N_("Invitations to consultations"),
    "signatures": N_("Petition signatures"), "panel_volunteers": N_("Citizens' panel entries"),
    "results_subscriptions": N_("Sign-ups for results"), "forum_posts": N_("Forum posts under a name"),
    "followed_threads": N_("Forum threads followed"), "followed_petitions": N_("Petitions followed"),
    "outbox": N_("Emails (outbox)"), "audit": N_("Audit entries"),
}


def _plain(value):
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


def _row(obj, *names) -> dict:
    return {name: _plain(getattr(obj, name)) for name in names}


def _lower(column, email: str):
    return func.lower(column) == email.lower()


def _users(db: Session, email: str) -> list[User]:
    return list(db.scalars(select(User).where(_lower(User.email, email)).order_by(User.id)))


def _invitations(db: Session, email: str) -> list[ConsultationInvitation]:
    return list(db.scalars(select(ConsultationInvitation).where(_lower(ConsultationInvitation.email, email))))


def _outbox(db: Session, email: str) -> list[OutboxEmail]:
    return list(db.scalars(select(OutboxEmail).where(_lower(OutboxEmail.to_address, email))
                           .order_by(OutboxEmail.id)))


def _responses(db: Session, email: str, invitations, outbox) -> list[Response]:
    references = [m.group(1) for e in outbox if e.concerns.startswith("consultation:")
                  and (m := _RECEIPT_REFERENCE.search(e.subject))]
    invitation_ids = [i.id for i in invitations]
    if not references and not invitation_ids:
        return []
    return list(db.scalars(select(Response).where(or_(
        Response.reference.in_(references), Response.invitation_id.in_(invitation_ids)))
        .order_by(Response.id)))


def _audit(db: Session, email: str, user_ids: list[int]) -> list[AuditEvent]:
    """Entries naming the address, made by its accounts, or about it (searches, exports, erasures)."""
    detail = func.lower(cast(AuditEvent.detail, String))
    conditions = [detail.contains(email.lower()), detail.contains(address_hash(email))]
    if user_ids:
        conditions.append(AuditEvent.actor_id.in_(user_ids))
    return list(db.scalars(select(AuditEvent).where(or_(*conditions)).order_by(AuditEvent.id)))


def find(db: Session, email: str, *, actor: User) -> Holdings:
    """Everything held about `email`; the search is audited (with the address hashed)."""
    require_data_protection(actor)
    email = check_email(email)
    holdings = _collect(db, email)
    audit.record(db, actor_id=actor.id, action="subject_access.search", object_type="person", object_id=None,
                 address_sha256=address_hash(email), found=holdings.total)
    return holdings


def _collect(db: Session, email: str) -> Holdings:
    users = _users(db, email)
    user_ids = [u.id for u in users]
    invitations = _invitations(db, email)
    outbox = _outbox(db, email)
    responses = _responses(db, email, invitations, outbox)
    answers = list(db.scalars(select(Answer).where(Answer.response_id.in_([r.id for r in responses]))
                              .order_by(Answer.id))) if responses else []
    drafts = list(db.scalars(select(Draft).where(Draft.invitation_id.in_([i.id for i in invitations])))) \
        if invitations else []
    signatures = list(db.scalars(select(PetitionSignature).where(
        PetitionSignature.normalised_email == normalise_email(email)).order_by(PetitionSignature.id)))
    volunteers = list(db.scalars(select(PanelVolunteer).where(_lower(PanelVolunteer.email, email))))
    subscribers = list(db.scalars(select(ResultsSubscriber).where(_lower(ResultsSubscriber.email, email))))
    posts = list(db.scalars(select(Post).where(Post.author_id.in_(user_ids)).order_by(Post.id))) \
        if user_ids else []
    by_response: dict[int, list[dict]] = {}
    for answer in answers:
        by_response.setdefault(answer.response_id, []).append(
            _row(answer, "question_id", "value_text", "option_index", "number"))
    holdings = Holdings(email)
    holdings.sections = {
        "accounts": [_row(u, "id", "email", "display_name", "role", "is_active", "language", "created_at",
                          "last_sign_in_at") for u in users],
        "responses": [_row(r, "id", "consultation_id", "reference", "respondent_type", "organisation_name",
                           "channel", "submitted_at") | {"answers": by_response.get(r.id, [])}
                      for r in responses],
        "drafts": [_row(d, "id", "consultation_id", "answers", "created_at") for d in drafts],
        "consultation_invitations": [_row(i, "id", "consultation_id", "email", "created_at", "used_at")
                                     for i in invitations],
        "signatures": [_row(s, "id", "petition_id", "name", "email", "postcode", "ward", "created_at",
                            "validated_at") for s in signatures],
        "panel_volunteers": [_row(v, "id", "panel_id", "name", "email", "address", "postcode", "profile",
                                  "created_at") for v in volunteers],
        "results_subscriptions": [_row(s, "id", "consultation_id", "email", "created_at", "notified_at")
                                  for s in subscribers],
        "forum_posts": [_row(p, "id", "thread_id", "body_text", "created_at") for p in posts],
        "followed_threads": [_row(f, "id", "thread_id", "created_at") for f in db.scalars(
            select(ThreadFollow).where(ThreadFollow.user_id.in_(user_ids)).order_by(ThreadFollow.id))]
        if user_ids else [],
        "followed_petitions": [_row(f, "id", "petition_id", "created_at") for f in db.scalars(
            select(PetitionFollow).where(PetitionFollow.user_id.in_(user_ids)).order_by(PetitionFollow.id))]
        if user_ids else [],
        "outbox": [_row(e, "id", "to_address", "subject", "body_text", "status", "created_at", "sent_at")
                   for e in outbox],
        "audit": [_row(a, "id", "action", "object_type", "object_id", "detail", "created_at")
                  for a in _audit(db, email, user_ids)],
    }
    return holdings


def export(db: Session, email: str, *, actor: User) -> dict:
    require_data_protection(actor)
    email = check_email(email)
    holdings = _collect(db, email)
    audit.record(db, actor_id=actor.id, action="subject_access.export", object_type="person", object_id=None,
                 address_sha256=address_hash(email), found=holdings.total)
    return holdings.as_json()


def erase(db: Session, email: str, *, actor: User) -> dict[str, int]:
    """Erase everything held about `email`; one audit record says an erasure happened, and how much."""
    require_data_protection(actor)
    email = check_email(email)
    counts = _erase(db, email)
    audit.record(db, actor_id=actor.id, action="subject_access.erase", object_type="person", object_id=None,
                 address_sha256=address_hash(email), **counts)
    return counts


def own_holdings(db: Session, user: User) -> Holdings:
    """Everything held about a resident's own address, for "My Chorus" (issue 27): the same search the
    data-protection officer makes, asked for by the person themselves (signed in through their email)."""
    _require_resident(user)
    return _collect(db, user.email)


def erase_own(db: Session, user: User) -> dict[str, int]:
    """A resident deletes their account and everything the erasure reaches; audited with the address
    hashed and no actor (the account it would name is gone)."""
    _require_resident(user)
    email = user.email
    counts = _erase(db, email)
    audit.record(db, actor_id=None, action="resident.erase_own_account", object_type="person", object_id=None,
                 address_sha256=address_hash(email), **counts)
    return counts


def _require_resident(user: User) -> None:
    if not user.is_resident or not user.is_active:
        raise Forbidden(_("Only a resident’s own account can do this."))


def _erase(db: Session, email: str) -> dict[str, int]:
    users = _users(db, email)
    user_ids = [u.id for u in users]
    invitations = _invitations(db, email)
    outbox = _outbox(db, email)
    responses = _responses(db, email, invitations, outbox)
    counts = {"audit": 0}
    # audit entries first, so the record this erasure writes is not among them
    for event in _audit(db, email, user_ids):
        db.delete(event)
        counts["audit"] += 1
    counts["responses"] = _erase_responses(db, responses)
    counts["drafts"] = db.execute(delete(Draft).where(
        Draft.invitation_id.in_([i.id for i in invitations]))).rowcount or 0 if invitations else 0
    counts["consultation_invitations"] = len(invitations)
    for invitation in invitations:
        db.delete(invitation)
    counts["signatures"] = db.execute(update(PetitionSignature).where(
        PetitionSignature.normalised_email == normalise_email(email)).values(
        name=None, email=None, normalised_email=None, ip_address=None, token_hash=None, notify_by_email=False,
        anonymised_at=utcnow()).execution_options(synchronize_session=False)).rowcount or 0
    volunteers = list(db.scalars(select(PanelVolunteer).where(_lower(PanelVolunteer.email, email))))
    for volunteer in volunteers:
        panels_pool.leave(db, volunteer)
    counts["panel_volunteers"] = len(volunteers)
    counts["results_subscriptions"] = db.execute(delete(ResultsSubscriber).where(
        _lower(ResultsSubscriber.email, email))).rowcount or 0
    counts["forum_posts"] = _erase_posts(db, user_ids)
    counts["followed_threads"] = db.execute(delete(ThreadFollow).where(
        ThreadFollow.user_id.in_(user_ids))).rowcount or 0 if user_ids else 0
    counts["outbox"] = len(outbox)
    for email_row in outbox:
        db.delete(email_row)
    db.execute(delete(Invitation).where(_lower(Invitation.email, email)))
    db.execute(delete(ResidentSignInLink).where(_lower(ResidentSignInLink.email, email)))
    if user_ids:
        counts["followed_petitions"] = db.execute(delete(PetitionFollow).where(
            PetitionFollow.user_id.in_(user_ids))).rowcount or 0
        db.execute(delete(StaffSession).where(StaffSession.user_id.in_(user_ids)))
    for user in users:
        user.email, user.display_name = f"erased-{user.id}@erased.invalid", "Erased account"
        user.password_hash, user.totp_secret, user.is_active = "!", None, False
    counts["accounts"] = len(users)
    db.flush()
    return counts


def _erase_responses(db: Session, responses: list[Response]) -> int:
    if not responses:
        return 0
    response_ids = [r.id for r in responses]
    answers = db.execute(select(Answer.id, Answer.question_id)
                         .where(Answer.response_id.in_(response_ids))).all()
    answer_ids = {a for a, _ in answers}
    question_ids = {q for _, q in answers}
    for theme in db.scalars(select(Theme).where(Theme.question_id.in_(question_ids))):
        kept = [q for q in theme.quotes or [] if q.get("answer_id") not in answer_ids]
        if len(kept) != len(theme.quotes or []):
            theme.quotes = kept
    consultation_ids = {r.consultation_id for r in responses}
    db.execute(delete(ThemeAssignment).where(ThemeAssignment.answer_id.in_(answer_ids)))
    db.execute(delete(EqualitiesAnswer).where(EqualitiesAnswer.response_id.in_(response_ids)))
    db.execute(delete(Answer).where(Answer.response_id.in_(response_ids)))
    db.execute(delete(Response).where(Response.id.in_(response_ids)))
    for consultation_id in consultation_ids:  # counts are folded again from what is left
        db.execute(delete(ResultsTally).where(ResultsTally.consultation_id == consultation_id))
        db.execute(delete(ResultsMark).where(ResultsMark.consultation_id == consultation_id))
    for question_id in question_ids:
        theme_results.refresh_sizes(db, question_id)
    return len(response_ids)


def _erase_posts(db: Session, user_ids: list[int]) -> int:
    if not user_ids:
        return 0
    posts = list(db.scalars(select(Post).where(Post.author_id.in_(user_ids))))
    for post in posts:
        theme_results.forget_evidence(db, "post", post.id)
        db.execute(delete(PostRevision).where(PostRevision.post_id == post.id))
        post.body_html, post.body_text, post.author_id = f"<p>{REMOVED_POST}</p>", REMOVED_POST, None
    return len(posts)
