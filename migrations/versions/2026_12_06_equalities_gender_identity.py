"""Equalities answers gain gender identity (the harmonised equalities set, issue 19)

Revision ID: equalities_gender_identity
Revises: staff_totp, themes_direction_tentative
Create Date: 2026-12-06 15:00:00

The consultation's "About you" page asks the ONS/GSS harmonised questions shared with citizens'
panels: sex is Female or Male, and a separate, optional question asks whether the person's gender
identity is the same as their sex registered at birth, with a box to write it in. Existing rows get
an empty answer; answers given under the old "Prefer to self-describe" option stay as they were.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "equalities_gender_identity"
down_revision: str | Sequence[str] | None = ("staff_totp", "themes_direction_tentative")
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("consultation_equalities_answer") as batch_op:
        batch_op.add_column(sa.Column("gender_identity", sa.String(length=80), nullable=False,
                                      server_default=""))


def downgrade() -> None:
    with op.batch_alter_table("consultation_equalities_answer") as batch_op:
        batch_op.drop_column("gender_identity")
