"""Staff accounts may have a TOTP second factor

Revision ID: staff_totp
Revises: forums_anonymous_public_ids
Create Date: 2026-12-06 15:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "staff_totp"
down_revision: str | Sequence[str] | None = "forums_anonymous_public_ids"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("user_account") as batch_op:
        batch_op.add_column(sa.Column("totp_secret", sa.String(length=64), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("user_account") as batch_op:
        batch_op.drop_column("totp_secret")
