"""Best Value reviews: the service under review, its stages, team and dates."""

import enum
from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.i18n import N_, _
from app.models.base import Base, CreatedAtMixin, str_enum
from app.models.bilingual import Bilingual


class ReviewStatus(enum.StrEnum):
    PLANNED = "planned"
    IN_PROGRESS = "in_progress"
    CONCLUDED = "concluded"

    @property
    def label(self) -> str:
        label = {"planned": N_("Planned"), "in_progress": N_("In progress"),
                  "concluded": N_("Concluded")}[self.value]
        return _(label)


class TimelineStage(enum.StrEnum):
    """The review's timeline, from scoping to follow-up; the middle four are Best Value's 4 Cs."""

    SCOPING = "scoping"
    CHALLENGE = "challenge"
    COMPARE = "compare"
    CONSULT = "consult"
    COMPETE = "compete"
    DECISION = "decision"
    IMPLEMENTATION = "implementation"
    FOLLOW_UP = "follow_up"

    @property
    def label(self) -> str:
        return _(TIMELINE_LABELS[self][0])

    @property
    def description(self) -> str:
        return _(TIMELINE_LABELS[self][1])

    @property
    def position(self) -> int:
        return list(TimelineStage).index(self)

    @property
    def is_decision(self) -> bool:
        return self == TimelineStage.DECISION


TIMELINE_LABELS = {
    TimelineStage.SCOPING: (
        N_("Scoping"), N_("What the review covers, who is in its team, and its timetable.")),
    TimelineStage.CHALLENGE: (
        N_("Challenge"), N_("Is the service needed, and in this form?")),
    TimelineStage.COMPARE: (
        N_("Compare"), N_("How does it compare with other councils and providers?")),
    TimelineStage.CONSULT: (
        N_("Consult"), N_("What do the people who use it, pay for it and provide it say?")),
    TimelineStage.COMPETE: (N_("Compete"),
                            N_("Is it the best way to provide it, weighing social value as well as price?")),
    TimelineStage.DECISION: (
        N_("Decision"), N_("The council decides, with the review's findings before it.")),
    TimelineStage.IMPLEMENTATION: (
        N_("Implementation"), N_("The council does what it decided.")),
    TimelineStage.FOLLOW_UP: (
        N_("Follow-up"), N_("The review team reports on what changed.")),
}


class Review(Bilingual, CreatedAtMixin, Base):
    """A Best Value review of one council service (Challenge, Compare, Consult, Compete)."""

    __tablename__ = "review"
    WELSH_FIELDS = ("title", "service", "summary", "scope", "decision")

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    service: Mapped[str] = mapped_column(String(200))
    summary: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[ReviewStatus] = mapped_column(
        str_enum(ReviewStatus), default=ReviewStatus.PLANNED
    )
    scope: Mapped[str] = mapped_column(Text, default="")
    lead_officer_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL"), index=True
    )
    starts_on: Mapped[date | None] = mapped_column(Date)
    ends_on: Mapped[date | None] = mapped_column(Date)
    stage: Mapped[TimelineStage] = mapped_column(str_enum(TimelineStage), default=TimelineStage.SCOPING)
    is_public: Mapped[bool] = mapped_column(default=False)
    decision: Mapped[str] = mapped_column(Text, default="")
    decided_on: Mapped[date | None] = mapped_column(Date)
    concluded_at: Mapped[datetime | None]

    lead_officer = relationship("User", lazy="raise", foreign_keys=[lead_officer_id])
    stage_dates: Mapped[list["ReviewStageDate"]] = relationship(
        lazy="raise", cascade="all, delete-orphan", passive_deletes=True, order_by="ReviewStageDate.id"
    )

    @property
    def is_concluded(self) -> bool:
        return self.status == ReviewStatus.CONCLUDED


class ReviewStageDate(Base):
    """When a stage of a review is planned to start and end (its schedule)."""

    __tablename__ = "review_stage_date"
    __table_args__ = (UniqueConstraint("review_id", "stage"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    review_id: Mapped[int] = mapped_column(ForeignKey("review.id", ondelete="CASCADE"), index=True)
    stage: Mapped[TimelineStage] = mapped_column(str_enum(TimelineStage))
    starts_on: Mapped[date | None] = mapped_column(Date)
    ends_on: Mapped[date | None] = mapped_column(Date)
