"""Reviews get a lifecycle; consultations and forums may stand alone; staff password resets;
editable public pages; a language for everyone who gets email

Revision ID: reviews_lifecycle
Revises: consultation_tally_hours
Create Date: 2026-12-06 14:29:57.613584

Data is kept: existing reviews keep their status and start their timeline at scoping, every
existing consultation and forum stays in its review, and every person's language is English
until they choose. Downgrading refuses while a stand-alone consultation or forum exists (it
would have no review to return to).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import app.models.base

revision: str = 'reviews_lifecycle'
down_revision: str | Sequence[str] | None = 'consultation_tally_hours'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _foreign_keys_off_on_sqlite() -> None:
    """SQLite alters a column by recreating its table (copy, DROP, rename); with foreign keys on,
    dropping a table other rows refer to fails. The pragma only changes outside a transaction:
    commit what ran before, turn the checks off, and carry on in a new transaction."""
    connection = op.get_bind()
    if connection.dialect.name == "sqlite":
        raw = connection.connection.dbapi_connection
        raw.commit()
        raw.execute("PRAGMA foreign_keys=OFF")
        raw.execute("BEGIN")


def _check_foreign_keys_on_sqlite() -> None:
    connection = op.get_bind()
    if connection.dialect.name == "sqlite":
        broken = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
        if broken:
            raise RuntimeError(f"foreign keys broken by the migration: {broken[:5]}")


def upgrade() -> None:
    _foreign_keys_off_on_sqlite()
    op.create_table('password_reset',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('expires_at', app.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('used_at', app.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('created_at', app.models.base.UTCDateTime(timezone=True), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_password_reset_user_id_user_account'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_password_reset')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_password_reset_token_hash'))
    )
    with op.batch_alter_table('password_reset', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_password_reset_user_id'), ['user_id'], unique=False)

    op.create_table('site_page',
    sa.Column('slug', sa.String(length=40), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('updated_at', app.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['updated_by_id'], ['user_account.id'], name=op.f('fk_site_page_updated_by_id_user_account'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('slug', name=op.f('pk_site_page'))
    )
    op.create_table('review_stage_date',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('review_id', sa.Integer(), nullable=False),
    sa.Column('stage', sa.Enum('scoping', 'challenge', 'compare', 'consult', 'compete', 'decision', 'implementation', 'follow_up', name='timelinestage', native_enum=False, length=40), nullable=False),
    sa.Column('starts_on', sa.Date(), nullable=True),
    sa.Column('ends_on', sa.Date(), nullable=True),
    sa.ForeignKeyConstraint(['review_id'], ['review.id'], name=op.f('fk_review_stage_date_review_id_review'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_review_stage_date')),
    sa.UniqueConstraint('review_id', 'stage', name=op.f('uq_review_stage_date_review_id_stage'))
    )
    with op.batch_alter_table('review_stage_date', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_review_stage_date_review_id'), ['review_id'], unique=False)

    with op.batch_alter_table('consultation', schema=None) as batch_op:
        batch_op.alter_column('review_id',
               existing_type=sa.INTEGER(),
               nullable=True)

    with op.batch_alter_table('consultation_invitation', schema=None) as batch_op:
        batch_op.add_column(sa.Column('language', sa.String(length=10), nullable=False, server_default='en'))

    with op.batch_alter_table('finding', schema=None) as batch_op:
        batch_op.add_column(sa.Column('scrutiny_view', sa.Text(), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('scrutiny_view_at', app.models.base.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('scrutiny_view_by_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_finding_scrutiny_view_by_id_user_account'), 'user_account', ['scrutiny_view_by_id'], ['id'], ondelete='SET NULL')

    with op.batch_alter_table('forum', schema=None) as batch_op:
        batch_op.alter_column('review_id',
               existing_type=sa.INTEGER(),
               nullable=True)

    with op.batch_alter_table('invitation', schema=None) as batch_op:
        batch_op.add_column(sa.Column('language', sa.String(length=10), nullable=False, server_default='en'))

    with op.batch_alter_table('panel_volunteer', schema=None) as batch_op:
        batch_op.add_column(sa.Column('language', sa.String(length=10), nullable=False, server_default='en'))

    with op.batch_alter_table('petition_signature', schema=None) as batch_op:
        batch_op.add_column(sa.Column('language', sa.String(length=10), nullable=False, server_default='en'))

    with op.batch_alter_table('results_subscriber', schema=None) as batch_op:
        batch_op.add_column(sa.Column('language', sa.String(length=10), nullable=False, server_default='en'))

    with op.batch_alter_table('review', schema=None) as batch_op:
        batch_op.add_column(sa.Column('scope', sa.Text(), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('lead_officer_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('starts_on', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('ends_on', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('stage', sa.Enum('scoping', 'challenge', 'compare', 'consult', 'compete', 'decision', 'implementation', 'follow_up', name='timelinestage', native_enum=False, length=40), nullable=False, server_default='scoping'))
        batch_op.add_column(sa.Column('is_public', sa.Boolean(), nullable=False, server_default=sa.false()))
        batch_op.add_column(sa.Column('decision', sa.Text(), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('decided_on', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('concluded_at', app.models.base.UTCDateTime(timezone=True), nullable=True))
        batch_op.create_index(batch_op.f('ix_review_lead_officer_id'), ['lead_officer_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_review_lead_officer_id_user_account'), 'user_account', ['lead_officer_id'], ['id'], ondelete='SET NULL')

    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.add_column(sa.Column('language', sa.String(length=10), nullable=False, server_default='en'))
    _check_foreign_keys_on_sqlite()


def downgrade() -> None:
    _foreign_keys_off_on_sqlite()
    connection = op.get_bind()
    for table in ("consultation", "forum"):
        if connection.execute(sa.text(f"SELECT COUNT(*) FROM {table} WHERE review_id IS NULL")).scalar():  # noqa: S608 - fixed names
            raise RuntimeError(f"A stand-alone {table} exists: give it a review before downgrading.")
    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.drop_column('language')

    with op.batch_alter_table('review', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_review_lead_officer_id_user_account'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_review_lead_officer_id'))
        batch_op.drop_column('concluded_at')
        batch_op.drop_column('decided_on')
        batch_op.drop_column('decision')
        batch_op.drop_column('is_public')
        batch_op.drop_column('stage')
        batch_op.drop_column('ends_on')
        batch_op.drop_column('starts_on')
        batch_op.drop_column('lead_officer_id')
        batch_op.drop_column('scope')

    with op.batch_alter_table('results_subscriber', schema=None) as batch_op:
        batch_op.drop_column('language')

    with op.batch_alter_table('petition_signature', schema=None) as batch_op:
        batch_op.drop_column('language')

    with op.batch_alter_table('panel_volunteer', schema=None) as batch_op:
        batch_op.drop_column('language')

    with op.batch_alter_table('invitation', schema=None) as batch_op:
        batch_op.drop_column('language')

    with op.batch_alter_table('forum', schema=None) as batch_op:
        batch_op.alter_column('review_id',
               existing_type=sa.INTEGER(),
               nullable=False)

    with op.batch_alter_table('finding', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_finding_scrutiny_view_by_id_user_account'), type_='foreignkey')
        batch_op.drop_column('scrutiny_view_by_id')
        batch_op.drop_column('scrutiny_view_at')
        batch_op.drop_column('scrutiny_view')

    with op.batch_alter_table('consultation_invitation', schema=None) as batch_op:
        batch_op.drop_column('language')

    with op.batch_alter_table('consultation', schema=None) as batch_op:
        batch_op.alter_column('review_id',
               existing_type=sa.INTEGER(),
               nullable=False)

    with op.batch_alter_table('review_stage_date', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_review_stage_date_review_id'))

    op.drop_table('review_stage_date')
    op.drop_table('site_page')
    with op.batch_alter_table('password_reset', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_password_reset_user_id'))

    op.drop_table('password_reset')
    _check_foreign_keys_on_sqlite()
