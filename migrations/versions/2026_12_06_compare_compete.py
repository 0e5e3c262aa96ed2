"""Compare and Compete: indicators with their supporters, benchmark imports and rows, options appraisal

Revision ID: compare_compete
Revises: equalities_gender_identity
Create Date: 2026-12-06 16:00:00

Issue 24. New tables only; finding evidence gains three kinds (indicator, benchmark_row,
appraisal_score), stored as strings, so no existing table changes.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "compare_compete"
down_revision: str | Sequence[str] | None = "equalities_gender_identity"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

NOW = sa.func.current_timestamp()


def _created():
    return sa.Column("created_at", sa.DateTime(timezone=True), server_default=NOW, nullable=False)


def _user(name):
    return sa.Column(name, sa.Integer(), sa.ForeignKey("user_account.id", ondelete="SET NULL"), nullable=True)


def _review():
    return sa.Column(
        "review_id", sa.Integer(), sa.ForeignKey("review.id", ondelete="CASCADE"), nullable=False, index=True
    )


def upgrade() -> None:
    op.create_table(
        "review_indicator",
        sa.Column("id", sa.Integer(), primary_key=True),
        _review(),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("proposed_by_type", sa.String(40), nullable=False),
        _user("proposed_by_id"),
        sa.Column("status", sa.String(40), nullable=False),
        sa.Column("definition", sa.Text(), nullable=False),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("asked_by", sa.Text(), nullable=False),
        sa.Column("adopted_at", sa.DateTime(timezone=True), nullable=True),
        _user("adopted_by_id"),
        _created(),
    )
    op.create_table(
        "review_indicator_support",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "indicator_id",
            sa.Integer(),
            sa.ForeignKey("review_indicator.id", ondelete="CASCADE"),
            nullable=False,
            index=True,
        ),
        sa.Column("supporter_type", sa.String(40), nullable=False),
        sa.Column("rank", sa.Integer(), nullable=True),
        _created(),
    )
    op.create_table(
        "benchmark_import",
        sa.Column("id", sa.Integer(), primary_key=True),
        _review(),
        sa.Column("filename", sa.String(255), nullable=False),
        sa.Column("row_count", sa.Integer(), nullable=False),
        _user("imported_by_id"),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=True),
        _created(),
    )
    op.create_table(
        "benchmark_row",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "import_id",
            sa.Integer(),
            sa.ForeignKey("benchmark_import.id", ondelete="CASCADE"),
            nullable=False,
            index=True,
        ),
        _review(),
        sa.Column("line", sa.Integer(), nullable=False),
        sa.Column("indicator", sa.String(200), nullable=False),
        sa.Column("council", sa.String(200), nullable=False),
        sa.Column("is_this_council", sa.Boolean(), nullable=False),
        sa.Column("period", sa.String(40), nullable=False),
        sa.Column("value", sa.Float(), nullable=False),
        sa.Column("unit", sa.String(40), nullable=False),
        sa.Column("source", sa.String(500), nullable=False),
        sa.Column("source_date", sa.Date(), nullable=False),
    )
    op.create_table(
        "appraisal_option",
        sa.Column("id", sa.Integer(), primary_key=True),
        _review(),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        _created(),
    )
    op.create_table(
        "appraisal_criterion",
        sa.Column("id", sa.Integer(), primary_key=True),
        _review(),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("kind", sa.String(40), nullable=False),
        sa.Column("weight", sa.Integer(), nullable=False),
        _created(),
    )
    op.create_table(
        "appraisal_score",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "option_id",
            sa.Integer(),
            sa.ForeignKey("appraisal_option.id", ondelete="CASCADE"),
            nullable=False,
            index=True,
        ),
        sa.Column(
            "criterion_id",
            sa.Integer(),
            sa.ForeignKey("appraisal_criterion.id", ondelete="CASCADE"),
            nullable=False,
            index=True,
        ),
        sa.Column("score", sa.Integer(), nullable=False),
        sa.Column("rationale", sa.Text(), nullable=False),
        sa.Column("evidence_kind", sa.String(40), nullable=False),
        sa.Column("evidence_id", sa.Integer(), nullable=False),
        sa.Column("snapshot", sa.JSON(), nullable=False),
        _user("scored_by_id"),
        _created(),
        sa.UniqueConstraint("option_id", "criterion_id"),
    )
    op.create_table(
        "appraisal_comment",
        sa.Column("id", sa.Integer(), primary_key=True),
        _review(),
        _user("author_id"),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("is_scrutiny", sa.Boolean(), nullable=False),
        _created(),
    )
    op.create_table(
        "appraisal_decision",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "review_id",
            sa.Integer(),
            sa.ForeignKey("review.id", ondelete="CASCADE"),
            nullable=False,
            unique=True,
        ),
        sa.Column(
            "option_id",
            sa.Integer(),
            sa.ForeignKey("appraisal_option.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("reason", sa.Text(), nullable=False),
        _user("decided_by_id"),
        sa.Column("results", sa.JSON(), nullable=False),
        _created(),
    )


def downgrade() -> None:
    for table in (
        "appraisal_decision",
        "appraisal_comment",
        "appraisal_score",
        "appraisal_criterion",
        "appraisal_option",
        "benchmark_row",
        "benchmark_import",
        "review_indicator_support",
        "review_indicator",
    ):
        op.drop_table(table)
