"""The review workspace: its team, findings per Best Value stage, their evidence and comments."""

import enum
from datetime import datetime

from sqlalchemy import JSON, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.i18n import N_, _
from app.models.base import DEFAULT_LANGUAGE, Base, CreatedAtMixin, str_enum
from app.models.bilingual import Bilingual
from app.models.user import User


class TeamRole(enum.StrEnum):
    LEAD = "lead"          # officers who publish findings
    MEMBER = "member"      # e.g. a union rep: reads evidence, comments on drafts
    SCRUTINY = "scrutiny"  # a councillor: reads everything, comments, records scrutiny's view; never edits

    @property
    def label(self) -> str:
        return _(TEAM_ROLE_LABELS[self])


TEAM_ROLE_LABELS = {
    TeamRole.LEAD: N_("Leads the review"),
    TeamRole.MEMBER: N_("Reads evidence, comments on drafts"),
    TeamRole.SCRUTINY: N_("Councillor (scrutiny): reads, comments, records the scrutiny view"),
}


class ReviewTeamMember(CreatedAtMixin, Base):
    __tablename__ = "review_team_member"
    __table_args__ = (UniqueConstraint("review_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    review_id: Mapped[int] = mapped_column(ForeignKey("review.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    role: Mapped[TeamRole] = mapped_column(str_enum(TeamRole))

    user: Mapped[User] = relationship(lazy="raise")


class ReviewStage(enum.StrEnum):
    CHALLENGE = "challenge"
    COMPARE = "compare"
    CONSULT = "consult"
    COMPETE = "compete"

    @property
    def label(self) -> str:
        label = {"challenge": N_("Challenge"), "compare": N_("Compare"), "consult": N_("Consult"),
                "compete": N_("Compete")}[self.value]
        return _(label)

    @property
    def question(self) -> str:
        return STAGE_QUESTIONS[self]


STAGE_QUESTIONS = {
    ReviewStage.CHALLENGE: "Is the service needed, and in this form?",
    ReviewStage.COMPARE: "How does it compare with other councils and providers?",
    ReviewStage.CONSULT: "What do the people who use it, pay for it and provide it say?",
    ReviewStage.COMPETE: "Is it the best way to provide it, weighing social value as well as price?",
}


class FindingStatus(enum.StrEnum):
    DRAFT = "draft"
    PUBLISHED = "published"


class Finding(Bilingual, CreatedAtMixin, Base):
    __tablename__ = "finding"
    WELSH_FIELDS = ("statement",)

    id: Mapped[int] = mapped_column(primary_key=True)
    review_id: Mapped[int] = mapped_column(ForeignKey("review.id", ondelete="CASCADE"), index=True)
    stage: Mapped[ReviewStage] = mapped_column(str_enum(ReviewStage))
    statement: Mapped[str] = mapped_column(Text)
    status: Mapped[FindingStatus] = mapped_column(str_enum(FindingStatus), default=FindingStatus.DRAFT)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    published_at: Mapped[datetime | None]
    published_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    # The scrutiny panel's view on this finding, recorded by a councillor in the review's team.
    scrutiny_view: Mapped[str] = mapped_column(Text, default="")
    scrutiny_view_at: Mapped[datetime | None]
    scrutiny_view_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL"))

    evidence: Mapped[list["FindingEvidence"]] = relationship(
        lazy="raise", order_by="FindingEvidence.id", cascade="all, delete-orphan", passive_deletes=True
    )

    @property
    def is_draft(self) -> bool:
        return self.status == FindingStatus.DRAFT


class EvidenceKind(enum.StrEnum):
    THEME = "theme"
    QUESTION = "question"        # figures from a choice or scale question
    PETITION = "petition"
    FORUM_THREAD = "forum_thread"
    MEETING = "meeting"
    SUBMISSION = "submission"
    INDICATOR = "indicator"            # an adopted indicator (Compare)
    BENCHMARK_ROW = "benchmark_row"    # one benchmark figure (Compare)
    APPRAISAL_SCORE = "appraisal_score"  # one score in the options appraisal (Compete)
    CODE = "code"                      # a code of an officer's coding frame (guided coding)


class FindingEvidence(CreatedAtMixin, Base):
    """A live link to evidence; `snapshot` is what it showed when the finding was written."""

    __tablename__ = "finding_evidence"

    id: Mapped[int] = mapped_column(primary_key=True)
    finding_id: Mapped[int] = mapped_column(ForeignKey("finding.id", ondelete="CASCADE"), index=True)
    kind: Mapped[EvidenceKind] = mapped_column(str_enum(EvidenceKind))
    object_id: Mapped[int]
    snapshot: Mapped[dict] = mapped_column(JSON, default=dict)


class FindingComment(CreatedAtMixin, Base):
    __tablename__ = "finding_comment"

    id: Mapped[int] = mapped_column(primary_key=True)
    finding_id: Mapped[int] = mapped_column(ForeignKey("finding.id", ondelete="CASCADE"), index=True)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    body: Mapped[str] = mapped_column(Text)

    author: Mapped[User | None] = relationship(lazy="raise")


class ConsultationOutcome(Bilingual, CreatedAtMixin, Base):
    """'You said, we did': the council's decision on a consultation and, later, what happened."""

    __tablename__ = "consultation_decision"
    WELSH_FIELDS = ("decision", "what_happened")

    id: Mapped[int] = mapped_column(primary_key=True)
    consultation_id: Mapped[int] = mapped_column(
        ForeignKey("consultation.id", ondelete="CASCADE"), unique=True
    )
    decision: Mapped[str] = mapped_column(Text, default="")
    what_happened: Mapped[str] = mapped_column(Text, default="")
    finding_ids: Mapped[list] = mapped_column(JSON, default=list)
    updated_at: Mapped[datetime | None]
    notified_at: Mapped[datetime | None]


class ResultsSubscriber(CreatedAtMixin, Base):
    """Someone who asked to be told when a consultation's results are published (email only)."""

    __tablename__ = "results_subscriber"
    __table_args__ = (UniqueConstraint("consultation_id", "email"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    consultation_id: Mapped[int] = mapped_column(ForeignKey("consultation.id", ondelete="CASCADE"))
    email: Mapped[str] = mapped_column(String(320))
    language: Mapped[str] = mapped_column(String(10), default=DEFAULT_LANGUAGE)  # the email language
    notified_at: Mapped[datetime | None]
    # The words the person agreed to when opting in (created_at says when).
    consent_wording: Mapped[str] = mapped_column(Text, default="", server_default="")
