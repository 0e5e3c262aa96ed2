"""Petitions, their signatures, the council's petition settings, address rules and invalidations.

A petition's count is never stored: it is counted from `petition_signature` (indexed), so no
hot counter row serialises signing (the failure that took down the national site in 2019).
"""

import enum
from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.i18n import N_, _
from app.models.base import DEFAULT_LANGUAGE, Base, CreatedAtMixin, str_enum
from app.models.bilingual import Bilingual
from app.models.review import Review
from app.models.user import User


class PetitionState(enum.StrEnum):
    PENDING = "pending"  # the creator has not confirmed their email yet
    VALIDATED = "validated"  # confirmed; gathering supporters through the share link
    SPONSORED = "sponsored"  # enough supporters: awaiting moderation
    OPEN = "open"
    CLOSED = "closed"
    REJECTED = "rejected"
    HIDDEN = "hidden"  # rejected and not shown at all (offensive, libellous, personal data)


# Named sets of states (the rules read as sentences: "if petition.state in SIGNABLE").
UNMODERATED = frozenset({PetitionState.PENDING, PetitionState.VALIDATED, PetitionState.SPONSORED})
SUPPORTABLE = frozenset({PetitionState.VALIDATED, PetitionState.SPONSORED})
SIGNABLE = frozenset({PetitionState.VALIDATED, PetitionState.SPONSORED, PetitionState.OPEN})
PUBLISHABLE = frozenset({PetitionState.SPONSORED})
REJECTABLE = frozenset({PetitionState.VALIDATED, PetitionState.SPONSORED, PetitionState.OPEN})
PUBLISHED = frozenset({PetitionState.OPEN, PetitionState.CLOSED})
VISIBLE = frozenset({PetitionState.OPEN, PetitionState.CLOSED, PetitionState.REJECTED})
FINISHED = frozenset({PetitionState.CLOSED, PetitionState.REJECTED, PetitionState.HIDDEN})


class RejectionCode(enum.StrEnum):
    DUPLICATE = "duplicate"
    NOT_COUNCIL = "not_council"
    NO_ACTION = "no_action"
    ALREADY_HAPPENING = "already_happening"
    LEGAL_PROCEEDINGS = "legal_proceedings"
    PERSONAL = "personal"
    OFFENSIVE = "offensive"
    OTHER = "other"

    @property
    def label(self) -> str:
        return _(REJECTION_LABELS[self][0])

    @property
    def explanation(self) -> str:
        return _(REJECTION_LABELS[self][1])

    @property
    def hides(self) -> bool:
        return self in (RejectionCode.PERSONAL, RejectionCode.OFFENSIVE)


REJECTION_LABELS = {
    RejectionCode.DUPLICATE: (
        N_("Duplicate"), N_("There is already a petition about this. Please sign that one instead.")),
    RejectionCode.NOT_COUNCIL: (
        N_("Not the council's responsibility"),
        N_("It is about something the council is not responsible for.")),
    RejectionCode.NO_ACTION: (
        N_("No clear action"), N_("It does not ask the council to take a clear action.")),
    RejectionCode.ALREADY_HAPPENING: (
        N_("Already happening"), N_("The council is already doing, or has already decided, what it asks.")),
    RejectionCode.LEGAL_PROCEEDINGS: (
        N_("Legal proceedings"), N_("It is about a matter that is before the courts or a tribunal.")),
    RejectionCode.PERSONAL: (
        N_("Personal information"),
        N_("It names or could identify individuals, or includes confidential information.")),
    RejectionCode.OFFENSIVE: (
        N_("Offensive or defamatory"), N_("It is offensive, defamatory or includes false statements.")),
    RejectionCode.OTHER: (N_("Other reason"), N_("It does not meet the petition standards.")),
}


class Petition(Bilingual, CreatedAtMixin, Base):
    __tablename__ = "petition"
    WELSH_FIELDS = ("response_text", "debate_outcome")
    __table_args__ = (Index("ix_petition_state_opened_at", "state", "opened_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(150))
    action: Mapped[str] = mapped_column(Text)
    background: Mapped[str] = mapped_column(Text, default="")
    state: Mapped[PetitionState] = mapped_column(str_enum(PetitionState), default=PetitionState.PENDING)
    # The creator shares this link with supporters before moderation (not secret once shared).
    support_token: Mapped[str] = mapped_column(String(64), unique=True)
    review_id: Mapped[int | None] = mapped_column(ForeignKey("review.id", ondelete="SET NULL"), index=True)
    officer_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))

    validated_at: Mapped[datetime | None]
    sponsored_at: Mapped[datetime | None]
    moderated_at: Mapped[datetime | None]
    moderated_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    opened_at: Mapped[datetime | None]
    closes_at: Mapped[datetime | None] = mapped_column(index=True)
    closed_at: Mapped[datetime | None]
    rejection_code: Mapped[RejectionCode | None] = mapped_column(str_enum(RejectionCode))
    rejection_text: Mapped[str] = mapped_column(Text, default="")
    duplicate_of_id: Mapped[int | None] = mapped_column(ForeignKey("petition.id", ondelete="SET NULL"))

    response_threshold_reached_at: Mapped[datetime | None]
    debate_threshold_reached_at: Mapped[datetime | None]
    responded_at: Mapped[datetime | None]
    response_text: Mapped[str] = mapped_column(Text, default="")
    debated_at: Mapped[datetime | None]
    debate_outcome: Mapped[str] = mapped_column(Text, default="")
    anonymised_at: Mapped[datetime | None]

    review: Mapped[Review | None] = relationship(lazy="raise")
    officer: Mapped[User | None] = relationship(lazy="raise", foreign_keys=[officer_id])
    duplicate_of: Mapped["Petition | None"] = relationship(lazy="raise", remote_side=[id])

    @property
    def is_public(self) -> bool:
        """Shown to everyone: moderated and not hidden (open, closed or rejected)."""
        return self.state in VISIBLE

    @property
    def awaiting_response(self) -> bool:
        return self.response_threshold_reached_at is not None and self.responded_at is None

    @property
    def public_status(self) -> str:
        """What residents see: the most telling of state, thresholds and the council's answers."""
        if self.state in (PetitionState.REJECTED, PetitionState.HIDDEN):
            return "rejected"
        if self.debated_at is not None:
            return "debated"
        if self.responded_at is not None:
            return "responded"
        if self.awaiting_response and self.state in PUBLISHED:
            return "awaiting_response"
        if self.state in UNMODERATED:
            return "unmoderated"
        return self.state.value

    @property
    def is_open(self) -> bool:
        return self.state == PetitionState.OPEN

    @property
    def is_closed(self) -> bool:
        return self.state == PetitionState.CLOSED

    @property
    def is_rejected(self) -> bool:
        return self.state == PetitionState.REJECTED

    @property
    def is_sponsored(self) -> bool:
        return self.state == PetitionState.SPONSORED

    @property
    def is_published(self) -> bool:
        return self.state in PUBLISHED

    @property
    def can_be_rejected(self) -> bool:
        return self.state in REJECTABLE


PUBLIC_STATUS_LABELS = {
    "open": N_("Open"),
    "awaiting_response": N_("Awaiting a council response"),
    "responded": N_("Council responded"),
    "debated": N_("Debated at full council"),
    "closed": N_("Closed"),
    "rejected": N_("Rejected"),
    "unmoderated": N_("Gathering supporters"),
}


class PetitionSignature(CreatedAtMixin, Base):
    """One person's signature. Counted only once confirmed and while not invalidated."""

    __tablename__ = "petition_signature"
    __table_args__ = (
        UniqueConstraint("petition_id", "normalised_email"),
        # Counting: an index-only range on (petition, not invalidated, confirmed).
        Index("ix_petition_signature_count", "petition_id", "invalidated_at", "validated_at"),
        Index("ix_petition_signature_ip_address", "ip_address"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    petition_id: Mapped[int] = mapped_column(ForeignKey("petition.id", ondelete="CASCADE"))
    # Personal data: NULL once anonymised (the unique key then no longer holds anyone's address).
    name: Mapped[str | None] = mapped_column(String(200))
    email: Mapped[str | None] = mapped_column(String(320))
    normalised_email: Mapped[str | None] = mapped_column(String(320))
    email_domain: Mapped[str] = mapped_column(String(255), index=True)
    postcode: Mapped[str] = mapped_column(String(10), default="", index=True)
    ward: Mapped[str] = mapped_column(String(100), default="")
    ip_address: Mapped[str | None] = mapped_column(String(45))
    notify_by_email: Mapped[bool] = mapped_column(default=False)
    language: Mapped[str] = mapped_column(String(10), default=DEFAULT_LANGUAGE)  # the email language
    is_creator: Mapped[bool] = mapped_column(default=False)
    token_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    token_expires_at: Mapped[datetime | None]
    validated_at: Mapped[datetime | None]
    invalidated_at: Mapped[datetime | None]
    invalidation_id: Mapped[int | None] = mapped_column(
        ForeignKey("petition_invalidation.id", ondelete="RESTRICT"), index=True
    )
    anonymised_at: Mapped[datetime | None]

    petition: Mapped[Petition] = relationship(lazy="raise")


class PetitionSettings(Base):
    """The council's petition rules: one row (id 1), edited by admins; defaults when absent."""

    __tablename__ = "petition_settings"

    id: Mapped[int] = mapped_column(primary_key=True)
    supporters_needed: Mapped[int] = mapped_column(default=5)
    response_threshold: Mapped[int] = mapped_column(default=1_500)
    debate_threshold: Mapped[int] = mapped_column(default=20_000)
    duration_days: Mapped[int] = mapped_column(default=182)
    anonymise_after_days: Mapped[int] = mapped_column(default=182)
    signing_limit_per_address_short: Mapped[str] = mapped_column(String(40), default="5/minute")
    signing_limit_per_address_long: Mapped[str] = mapped_column(String(40), default="30/hour")
    confirmation_hours: Mapped[int] = mapped_column(default=72)
    moderation_queue_alert: Mapped[int] = mapped_column(default=20)


class RuleKind(enum.StrEnum):
    ADDRESS = "address"  # an IP address or network (CIDR)
    DOMAIN = "domain"  # an email domain and its subdomains


class RuleAction(enum.StrEnum):
    ALLOW = "allow"
    BLOCK = "block"


class PetitionAddressRule(CreatedAtMixin, Base):
    """Allow or block list entry; the most specific matching rule wins."""

    __tablename__ = "petition_address_rule"
    __table_args__ = (UniqueConstraint("kind", "value"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[RuleKind] = mapped_column(str_enum(RuleKind))
    value: Mapped[str] = mapped_column(String(255))
    action: Mapped[RuleAction] = mapped_column(str_enum(RuleAction))
    note: Mapped[str] = mapped_column(String(300), default="")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))


class InvalidationState(enum.StrEnum):
    PREVIEWED = "previewed"
    QUEUED = "queued"
    COMPLETED = "completed"
    UNDOING = "undoing"
    UNDONE = "undone"


class PetitionInvalidation(CreatedAtMixin, Base):
    """A bulk invalidation: its criteria, who asked, what it matched, and whether it was undone."""

    __tablename__ = "petition_invalidation"

    id: Mapped[int] = mapped_column(primary_key=True)
    petition_id: Mapped[int | None] = mapped_column(ForeignKey("petition.id", ondelete="CASCADE"), index=True)
    ip_address: Mapped[str] = mapped_column(String(50), default="")
    email_domain: Mapped[str] = mapped_column(String(255), default="")
    postcode: Mapped[str] = mapped_column(String(10), default="")
    created_from: Mapped[datetime | None]
    created_to: Mapped[datetime | None]
    reason: Mapped[str] = mapped_column(Text, default="")
    state: Mapped[InvalidationState] = mapped_column(
        str_enum(InvalidationState), default=InvalidationState.PREVIEWED
    )
    matched_count: Mapped[int] = mapped_column(default=0)
    invalidated_count: Mapped[int] = mapped_column(default=0)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    completed_at: Mapped[datetime | None]
    undone_at: Mapped[datetime | None]
    undone_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))

    petition: Mapped[Petition | None] = relationship(lazy="raise")

    @property
    def is_previewed(self) -> bool:
        return self.state == InvalidationState.PREVIEWED

    @property
    def is_completed(self) -> bool:
        return self.state == InvalidationState.COMPLETED

    @property
    def in_progress(self) -> bool:
        return self.state in (InvalidationState.QUEUED, InvalidationState.UNDOING)
