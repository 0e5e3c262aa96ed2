"""Indicators proposed from a consultation question or a forum: where each was proposed

Revision ID: indicator_question
Revises: resident_accounts
Create Date: 2026-12-06 18:00:00

Issue 24, decision 0103. `review_indicator.forum_id` and `review_indicator.consultation_id` say where
an indicator was proposed when it was not on the review's own pages (NULL there); the team's table
links to it. The question kind `indicators` and the supporter type `resident` are strings checked in
Python, so no other column changes.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "indicator_question"
down_revision: str | Sequence[str] | None = "resident_accounts"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("review_indicator") as batch_op:
        batch_op.add_column(sa.Column("forum_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("consultation_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            op.f("fk_review_indicator_forum_id_forum"), "forum", ["forum_id"], ["id"], ondelete="SET NULL"
        )
        batch_op.create_foreign_key(
            op.f("fk_review_indicator_consultation_id_consultation"),
            "consultation",
            ["consultation_id"],
            ["id"],
            ondelete="SET NULL",
        )


def downgrade() -> None:
    with op.batch_alter_table("review_indicator") as batch_op:
        batch_op.drop_constraint(op.f("fk_review_indicator_consultation_id_consultation"), type_="foreignkey")
        batch_op.drop_constraint(op.f("fk_review_indicator_forum_id_forum"), type_="foreignkey")
        batch_op.drop_column("consultation_id")
        batch_op.drop_column("forum_id")
