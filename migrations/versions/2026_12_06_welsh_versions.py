"""Welsh versions of officers' words: a `welsh` JSON column beside the English

Revision ID: welsh_versions
Revises: indicator_question
Create Date: 2026-12-06 20:30:00

Issue 28, decision 0107. Each table whose text officers write for the public (consultations and
their questions, question sets and documents, decisions, findings, reviews, petitions' responses,
citizens' panels and their profile questions) gets `welsh`: the Welsh version of each field by
name, empty until written. English stays in its own columns, so nothing existing changes meaning.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "welsh_versions"
down_revision: str | Sequence[str] | None = "indicator_question"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLES = ("consultation", "consultation_question", "consultation_questionnaire", "consultation_document",
          "consultation_decision", "finding", "petition", "review", "panel", "panel_category")


def upgrade() -> None:
    for table in TABLES:
        with op.batch_alter_table(table) as batch_op:
            batch_op.add_column(sa.Column("welsh", sa.JSON(), nullable=False, server_default="{}"))
    with op.batch_alter_table("consultation") as batch_op:
        batch_op.add_column(sa.Column("welsh_revision", sa.Integer(), nullable=False, server_default="0"))


def downgrade() -> None:
    with op.batch_alter_table("consultation") as batch_op:
        batch_op.drop_column("welsh_revision")
    for table in reversed(TABLES):
        with op.batch_alter_table(table) as batch_op:
            batch_op.drop_column("welsh")
