"""Forum posts, meeting notes and organisations' submissions can join a question's analysis

Revision ID: analysis_forum_evidence
Revises: merge_features
Create Date: 2026-11-23 16:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import app.models.base

revision: str = "analysis_forum_evidence"
down_revision: str | Sequence[str] | None = "merge_features"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SOURCES = (("post_id", "forum_post"), ("meeting_id", "forum_meeting"), ("submission_id", "organisation_submission"))
ONE_SOURCE = " + ".join(f"(CASE WHEN {c} IS NULL THEN 0 ELSE 1 END)"
                        for c in ("answer_id", "post_id", "meeting_id", "submission_id")) + " = 1"


def upgrade() -> None:
    op.create_table(
        "analysis_scope",
        sa.Column("question_id", sa.Integer(), nullable=False),
        sa.Column("includes_forum_evidence", sa.Boolean(), nullable=False),
        sa.Column("changed_by_id", sa.Integer(), nullable=True),
        sa.Column("changed_at", app.models.base.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["question_id"], ["consultation_question.id"],
                                name=op.f("fk_analysis_scope_question_id_consultation_question"),
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["changed_by_id"], ["user_account.id"],
                                name=op.f("fk_analysis_scope_changed_by_id_user_account"), ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("question_id", name=op.f("pk_analysis_scope")),
    )
    with op.batch_alter_table("theme_assignment", schema=None) as batch_op:
        batch_op.alter_column("answer_id", existing_type=sa.Integer(), nullable=True)
        for column, table in SOURCES:
            batch_op.add_column(sa.Column(column, sa.Integer(), nullable=True))
            batch_op.create_foreign_key(batch_op.f(f"fk_theme_assignment_{column}_{table}"), table,
                                        [column], ["id"], ondelete="CASCADE")
            batch_op.create_unique_constraint(batch_op.f(f"uq_theme_assignment_question_id_{column}"),
                                              ["question_id", column])
        batch_op.create_check_constraint("one_source", ONE_SOURCE)


def downgrade() -> None:
    op.execute("DELETE FROM theme_assignment WHERE answer_id IS NULL")
    with op.batch_alter_table("theme_assignment", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("ck_theme_assignment_one_source"), type_="check")
        for column, table in SOURCES:
            batch_op.drop_constraint(batch_op.f(f"uq_theme_assignment_question_id_{column}"), type_="unique")
            batch_op.drop_constraint(batch_op.f(f"fk_theme_assignment_{column}_{table}"), type_="foreignkey")
            batch_op.drop_column(column)
        batch_op.alter_column("answer_id", existing_type=sa.Integer(), nullable=False)
    op.drop_table("analysis_scope")
