"""Analysis runs over a question's free-text answers, the themes they propose and officers curate."""

import enum
from datetime import datetime

from sqlalchemy import JSON, CheckConstraint, Float, ForeignKey, Index, String, Text, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.models.base import Base, CreatedAtMixin, str_enum


class RunStatus(enum.StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    SUCCEEDED = "succeeded"
    FAILED = "failed"


class RunMode(enum.StrEnum):
    FULL = "full"
    INCREMENTAL = "incremental"


class RunStatusMixin:
    """What templates and services ask of a worker run (analysis or coding) with a `status`."""

    status: RunStatus

    @property
    def is_queued(self) -> bool:
        return self.status == RunStatus.QUEUED

    @property
    def is_running(self) -> bool:
        return self.status == RunStatus.RUNNING

    @property
    def in_progress(self) -> bool:
        return self.status in (RunStatus.QUEUED, RunStatus.RUNNING)

    @property
    def succeeded(self) -> bool:
        return self.status == RunStatus.SUCCEEDED


class AnalysisRun(RunStatusMixin, CreatedAtMixin, Base):
    """One run of the analysis pipeline; its results are written in one transaction when done."""

    __tablename__ = "analysis_run"

    id: Mapped[int] = mapped_column(primary_key=True)
    question_id: Mapped[int] = mapped_column(
        ForeignKey("consultation_question.id", ondelete="CASCADE"), index=True
    )
    mode: Mapped[RunMode] = mapped_column(str_enum(RunMode))
    status: Mapped[RunStatus] = mapped_column(str_enum(RunStatus), default=RunStatus.QUEUED)
    stage: Mapped[str] = mapped_column(String(40), default="queued")
    progress_done: Mapped[int] = mapped_column(default=0)
    progress_total: Mapped[int] = mapped_column(default=0)
    model_name: Mapped[str] = mapped_column(String(80), default="")
    seed: Mapped[int] = mapped_column(default=0)
    parameters: Mapped[dict] = mapped_column(JSON, default=dict)
    summary: Mapped[dict] = mapped_column(JSON, default=dict)
    error: Mapped[str] = mapped_column(Text, default="")
    started_at: Mapped[datetime | None]
    heartbeat_at: Mapped[datetime | None]
    finished_at: Mapped[datetime | None]
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))

    @property
    def is_full(self) -> bool:
        return self.mode == RunMode.FULL


class ThemeStatus(enum.StrEnum):
    PROPOSED = "proposed"
    APPROVED = "approved"
    MERGED = "merged"


class Theme(CreatedAtMixin, Base):
    """A cluster of answers with a label, keywords and quotes. Proposed by a run; approved by people."""

    __tablename__ = "theme"

    id: Mapped[int] = mapped_column(primary_key=True)
    question_id: Mapped[int] = mapped_column(
        ForeignKey("consultation_question.id", ondelete="CASCADE"), index=True
    )
    run_id: Mapped[int | None] = mapped_column(ForeignKey("analysis_run.id", ondelete="SET NULL"))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("theme.id", ondelete="CASCADE"))
    merged_into_id: Mapped[int | None] = mapped_column(ForeignKey("theme.id", ondelete="SET NULL"))
    label: Mapped[str] = mapped_column(String(200))
    label_by_people: Mapped[bool] = mapped_column(default=False)
    keywords: Mapped[list] = mapped_column(JSON, default=list)
    status: Mapped[ThemeStatus] = mapped_column(str_enum(ThemeStatus), default=ThemeStatus.PROPOSED)
    reviewed_at: Mapped[datetime | None]
    reviewed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    size: Mapped[int] = mapped_column(default=0)
    quotes: Mapped[list] = mapped_column(JSON, default=list)
    centroid: Mapped[list] = mapped_column(JSON, default=list)
    fit_threshold: Mapped[float] = mapped_column(Float, default=0.0)
    groups: Mapped[list] = mapped_column(JSON, default=list)
    stance_counts: Mapped[dict] = mapped_column(JSON, default=dict)
    # Issue 20: a one-line description (a scrubbed central answer), the direction of what it says
    # (praise, criticism, suggestion, for, against, mixed, neutral) with the count of each, and
    # whether the machine could not reproduce it across restarts (tentative: never published
    # until an officer approves or renames it).
    description: Mapped[str] = mapped_column(Text, default="", server_default="")
    direction: Mapped[str] = mapped_column(String(20), default="neutral", server_default="neutral")
    tentative: Mapped[bool] = mapped_column(default=False, server_default=false())
    direction_counts: Mapped[dict | None] = mapped_column(JSON, default=dict)

    parent: Mapped["Theme | None"] = relationship(lazy="raise", remote_side="Theme.id",
                                                  foreign_keys=[parent_id])

    @property
    def public_quotes(self) -> list[dict]:
        """Quotes that may appear on public pages: not from members-only or staff-only forums."""
        return [quote for quote in self.quotes or [] if quote.get("public", True)]

    @property
    def is_curated(self) -> bool:
        return self.status == ThemeStatus.APPROVED or self.label_by_people

    @property
    def publishable(self) -> bool:
        """Only approved themes reach residents, and a tentative one only once an officer has
        approved or renamed it (both clear the flag)."""
        return self.status == ThemeStatus.APPROVED and not self.tentative

    @property
    def wants_change(self) -> int:
        """Answers in this theme that criticise or suggest a change."""
        counts = self.direction_counts or {}
        return sum(int(counts.get(d, 0)) for d in ("criticism", "suggestion", "against"))

    @property
    def is_approved(self) -> bool:
        return self.status == ThemeStatus.APPROVED


class Bucket(enum.StrEnum):
    THEME = "theme"
    OTHER = "other"
    NO_COMMENT = "no_comment"
    CAMPAIGN = "campaign"
    BLANK = "blank"
    OTHER_LANGUAGE = "other_language"

    @property
    def is_other_language(self) -> bool:
        return self == Bucket.OTHER_LANGUAGE


SOURCE_COLUMNS = ("answer_id", "post_id", "meeting_id", "submission_id")
ONE_SOURCE = " + ".join(f"(CASE WHEN {c} IS NULL THEN 0 ELSE 1 END)" for c in SOURCE_COLUMNS) + " = 1"


class ThemeAssignment(Base):
    """Where one analysed text ended: a theme, a campaign, "other" or "nothing to add". Exactly one each.

    The text is an answer to the question, or forum evidence included in the question's analysis:
    a forum post, a meeting's notes or an organisation's submission (exactly one source is set).
    """

    __tablename__ = "theme_assignment"
    __table_args__ = (
        UniqueConstraint("answer_id"),
        UniqueConstraint("question_id", "post_id"),
        UniqueConstraint("question_id", "meeting_id"),
        UniqueConstraint("question_id", "submission_id"),
        CheckConstraint(ONE_SOURCE, name="one_source"),
        Index("ix_theme_assignment_question_theme", "question_id", "theme_id"),
        Index("ix_theme_assignment_question_bucket", "question_id", "bucket"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    question_id: Mapped[int] = mapped_column(ForeignKey("consultation_question.id", ondelete="CASCADE"))
    answer_id: Mapped[int | None] = mapped_column(ForeignKey("consultation_answer.id", ondelete="CASCADE"))
    post_id: Mapped[int | None] = mapped_column(ForeignKey("forum_post.id", ondelete="CASCADE"))
    meeting_id: Mapped[int | None] = mapped_column(ForeignKey("forum_meeting.id", ondelete="CASCADE"))
    submission_id: Mapped[int | None] = mapped_column(
        ForeignKey("organisation_submission.id", ondelete="CASCADE"))
    theme_id: Mapped[int | None] = mapped_column(ForeignKey("theme.id", ondelete="SET NULL"))
    bucket: Mapped[Bucket] = mapped_column(str_enum(Bucket))
    campaign_key: Mapped[str] = mapped_column(String(40), default="")
    language: Mapped[str] = mapped_column(String(40), default="", server_default="")
    run_id: Mapped[int | None] = mapped_column(ForeignKey("analysis_run.id", ondelete="SET NULL"))
    assigned_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))


class QuestionThemeStats(Base):
    """Per-question counts written whenever assignments change, so the themes page counts nothing."""

    __tablename__ = "question_theme_stats"

    question_id: Mapped[int] = mapped_column(
        ForeignKey("consultation_question.id", ondelete="CASCADE"), primary_key=True
    )
    buckets: Mapped[dict] = mapped_column(JSON, default=dict)
    last_answer_id: Mapped[int] = mapped_column(default=0)


class AnalysisScope(Base):
    """What a question's analysis reads besides its answers: the officer's choice, kept between runs."""

    __tablename__ = "analysis_scope"

    question_id: Mapped[int] = mapped_column(
        ForeignKey("consultation_question.id", ondelete="CASCADE"), primary_key=True
    )
    includes_forum_evidence: Mapped[bool] = mapped_column(default=False)
    changed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    changed_at: Mapped[datetime | None]
