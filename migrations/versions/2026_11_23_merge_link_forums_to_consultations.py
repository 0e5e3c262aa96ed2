"""Merge the feature branches; forums and submissions can belong to a consultation; theme stats

Revision ID: merge_features
Revises: forums, panels, petitions, review_workspace
Create Date: 2026-11-23 15:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "merge_features"
down_revision: str | Sequence[str] | None = ("forums", "panels", "petitions", "review_workspace")
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLES = ("forum", "organisation_submission")


def upgrade() -> None:
    op.create_table(
        "question_theme_stats",
        sa.Column("question_id", sa.Integer(), nullable=False),
        sa.Column("buckets", sa.JSON(), nullable=False),
        sa.Column("last_answer_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["question_id"], ["consultation_question.id"],
                                name=op.f("fk_question_theme_stats_question_id_consultation_question"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("question_id", name=op.f("pk_question_theme_stats")),
    )
    for table in TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column("consultation_id", sa.Integer(), nullable=True))
            batch_op.create_index(batch_op.f(f"ix_{table}_consultation_id"), ["consultation_id"], unique=False)
            batch_op.create_foreign_key(batch_op.f(f"fk_{table}_consultation_id_consultation"),
                                        "consultation", ["consultation_id"], ["id"], ondelete="SET NULL")


def downgrade() -> None:
    op.drop_table("question_theme_stats")
    for table in TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_constraint(batch_op.f(f"fk_{table}_consultation_id_consultation"), type_="foreignkey")
            batch_op.drop_index(batch_op.f(f"ix_{table}_consultation_id"))
            batch_op.drop_column("consultation_id")
