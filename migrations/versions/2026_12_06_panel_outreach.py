"""Citizens' panel outreach: analyses of what recruiting would change, and tagged invitation links

Revision ID: panel_outreach
Revises: welsh_versions
Create Date: 2026-12-06 21:00:00

Issue 26 part 3, decision 0108. `panel_outreach_analysis` keeps a worker job's progress and result
(for each group the pool is short of, the relaxation's minimum after 5, 10, 20, 50 recruits);
`panel_outreach` is an organisation's invitation link; `panel_volunteer.outreach_id` says which link
a volunteer joined through (cleared if the link is deleted; leaving deletes the volunteer anyway).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import app.models.base

revision: str = "panel_outreach"
down_revision: str | Sequence[str] | None = "welsh_versions"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _when(name: str, nullable: bool = True) -> sa.Column:
    return sa.Column(name, app.models.base.UTCDateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    op.create_table(
        "panel_outreach",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("panel_id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=True),
        sa.Column("organisation_name", sa.String(length=200), nullable=False),
        sa.Column("token", sa.String(length=40), nullable=False),
        sa.Column("category", sa.String(length=60), nullable=False),
        sa.Column("feature", sa.String(length=120), nullable=False),
        sa.Column("note", sa.String(length=300), nullable=False),
        sa.Column("joined", sa.Integer(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        _when("emailed_at"),
        _when("revoked_at"),
        sa.Column("created_at", app.models.base.UTCDateTime(timezone=True),
                  server_default=sa.text("(CURRENT_TIMESTAMP)"), nullable=False),
        sa.ForeignKeyConstraint(["panel_id"], ["panel.id"], name=op.f("fk_panel_outreach_panel_id_panel"),
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["organisation_id"], ["organisation.id"],
                                name=op.f("fk_panel_outreach_organisation_id_organisation"), ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["created_by_id"], ["user_account.id"],
                                name=op.f("fk_panel_outreach_created_by_id_user_account"), ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_panel_outreach")),
        sa.UniqueConstraint("token", name=op.f("uq_panel_outreach_token")),
    )
    with op.batch_alter_table("panel_outreach") as batch_op:
        batch_op.create_index(batch_op.f("ix_panel_outreach_panel_id"), ["panel_id"], unique=False)

    op.create_table(
        "panel_outreach_analysis",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("panel_id", sa.Integer(), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("quotas", sa.JSON(), nullable=False),
        sa.Column("status", sa.Enum("queued", "running", "done", "failed", name="drawstatus", native_enum=False,
                                    length=40), nullable=False),
        sa.Column("progress_done", sa.Integer(), nullable=False),
        sa.Column("progress_total", sa.Integer(), nullable=False),
        sa.Column("pool_size", sa.Integer(), nullable=False),
        sa.Column("effects", sa.JSON(), nullable=False),
        sa.Column("message", sa.Text(), nullable=False),
        sa.Column("requested_by_id", sa.Integer(), nullable=True),
        _when("started_at"),
        _when("finished_at"),
        sa.Column("created_at", app.models.base.UTCDateTime(timezone=True),
                  server_default=sa.text("(CURRENT_TIMESTAMP)"), nullable=False),
        sa.ForeignKeyConstraint(["panel_id"], ["panel.id"], name=op.f("fk_panel_outreach_analysis_panel_id_panel"),
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["requested_by_id"], ["user_account.id"],
                                name=op.f("fk_panel_outreach_analysis_requested_by_id_user_account"),
                                ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_panel_outreach_analysis")),
    )
    with op.batch_alter_table("panel_outreach_analysis") as batch_op:
        batch_op.create_index(batch_op.f("ix_panel_outreach_analysis_panel_id"), ["panel_id"], unique=False)

    with op.batch_alter_table("panel_volunteer") as batch_op:
        batch_op.add_column(sa.Column("outreach_id", sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f("ix_panel_volunteer_outreach_id"), ["outreach_id"], unique=False)
        batch_op.create_foreign_key(op.f("fk_panel_volunteer_outreach_id_panel_outreach"), "panel_outreach",
                                    ["outreach_id"], ["id"], ondelete="SET NULL")


def downgrade() -> None:
    with op.batch_alter_table("panel_volunteer") as batch_op:
        batch_op.drop_constraint(op.f("fk_panel_volunteer_outreach_id_panel_outreach"), type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_panel_volunteer_outreach_id"))
        batch_op.drop_column("outreach_id")
    with op.batch_alter_table("panel_outreach_analysis") as batch_op:
        batch_op.drop_index(batch_op.f("ix_panel_outreach_analysis_panel_id"))
    op.drop_table("panel_outreach_analysis")
    with op.batch_alter_table("panel_outreach") as batch_op:
        batch_op.drop_index(batch_op.f("ix_panel_outreach_panel_id"))
    op.drop_table("panel_outreach")
