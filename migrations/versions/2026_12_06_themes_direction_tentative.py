"""Themes carry a description, a direction and a tentative flag; answers in another language or
left blank get their own buckets, with the language named

Revision ID: themes_direction_tentative
Revises: forums_anonymous_public_ids
Create Date: 2026-12-06 15:00:00

Issue 20. `theme_assignment.bucket` is a non-native enum stored as text, so the new values
"blank" and "other_language" need no schema change; `language` names the language of an
answer in the other-languages bucket.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "themes_direction_tentative"
down_revision: str | Sequence[str] | None = "forums_anonymous_public_ids"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("theme") as batch_op:
        batch_op.add_column(sa.Column("description", sa.Text(), nullable=False, server_default=""))
        batch_op.add_column(sa.Column("direction", sa.String(length=20), nullable=False,
                                      server_default="neutral"))
        batch_op.add_column(sa.Column("tentative", sa.Boolean(), nullable=False, server_default=sa.false()))
        batch_op.add_column(sa.Column("direction_counts", sa.JSON(), nullable=True))
    with op.batch_alter_table("theme_assignment") as batch_op:
        batch_op.add_column(sa.Column("language", sa.String(length=40), nullable=False, server_default=""))


def downgrade() -> None:
    with op.batch_alter_table("theme_assignment") as batch_op:
        batch_op.drop_column("language")
    with op.batch_alter_table("theme") as batch_op:
        batch_op.drop_column("direction_counts")
        batch_op.drop_column("tentative")
        batch_op.drop_column("direction")
        batch_op.drop_column("description")
