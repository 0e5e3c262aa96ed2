"""Citizens' panels: a standing pool of volunteers, quota targets, draws and their members.

Special-category answers (ethnicity, disability, …) live in their own table with their own
consent record; leaving the pool deletes the volunteer row and, by cascade, those answers.
A draw keeps what an audit needs without personal data: the algorithm, the seed, every
volunteer's selection probability keyed by the volunteer's numeric id, and aggregate counts.
"""

import enum
from datetime import datetime

from sqlalchemy import JSON, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.i18n import N_, _
from app.models.base import DEFAULT_LANGUAGE, Base, CreatedAtMixin, str_enum
from app.models.bilingual import ENGLISH, WELSH, Bilingual, LocalisedText

NOT_SAID = "Prefer not to say"


class Panel(Bilingual, CreatedAtMixin, Base):
    """A standing pool of volunteers for one council, with the categories it asks about."""

    __tablename__ = "panel"
    WELSH_FIELDS = ("name", "description", "special_consent_text")

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    recruiting: Mapped[bool] = mapped_column(default=True)
    consent_text: Mapped[str] = mapped_column(Text)
    special_consent_text: Mapped[str] = mapped_column(Text)

    categories: Mapped[list["PanelCategory"]] = relationship(
        lazy="raise", order_by="(PanelCategory.position, PanelCategory.id)",
        cascade="all, delete-orphan", passive_deletes=True, back_populates="panel",
    )


class PanelCategory(Bilingual, Base):
    """One profile question (age band, ward, uses home care…) and its features with targets."""

    __tablename__ = "panel_category"
    WELSH_FIELDS = ("label", "hint")  # and each answer's Welsh in welsh["values"], by its stored value
    __table_args__ = (UniqueConstraint("panel_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    panel_id: Mapped[int] = mapped_column(ForeignKey("panel.id", ondelete="CASCADE"), index=True)
    key: Mapped[str] = mapped_column(String(60))
    label: Mapped[str] = mapped_column(String(200))
    hint: Mapped[str] = mapped_column(String(400), default="")
    special: Mapped[bool] = mapped_column(default=False)
    service_user: Mapped[bool] = mapped_column(default=False)
    position: Mapped[int] = mapped_column(default=0)

    panel: Mapped[Panel] = relationship(lazy="raise", back_populates="categories")
    features: Mapped[list["PanelFeature"]] = relationship(
        lazy="raise", order_by="(PanelFeature.position, PanelFeature.id)",
        cascade="all, delete-orphan", passive_deletes=True, back_populates="category",
    )

    @property
    def choice_options(self) -> list[tuple[str, str]]:
        return [(feature.value, feature.value) for feature in self.features]

    def localised_choices(self, locale: str) -> list[tuple[str, LocalisedText]]:
        """The answers as a reader sees them; the value sent and stored stays the English."""
        welsh = (self.welsh or {}).get("values") or {}
        shown = []
        for feature in self.features:
            typed = welsh.get(feature.value) if locale == WELSH else None
            shown.append((feature.value, LocalisedText(typed, WELSH, fallback=False) if typed else
                          LocalisedText(feature.value, ENGLISH, fallback=locale == WELSH)))
        return shown

    @property
    def has_targets(self) -> bool:
        return any(f.target_min or f.target_max is not None for f in self.features)


class PanelFeature(Base):
    """One answer to a category, with the officer's target (a count for `Panel` draws)."""

    __tablename__ = "panel_feature"
    __table_args__ = (UniqueConstraint("category_id", "value"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    category_id: Mapped[int] = mapped_column(
        ForeignKey("panel_category.id", ondelete="CASCADE"), index=True
    )
    value: Mapped[str] = mapped_column(String(120))
    position: Mapped[int] = mapped_column(default=0)
    target_min: Mapped[int] = mapped_column(default=0)
    target_max: Mapped[int | None]

    category: Mapped[PanelCategory] = relationship(lazy="raise", back_populates="features")


class VolunteerSource(enum.StrEnum):
    FORM = "form"
    IMPORT = "import"


class PanelVolunteer(CreatedAtMixin, Base):
    """A member of the pool: contact details, consent and the ordinary profile answers."""

    __tablename__ = "panel_volunteer"
    __table_args__ = (
        UniqueConstraint("panel_id", "email"),
        UniqueConstraint("panel_id", "external_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    panel_id: Mapped[int] = mapped_column(ForeignKey("panel.id", ondelete="CASCADE"), index=True)
    external_id: Mapped[str | None] = mapped_column(String(80))
    name: Mapped[str] = mapped_column(String(200), default="")
    email: Mapped[str | None] = mapped_column(String(320))
    address: Mapped[str] = mapped_column(String(300), default="")
    postcode: Mapped[str] = mapped_column(String(12), default="")
    household_key: Mapped[str | None] = mapped_column(String(320), index=True)
    profile: Mapped[dict] = mapped_column(JSON, default=dict)
    source: Mapped[VolunteerSource] = mapped_column(str_enum(VolunteerSource))
    consent_text: Mapped[str] = mapped_column(Text, default="")
    consented_at: Mapped[datetime | None]
    email_confirmed_at: Mapped[datetime | None]
    manage_token_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    updated_at: Mapped[datetime | None]
    language: Mapped[str] = mapped_column(String(10), default=DEFAULT_LANGUAGE)  # the email language
    # The outreach link they joined through (issue 26 part 3); cleared if the link is deleted.
    outreach_id: Mapped[int | None] = mapped_column(
        ForeignKey("panel_outreach.id", ondelete="SET NULL"), index=True
    )

    special: Mapped["PanelSpecialProfile | None"] = relationship(
        lazy="raise", cascade="all, delete-orphan", passive_deletes=True, uselist=False,
    )


class PanelSpecialProfile(Base):
    """Special-category answers (ethnicity, disability…), apart, with their own consent."""

    __tablename__ = "panel_special_profile"

    id: Mapped[int] = mapped_column(primary_key=True)
    volunteer_id: Mapped[int] = mapped_column(
        ForeignKey("panel_volunteer.id", ondelete="CASCADE"), unique=True
    )
    answers: Mapped[dict] = mapped_column(JSON, default=dict)
    consent_text: Mapped[str] = mapped_column(Text)
    consented_at: Mapped[datetime]


class DrawStatus(enum.StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"

    @property
    def finished(self) -> bool:
        return self in (DrawStatus.DONE, DrawStatus.FAILED)


class PanelDrawRecord(CreatedAtMixin, Base):
    """One draw and its audit record: inputs (size, seed, quotas), method and outcome."""

    __tablename__ = "panel_draw"

    id: Mapped[int] = mapped_column(primary_key=True)
    panel_id: Mapped[int] = mapped_column(ForeignKey("panel.id", ondelete="CASCADE"), index=True)
    purpose: Mapped[str] = mapped_column(String(200))
    size: Mapped[int]
    seed: Mapped[int]
    one_per_household: Mapped[bool] = mapped_column(default=False)
    status: Mapped[DrawStatus] = mapped_column(str_enum(DrawStatus), default=DrawStatus.QUEUED)
    message: Mapped[str] = mapped_column(Text, default="")
    algorithm: Mapped[str] = mapped_column(String(60), default="")
    fallback_reason: Mapped[str] = mapped_column(Text, default="")
    quotas: Mapped[list] = mapped_column(JSON, default=list)
    probabilities: Mapped[dict] = mapped_column(JSON, default=dict)
    pool_counts: Mapped[dict] = mapped_column(JSON, default=dict)
    details: Mapped[dict] = mapped_column(JSON, default=dict)
    pool_size: Mapped[int] = mapped_column(default=0)
    min_probability: Mapped[float | None]
    gini: Mapped[float | None]
    seconds: Mapped[float | None]
    target_url: Mapped[str] = mapped_column(String(500), default="")
    # No foreign key: consultations live on another migration branch; checked when used.
    consultation_id: Mapped[int | None]
    requested_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    started_at: Mapped[datetime | None]
    finished_at: Mapped[datetime | None]

    panel: Mapped[Panel] = relationship(lazy="raise")
    members: Mapped[list["PanelMember"]] = relationship(
        lazy="raise", order_by="PanelMember.id", cascade="all, delete-orphan",
        passive_deletes=True, back_populates="draw", foreign_keys="PanelMember.draw_id",
    )

    @property
    def is_queued(self) -> bool:
        return self.status == DrawStatus.QUEUED

    @property
    def has_failed(self) -> bool:
        return self.status == DrawStatus.FAILED


class MemberStatus(enum.StrEnum):
    SELECTED = "selected"
    DECLINED = "declined"
    LEFT = "left"

    @property
    def label(self) -> str:
        label = {"selected": N_("Selected"), "declined": N_("Declined (replaced)"),
                "left": N_("Left the pool")}[self.value]
        return _(label)


class PanelMember(CreatedAtMixin, Base):
    """A volunteer selected by a draw (or as a replacement); the volunteer link is cleared on leaving."""

    __tablename__ = "panel_member"
    __table_args__ = (UniqueConstraint("draw_id", "volunteer_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    draw_id: Mapped[int] = mapped_column(ForeignKey("panel_draw.id", ondelete="CASCADE"), index=True)
    volunteer_id: Mapped[int | None] = mapped_column(
        ForeignKey("panel_volunteer.id", ondelete="SET NULL"), index=True
    )
    pool_ref: Mapped[str] = mapped_column(String(40))  # the id the draw knew them by
    status: Mapped[MemberStatus] = mapped_column(str_enum(MemberStatus), default=MemberStatus.SELECTED)
    replaces_id: Mapped[int | None] = mapped_column(ForeignKey("panel_member.id", ondelete="SET NULL"))
    replacement_seed: Mapped[int | None]
    replacement_candidates: Mapped[int | None]
    declined_at: Mapped[datetime | None]
    invited_at: Mapped[datetime | None]
    responded_at: Mapped[datetime | None]

    draw: Mapped[PanelDrawRecord] = relationship(
        lazy="raise", back_populates="members", foreign_keys=[draw_id]
    )
    volunteer: Mapped[PanelVolunteer | None] = relationship(lazy="raise")

    @property
    def is_selected(self) -> bool:
        return self.status == MemberStatus.SELECTED


class PanelInvitation(CreatedAtMixin, Base):
    """A single-use link for one selected member to the panel-only exercise (token stored hashed)."""

    __tablename__ = "panel_invitation"

    id: Mapped[int] = mapped_column(primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("panel_member.id", ondelete="CASCADE"), index=True)
    target_url: Mapped[str] = mapped_column(String(500))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    consultation_invitation_id: Mapped[int | None]  # set when the consultation issued the link
    used_at: Mapped[datetime | None]


class PanelOutreach(CreatedAtMixin, Base):
    """An invitation link for one organisation to bring volunteers the pool lacks (issue 26 part 3).

    The token is printed in a public link (newsletters, posters), not a secret: it only tags who
    joins through it, so it is stored as it is and shown again. Revoked links stop tagging.
    """

    __tablename__ = "panel_outreach"

    id: Mapped[int] = mapped_column(primary_key=True)
    panel_id: Mapped[int] = mapped_column(ForeignKey("panel.id", ondelete="CASCADE"), index=True)
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisation.id", ondelete="SET NULL"))
    organisation_name: Mapped[str] = mapped_column(String(200), default="")  # kept if it is deleted
    token: Mapped[str] = mapped_column(String(40), unique=True)
    category: Mapped[str] = mapped_column(String(60), default="")  # the feature it aims to reach
    feature: Mapped[str] = mapped_column(String(120), default="")
    note: Mapped[str] = mapped_column(String(300), default="")
    joined: Mapped[int] = mapped_column(default=0)  # sign-ups through it, including those who left
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    emailed_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None


class PanelOutreachAnalysis(CreatedAtMixin, Base):
    """What recruiting more of each short group would do to the draw, computed by a worker job."""

    __tablename__ = "panel_outreach_analysis"

    id: Mapped[int] = mapped_column(primary_key=True)
    panel_id: Mapped[int] = mapped_column(ForeignKey("panel.id", ondelete="CASCADE"), index=True)
    size: Mapped[int]
    quotas: Mapped[list] = mapped_column(JSON, default=list)
    status: Mapped[DrawStatus] = mapped_column(str_enum(DrawStatus), default=DrawStatus.QUEUED)
    progress_done: Mapped[int] = mapped_column(default=0)
    progress_total: Mapped[int] = mapped_column(default=0)
    pool_size: Mapped[int] = mapped_column(default=0)
    effects: Mapped[list] = mapped_column(JSON, default=list)
    message: Mapped[str] = mapped_column(Text, default="")
    requested_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    started_at: Mapped[datetime | None]
    finished_at: Mapped[datetime | None]

    @property
    def is_queued(self) -> bool:
        return self.status == DrawStatus.QUEUED

    @property
    def has_failed(self) -> bool:
        return self.status == DrawStatus.FAILED

    @property
    def is_done(self) -> bool:
        return self.status == DrawStatus.DONE
