"""Compare and Compete in a review: indicators chosen with users and staff, benchmark figures, and the
options appraisal (options, weighted criteria, scores citing evidence, scrutiny comments, decision)."""

import enum
from datetime import date, datetime

from sqlalchemy import JSON, Date, Float, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.i18n import N_, _
from app.models.base import Base, CreatedAtMixin, str_enum
from app.models.user import User


class ProposerType(enum.StrEnum):
    """Who proposed or supported an indicator: the split the review team reads."""

    SERVICE_USER = "service_user"
    CARER = "carer"
    STAFF = "staff"
    ORGANISATION = "organisation"
    # Consultation answers from residents who said none of the above (decision 0103).
    RESIDENT = "resident"

    @property
    def label(self) -> str:
        return _(PROPOSER_LABELS[self])


PROPOSER_LABELS = {
    ProposerType.SERVICE_USER: N_("Service users"),
    ProposerType.CARER: N_("Carers"),
    ProposerType.STAFF: N_("Staff"),
    ProposerType.ORGANISATION: N_("Organisations"),
    ProposerType.RESIDENT: N_("Other residents"),
}


class IndicatorStatus(enum.StrEnum):
    PROPOSED = "proposed"
    ADOPTED = "adopted"


class Indicator(CreatedAtMixin, Base):
    """A performance indicator proposed for a review; the officer adopts it with a definition and source."""

    __tablename__ = "review_indicator"

    id: Mapped[int] = mapped_column(primary_key=True)
    review_id: Mapped[int] = mapped_column(ForeignKey("review.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    reason: Mapped[str] = mapped_column(Text, default="")
    proposed_by_type: Mapped[ProposerType] = mapped_column(str_enum(ProposerType))
    proposed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    # Where it was proposed, when not on the review's own pages (decision 0103).
    forum_id: Mapped[int | None] = mapped_column(ForeignKey("forum.id", ondelete="SET NULL"))
    consultation_id: Mapped[int | None] = mapped_column(ForeignKey("consultation.id", ondelete="SET NULL"))
    status: Mapped[IndicatorStatus] = mapped_column(
        str_enum(IndicatorStatus), default=IndicatorStatus.PROPOSED
    )
    definition: Mapped[str] = mapped_column(Text, default="")
    source: Mapped[str] = mapped_column(Text, default="")
    asked_by: Mapped[str] = mapped_column(Text, default="")  # who asked for it, in the officer's words
    adopted_at: Mapped[datetime | None]
    adopted_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))

    @property
    def is_adopted(self) -> bool:
        return self.status == IndicatorStatus.ADOPTED


class IndicatorSupport(CreatedAtMixin, Base):
    """One person's support for an indicator ("this matters to me"), kept only as who they are."""

    __tablename__ = "review_indicator_support"

    id: Mapped[int] = mapped_column(primary_key=True)
    indicator_id: Mapped[int] = mapped_column(
        ForeignKey("review_indicator.id", ondelete="CASCADE"), index=True
    )
    supporter_type: Mapped[ProposerType] = mapped_column(str_enum(ProposerType))
    rank: Mapped[int | None]  # 1 = their first choice; None for a proposal (its proposer's support)


class BenchmarkImport(CreatedAtMixin, Base):
    """One CSV file of benchmark figures, imported whole; residents see it once it is published."""

    __tablename__ = "benchmark_import"

    id: Mapped[int] = mapped_column(primary_key=True)
    review_id: Mapped[int] = mapped_column(ForeignKey("review.id", ondelete="CASCADE"), index=True)
    filename: Mapped[str] = mapped_column(String(255), default="")
    row_count: Mapped[int] = mapped_column(default=0)
    imported_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    published_at: Mapped[datetime | None]


class BenchmarkRow(Base):
    __tablename__ = "benchmark_row"

    id: Mapped[int] = mapped_column(primary_key=True)
    import_id: Mapped[int] = mapped_column(ForeignKey("benchmark_import.id", ondelete="CASCADE"), index=True)
    review_id: Mapped[int] = mapped_column(ForeignKey("review.id", ondelete="CASCADE"), index=True)
    line: Mapped[int]
    indicator: Mapped[str] = mapped_column(String(200))
    council: Mapped[str] = mapped_column(String(200))
    is_this_council: Mapped[bool] = mapped_column(default=False)
    period: Mapped[str] = mapped_column(String(40))
    value: Mapped[float] = mapped_column(Float)
    unit: Mapped[str] = mapped_column(String(40), default="")
    source: Mapped[str] = mapped_column(String(500))
    source_date: Mapped[date] = mapped_column(Date)


class CriterionKind(enum.StrEnum):
    COST = "cost"
    QUALITY = "quality"
    SOCIAL_VALUE = "social_value"
    WHAT_PEOPLE_SAID = "what_people_said"
    OTHER = "other"

    @property
    def label(self) -> str:
        return _(CRITERION_LABELS[self])


CRITERION_LABELS = {
    CriterionKind.COST: N_("Cost and value for money"),
    CriterionKind.QUALITY: N_("Quality and performance"),
    CriterionKind.SOCIAL_VALUE: N_("Social value (Public Services (Social Value) Act 2012)"),
    CriterionKind.WHAT_PEOPLE_SAID: N_("What people said (themes, petitions, forums)"),
    CriterionKind.OTHER: N_("Other"),
}


class AppraisalOption(CreatedAtMixin, Base):
    __tablename__ = "appraisal_option"

    id: Mapped[int] = mapped_column(primary_key=True)
    review_id: Mapped[int] = mapped_column(ForeignKey("review.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")


class AppraisalCriterion(CreatedAtMixin, Base):
    __tablename__ = "appraisal_criterion"

    id: Mapped[int] = mapped_column(primary_key=True)
    review_id: Mapped[int] = mapped_column(ForeignKey("review.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[CriterionKind] = mapped_column(str_enum(CriterionKind))
    weight: Mapped[int]  # percentage points; the weights of a review's criteria need not add to 100


class AppraisalScore(CreatedAtMixin, Base):
    """An option's score (0-5) on a criterion, with the evidence it cites (a snapshot for 'changed since')."""

    __tablename__ = "appraisal_score"
    __table_args__ = (UniqueConstraint("option_id", "criterion_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    option_id: Mapped[int] = mapped_column(ForeignKey("appraisal_option.id", ondelete="CASCADE"), index=True)
    criterion_id: Mapped[int] = mapped_column(
        ForeignKey("appraisal_criterion.id", ondelete="CASCADE"), index=True
    )
    score: Mapped[int]
    rationale: Mapped[str] = mapped_column(Text, default="")
    evidence_kind: Mapped[str] = mapped_column(String(40))
    evidence_id: Mapped[int]
    snapshot: Mapped[dict] = mapped_column(JSON, default=dict)
    scored_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))

    option: Mapped[AppraisalOption] = relationship(lazy="raise")
    criterion: Mapped[AppraisalCriterion] = relationship(lazy="raise")


class AppraisalComment(CreatedAtMixin, Base):
    """Scrutiny's (and the team's) comments on the appraisal."""

    __tablename__ = "appraisal_comment"

    id: Mapped[int] = mapped_column(primary_key=True)
    review_id: Mapped[int] = mapped_column(ForeignKey("review.id", ondelete="CASCADE"), index=True)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    body: Mapped[str] = mapped_column(Text)
    is_scrutiny: Mapped[bool] = mapped_column(default=False)

    author: Mapped[User | None] = relationship(lazy="raise")


class AppraisalDecision(CreatedAtMixin, Base):
    """Which option the council chose, and why (one per review)."""

    __tablename__ = "appraisal_decision"

    id: Mapped[int] = mapped_column(primary_key=True)
    review_id: Mapped[int] = mapped_column(ForeignKey("review.id", ondelete="CASCADE"), unique=True)
    option_id: Mapped[int] = mapped_column(ForeignKey("appraisal_option.id", ondelete="CASCADE"))
    reason: Mapped[str] = mapped_column(Text)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    results: Mapped[dict] = mapped_column(JSON, default=dict)  # the weighted result when decided

    option: Mapped[AppraisalOption] = relationship(lazy="raise")
