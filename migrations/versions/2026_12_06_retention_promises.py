"""Retention kept by jobs: when a consultation's answers were anonymised, and what an email concerns

Revision ID: retention_promises
Revises: compare_compete
Create Date: 2026-12-06 16:00:00

`consultation.answers_deleted_at` is set by the retention job when the answers of a consultation
are irreversibly anonymised (issue 25); findings and public pages say so. `outbox_email.concerns`
("petition:12", "consultation:3") lets the job purge an email's personal data as soon as the thing
it concerns is anonymised, not only when the outbox period runs out. `results_subscriber.consent_wording`
keeps the words a person agreed to when opting in (its `created_at` is when), and `email_opt_out` holds
the SHA-256 of each address that used the one unsubscribe link (never the address itself).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "retention_promises"
down_revision: str | Sequence[str] | None = "compare_compete"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("consultation") as batch_op:
        batch_op.add_column(sa.Column("answers_deleted_at", sa.DateTime(timezone=True), nullable=True))
    with op.batch_alter_table("outbox_email") as batch_op:
        batch_op.add_column(sa.Column("concerns", sa.String(length=60), nullable=False, server_default=""))
        batch_op.create_index("ix_outbox_email_concerns", ["concerns"])
    with op.batch_alter_table("results_subscriber") as batch_op:
        batch_op.add_column(sa.Column("consent_wording", sa.Text(), nullable=False, server_default=""))
    op.create_table(
        "email_opt_out",
        sa.Column("address_sha256", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.func.current_timestamp(),
                  nullable=False),
        sa.PrimaryKeyConstraint("address_sha256", name=op.f("pk_email_opt_out")),
    )


def downgrade() -> None:
    op.drop_table("email_opt_out")
    with op.batch_alter_table("results_subscriber") as batch_op:
        batch_op.drop_column("consent_wording")
    with op.batch_alter_table("outbox_email") as batch_op:
        batch_op.drop_index("ix_outbox_email_concerns")
        batch_op.drop_column("concerns")
    with op.batch_alter_table("consultation") as batch_op:
        batch_op.drop_column("answers_deleted_at")
