"""Residents' light accounts: emailed one-time sign-in links, and following petitions

Revision ID: resident_accounts
Revises: email_html
Create Date: 2026-12-06 18:00:00

A resident is a `user_account` with the role "resident" (roles are strings: no change there).
`resident_sign_in_link` keeps each emailed link's token as a SHA-256 only; using a link deletes it,
and each request for a link deletes the expired ones (with their addresses). `petition_follow` says which resident follows which petition.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "resident_accounts"
down_revision: str | Sequence[str] | None = "email_html"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "resident_sign_in_link",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("email", sa.String(length=320), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.func.current_timestamp(),
            nullable=False,
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_resident_sign_in_link")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_resident_sign_in_link_token_hash")),
    )
    op.create_index(op.f("ix_resident_sign_in_link_email"), "resident_sign_in_link", ["email"])
    op.create_table(
        "petition_follow",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("petition_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.func.current_timestamp(),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["petition_id"],
            ["petition.id"],
            name=op.f("fk_petition_follow_petition_id_petition"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["user_account.id"],
            name=op.f("fk_petition_follow_user_id_user_account"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_petition_follow")),
        sa.UniqueConstraint("petition_id", "user_id", name=op.f("uq_petition_follow_petition_id_user_id")),
    )
    op.create_index(op.f("ix_petition_follow_user_id"), "petition_follow", ["user_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_petition_follow_user_id"), table_name="petition_follow")
    op.drop_table("petition_follow")
    op.drop_index(op.f("ix_resident_sign_in_link_email"), table_name="resident_sign_in_link")
    op.drop_table("resident_sign_in_link")
