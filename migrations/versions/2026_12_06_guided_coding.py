"""Guided coding: an officer's coding frame, codes, coded answers and the worker's training runs

Revision ID: guided_coding
Revises: retention_promises
Create Date: 2026-12-06 17:30:00

Issue 21 (decision 0101). `coded_answer` keeps the officer's code, a proposal an officer accepted and
the machine's latest proposal apart, so an officer's code always beats the machine's; `holdout`
answers are coded blind and never trained on.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import app.models.base

revision: str = "guided_coding"
down_revision: str | Sequence[str] | None = "retention_promises"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "coding_frame",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("question_id", sa.Integer(), nullable=False),
        sa.Column("started_from", sa.String(length=20), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("coded_since_run", sa.Integer(), nullable=False),
        sa.Column(
            "created_at",
            app.models.base.UTCDateTime(timezone=True),
            server_default=sa.text("(CURRENT_TIMESTAMP)"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["user_account.id"],
            name=op.f("fk_coding_frame_created_by_id_user_account"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["question_id"],
            ["consultation_question.id"],
            name=op.f("fk_coding_frame_question_id_consultation_question"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_coding_frame")),
        sa.UniqueConstraint("question_id", name=op.f("uq_coding_frame_question_id")),
    )
    op.create_table(
        "coding_run",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("frame_id", sa.Integer(), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "queued", "running", "succeeded", "failed", name="runstatus", native_enum=False, length=40
            ),
            nullable=False,
        ),
        sa.Column("stage", sa.String(length=40), nullable=False),
        sa.Column("progress_done", sa.Integer(), nullable=False),
        sa.Column("progress_total", sa.Integer(), nullable=False),
        sa.Column("trained_on", sa.Integer(), nullable=False),
        sa.Column("model_name", sa.String(length=80), nullable=False),
        sa.Column("summary", sa.JSON(), nullable=False),
        sa.Column("error", sa.Text(), nullable=False),
        sa.Column("started_at", app.models.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("heartbeat_at", app.models.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("finished_at", app.models.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column(
            "created_at",
            app.models.base.UTCDateTime(timezone=True),
            server_default=sa.text("(CURRENT_TIMESTAMP)"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["user_account.id"],
            name=op.f("fk_coding_run_created_by_id_user_account"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["frame_id"],
            ["coding_frame.id"],
            name=op.f("fk_coding_run_frame_id_coding_frame"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_coding_run")),
    )
    with op.batch_alter_table("coding_run", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_coding_run_frame_id"), ["frame_id"], unique=False)

    op.create_table(
        "coding_code",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("frame_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("theme_id", sa.Integer(), nullable=True),
        sa.Column("groups", sa.JSON(), nullable=False),
        sa.Column(
            "created_at",
            app.models.base.UTCDateTime(timezone=True),
            server_default=sa.text("(CURRENT_TIMESTAMP)"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["frame_id"],
            ["coding_frame.id"],
            name=op.f("fk_coding_code_frame_id_coding_frame"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["theme_id"], ["theme.id"], name=op.f("fk_coding_code_theme_id_theme"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_coding_code")),
        sa.UniqueConstraint("frame_id", "name", name=op.f("uq_coding_code_frame_id_name")),
    )
    with op.batch_alter_table("coding_code", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_coding_code_frame_id"), ["frame_id"], unique=False)

    op.create_table(
        "coded_answer",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("frame_id", sa.Integer(), nullable=False),
        sa.Column("answer_id", sa.Integer(), nullable=False),
        sa.Column("officer_code_id", sa.Integer(), nullable=True),
        sa.Column("coded_by_id", sa.Integer(), nullable=True),
        sa.Column("coded_at", app.models.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("accepted_code_id", sa.Integer(), nullable=True),
        sa.Column("accepted_by_id", sa.Integer(), nullable=True),
        sa.Column("accepted_at", app.models.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("proposed_code_id", sa.Integer(), nullable=True),
        sa.Column("confidence", sa.Float(), nullable=True),
        sa.Column("uncertainty_rank", sa.Integer(), nullable=True),
        sa.Column("proposed_run_id", sa.Integer(), nullable=True),
        sa.Column("holdout", sa.Boolean(), nullable=False),
        sa.Column("skipped", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["accepted_by_id"],
            ["user_account.id"],
            name=op.f("fk_coded_answer_accepted_by_id_user_account"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["accepted_code_id"],
            ["coding_code.id"],
            name=op.f("fk_coded_answer_accepted_code_id_coding_code"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["answer_id"],
            ["consultation_answer.id"],
            name=op.f("fk_coded_answer_answer_id_consultation_answer"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["coded_by_id"],
            ["user_account.id"],
            name=op.f("fk_coded_answer_coded_by_id_user_account"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["frame_id"],
            ["coding_frame.id"],
            name=op.f("fk_coded_answer_frame_id_coding_frame"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["officer_code_id"],
            ["coding_code.id"],
            name=op.f("fk_coded_answer_officer_code_id_coding_code"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["proposed_code_id"],
            ["coding_code.id"],
            name=op.f("fk_coded_answer_proposed_code_id_coding_code"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["proposed_run_id"],
            ["coding_run.id"],
            name=op.f("fk_coded_answer_proposed_run_id_coding_run"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_coded_answer")),
        sa.UniqueConstraint("frame_id", "answer_id", name=op.f("uq_coded_answer_frame_id_answer_id")),
    )
    with op.batch_alter_table("coded_answer", schema=None) as batch_op:
        batch_op.create_index("ix_coded_answer_frame_rank", ["frame_id", "uncertainty_rank"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("coded_answer", schema=None) as batch_op:
        batch_op.drop_index("ix_coded_answer_frame_rank")

    op.drop_table("coded_answer")
    with op.batch_alter_table("coding_code", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_coding_code_frame_id"))

    op.drop_table("coding_code")
    with op.batch_alter_table("coding_run", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_coding_run_frame_id"))

    op.drop_table("coding_run")
    op.drop_table("coding_frame")
