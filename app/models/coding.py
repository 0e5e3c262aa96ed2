"""Guided coding: an officer's coding frame for a free-text question, the codes they give answers,
and the codes Chorus proposes for the rest (decision 0101). An officer's code always beats the
machine's: the code an answer counts under is the officer's own, else a proposal an officer accepted."""

from datetime import datetime

from sqlalchemy import JSON, Float, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.models.analysis import RunStatus, RunStatusMixin
from app.models.base import Base, CreatedAtMixin, str_enum


class CodingFrame(CreatedAtMixin, Base):
    """One question's coding frame: its codes, and how many answers were coded since the last training."""

    __tablename__ = "coding_frame"
    __table_args__ = (UniqueConstraint("question_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    question_id: Mapped[int] = mapped_column(ForeignKey("consultation_question.id", ondelete="CASCADE"))
    started_from: Mapped[str] = mapped_column(String(20), default="scratch")  # scratch | themes
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    coded_since_run: Mapped[int] = mapped_column(default=0)


class Code(CreatedAtMixin, Base):
    """A code of the frame: a short name and a description of what belongs under it."""

    __tablename__ = "coding_code"
    __table_args__ = (UniqueConstraint("frame_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    frame_id: Mapped[int] = mapped_column(ForeignKey("coding_frame.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    position: Mapped[int] = mapped_column(default=0)
    theme_id: Mapped[int | None] = mapped_column(ForeignKey("theme.id", ondelete="SET NULL"))
    # Who said it, the same shape as Theme.groups (written by the worker after each training).
    groups: Mapped[list] = mapped_column(JSON, default=list)


class CodedAnswer(Base):
    """One answer's place in the frame: the officer's code, an accepted proposal, the latest proposal.

    `holdout` answers are coded blind (the officer is not shown the proposal) and are never used for
    training, so comparing the officer's code with the proposal measures agreement honestly.
    """

    __tablename__ = "coded_answer"
    __table_args__ = (
        UniqueConstraint("frame_id", "answer_id"),
        Index("ix_coded_answer_frame_rank", "frame_id", "uncertainty_rank"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    frame_id: Mapped[int] = mapped_column(ForeignKey("coding_frame.id", ondelete="CASCADE"))
    answer_id: Mapped[int] = mapped_column(ForeignKey("consultation_answer.id", ondelete="CASCADE"))
    officer_code_id: Mapped[int | None] = mapped_column(ForeignKey("coding_code.id", ondelete="SET NULL"))
    coded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    coded_at: Mapped[datetime | None]
    accepted_code_id: Mapped[int | None] = mapped_column(ForeignKey("coding_code.id", ondelete="SET NULL"))
    accepted_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    accepted_at: Mapped[datetime | None]
    proposed_code_id: Mapped[int | None] = mapped_column(ForeignKey("coding_code.id", ondelete="SET NULL"))
    confidence: Mapped[float | None] = mapped_column(Float)
    uncertainty_rank: Mapped[int | None]  # 0 = the answer Chorus is least sure of
    proposed_run_id: Mapped[int | None] = mapped_column(ForeignKey("coding_run.id", ondelete="SET NULL"))
    holdout: Mapped[bool] = mapped_column(default=False)
    skipped: Mapped[bool] = mapped_column(default=False)

    @property
    def code_id(self) -> int | None:
        """The code this answer counts under: the officer's, else a proposal an officer accepted."""
        return self.officer_code_id or self.accepted_code_id


class CodingRun(RunStatusMixin, CreatedAtMixin, Base):
    """One training of the frame's model and its proposals, run by the worker."""

    __tablename__ = "coding_run"

    id: Mapped[int] = mapped_column(primary_key=True)
    frame_id: Mapped[int] = mapped_column(ForeignKey("coding_frame.id", ondelete="CASCADE"), index=True)
    status: Mapped[RunStatus] = mapped_column(str_enum(RunStatus), default=RunStatus.QUEUED)
    stage: Mapped[str] = mapped_column(String(40), default="queued")
    progress_done: Mapped[int] = mapped_column(default=0)
    progress_total: Mapped[int] = mapped_column(default=0)
    trained_on: Mapped[int] = mapped_column(default=0)
    model_name: Mapped[str] = mapped_column(String(80), default="")
    summary: Mapped[dict] = mapped_column(JSON, default=dict)
    error: Mapped[str] = mapped_column(Text, default="")
    started_at: Mapped[datetime | None]
    heartbeat_at: Mapped[datetime | None]
    finished_at: Mapped[datetime | None]
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
