"""Emails carry an HTML part beside the plain text

Revision ID: email_html
Revises: guided_coding
Create Date: 2026-12-06 18:00:00

Every email is rendered from a text and an HTML template with the same content (issue 18,
decision 0105) and sent as multipart/alternative; `outbox_email.body_html` keeps the HTML part.
Emails written before this have none and are sent as plain text, as before.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "email_html"
down_revision: str | Sequence[str] | None = "guided_coding"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("outbox_email") as batch_op:
        batch_op.add_column(sa.Column("body_html", sa.Text(), nullable=False, server_default=""))


def downgrade() -> None:
    with op.batch_alter_table("outbox_email") as batch_op:
        batch_op.drop_column("body_html")
