"""citizens panels: pool, special-category profiles, targets, draws, members, invitations

Revision ID: panels
Revises: foundation
Create Date: 2026-11-23 13:43:28.395400
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import app.models.base

revision: str = 'panels'
down_revision: str | Sequence[str] | None = 'foundation'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('panel',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('recruiting', sa.Boolean(), nullable=False),
    sa.Column('consent_text', sa.Text(), nullable=False),
    sa.Column('special_consent_text', sa.Text(), nullable=False),
    sa.Column('created_at', app.models.base.UTCDateTime(timezone=True), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_panel'))
    )
    op.create_table('panel_category',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('panel_id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=60), nullable=False),
    sa.Column('label', sa.String(length=200), nullable=False),
    sa.Column('hint', sa.String(length=400), nullable=False),
    sa.Column('special', sa.Boolean(), nullable=False),
    sa.Column('service_user', sa.Boolean(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['panel_id'], ['panel.id'], name=op.f('fk_panel_category_panel_id_panel'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_panel_category')),
    sa.UniqueConstraint('panel_id', 'key', name=op.f('uq_panel_category_panel_id_key'))
    )
    with op.batch_alter_table('panel_category', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_panel_category_panel_id'), ['panel_id'], unique=False)

    op.create_table('panel_volunteer',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('panel_id', sa.Integer(), nullable=False),
    sa.Column('external_id', sa.String(length=80), nullable=True),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('email', sa.String(length=320), nullable=True),
    sa.Column('address', sa.String(length=300), nullable=False),
    sa.Column('postcode', sa.String(length=12), nullable=False),
    sa.Column('household_key', sa.String(length=320), nullable=True),
    sa.Column('profile', sa.JSON(), nullable=False),
    sa.Column('source', sa.Enum('form', 'import', name='volunteersource', native_enum=False, length=40), nullable=False),
    sa.Column('consent_text', sa.Text(), nullable=False),
    sa.Column('consented_at', app.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('email_confirmed_at', app.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('manage_token_hash', sa.String(length=64), nullable=True),
    sa.Column('updated_at', app.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('created_at', app.models.base.UTCDateTime(timezone=True), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.ForeignKeyConstraint(['panel_id'], ['panel.id'], name=op.f('fk_panel_volunteer_panel_id_panel'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_panel_volunteer')),
    sa.UniqueConstraint('manage_token_hash', name=op.f('uq_panel_volunteer_manage_token_hash')),
    sa.UniqueConstraint('panel_id', 'email', name=op.f('uq_panel_volunteer_panel_id_email')),
    sa.UniqueConstraint('panel_id', 'external_id', name=op.f('uq_panel_volunteer_panel_id_external_id'))
    )
    with op.batch_alter_table('panel_volunteer', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_panel_volunteer_household_key'), ['household_key'], unique=False)
        batch_op.create_index(batch_op.f('ix_panel_volunteer_panel_id'), ['panel_id'], unique=False)

    op.create_table('panel_draw',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('panel_id', sa.Integer(), nullable=False),
    sa.Column('purpose', sa.String(length=200), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('seed', sa.Integer(), nullable=False),
    sa.Column('one_per_household', sa.Boolean(), nullable=False),
    sa.Column('status', sa.Enum('queued', 'running', 'done', 'failed', name='drawstatus', native_enum=False, length=40), nullable=False),
    sa.Column('message', sa.Text(), nullable=False),
    sa.Column('algorithm', sa.String(length=60), nullable=False),
    sa.Column('fallback_reason', sa.Text(), nullable=False),
    sa.Column('quotas', sa.JSON(), nullable=False),
    sa.Column('probabilities', sa.JSON(), nullable=False),
    sa.Column('pool_counts', sa.JSON(), nullable=False),
    sa.Column('details', sa.JSON(), nullable=False),
    sa.Column('pool_size', sa.Integer(), nullable=False),
    sa.Column('min_probability', sa.Float(), nullable=True),
    sa.Column('gini', sa.Float(), nullable=True),
    sa.Column('seconds', sa.Float(), nullable=True),
    sa.Column('target_url', sa.String(length=500), nullable=False),
    sa.Column('consultation_id', sa.Integer(), nullable=True),
    sa.Column('requested_by_id', sa.Integer(), nullable=True),
    sa.Column('started_at', app.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('finished_at', app.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('created_at', app.models.base.UTCDateTime(timezone=True), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.ForeignKeyConstraint(['panel_id'], ['panel.id'], name=op.f('fk_panel_draw_panel_id_panel'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['requested_by_id'], ['user_account.id'], name=op.f('fk_panel_draw_requested_by_id_user_account'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_panel_draw'))
    )
    with op.batch_alter_table('panel_draw', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_panel_draw_panel_id'), ['panel_id'], unique=False)

    op.create_table('panel_feature',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('category_id', sa.Integer(), nullable=False),
    sa.Column('value', sa.String(length=120), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('target_min', sa.Integer(), nullable=False),
    sa.Column('target_max', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['category_id'], ['panel_category.id'], name=op.f('fk_panel_feature_category_id_panel_category'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_panel_feature')),
    sa.UniqueConstraint('category_id', 'value', name=op.f('uq_panel_feature_category_id_value'))
    )
    with op.batch_alter_table('panel_feature', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_panel_feature_category_id'), ['category_id'], unique=False)

    op.create_table('panel_special_profile',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('volunteer_id', sa.Integer(), nullable=False),
    sa.Column('answers', sa.JSON(), nullable=False),
    sa.Column('consent_text', sa.Text(), nullable=False),
    sa.Column('consented_at', app.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['volunteer_id'], ['panel_volunteer.id'], name=op.f('fk_panel_special_profile_volunteer_id_panel_volunteer'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_panel_special_profile')),
    sa.UniqueConstraint('volunteer_id', name=op.f('uq_panel_special_profile_volunteer_id'))
    )
    op.create_table('panel_member',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('draw_id', sa.Integer(), nullable=False),
    sa.Column('volunteer_id', sa.Integer(), nullable=True),
    sa.Column('pool_ref', sa.String(length=40), nullable=False),
    sa.Column('status', sa.Enum('selected', 'declined', 'left', name='memberstatus', native_enum=False, length=40), nullable=False),
    sa.Column('replaces_id', sa.Integer(), nullable=True),
    sa.Column('replacement_seed', sa.Integer(), nullable=True),
    sa.Column('replacement_candidates', sa.Integer(), nullable=True),
    sa.Column('declined_at', app.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('invited_at', app.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('responded_at', app.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('created_at', app.models.base.UTCDateTime(timezone=True), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.ForeignKeyConstraint(['draw_id'], ['panel_draw.id'], name=op.f('fk_panel_member_draw_id_panel_draw'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['replaces_id'], ['panel_member.id'], name=op.f('fk_panel_member_replaces_id_panel_member'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['volunteer_id'], ['panel_volunteer.id'], name=op.f('fk_panel_member_volunteer_id_panel_volunteer'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_panel_member')),
    sa.UniqueConstraint('draw_id', 'volunteer_id', name=op.f('uq_panel_member_draw_id_volunteer_id'))
    )
    with op.batch_alter_table('panel_member', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_panel_member_draw_id'), ['draw_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_panel_member_volunteer_id'), ['volunteer_id'], unique=False)

    op.create_table('panel_invitation',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('member_id', sa.Integer(), nullable=False),
    sa.Column('target_url', sa.String(length=500), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('consultation_invitation_id', sa.Integer(), nullable=True),
    sa.Column('used_at', app.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('created_at', app.models.base.UTCDateTime(timezone=True), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.ForeignKeyConstraint(['member_id'], ['panel_member.id'], name=op.f('fk_panel_invitation_member_id_panel_member'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_panel_invitation')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_panel_invitation_token_hash'))
    )
    with op.batch_alter_table('panel_invitation', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_panel_invitation_member_id'), ['member_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('panel_invitation', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_panel_invitation_member_id'))

    op.drop_table('panel_invitation')
    with op.batch_alter_table('panel_member', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_panel_member_volunteer_id'))
        batch_op.drop_index(batch_op.f('ix_panel_member_draw_id'))

    op.drop_table('panel_member')
    op.drop_table('panel_special_profile')
    with op.batch_alter_table('panel_feature', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_panel_feature_category_id'))

    op.drop_table('panel_feature')
    with op.batch_alter_table('panel_draw', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_panel_draw_panel_id'))

    op.drop_table('panel_draw')
    with op.batch_alter_table('panel_volunteer', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_panel_volunteer_panel_id'))
        batch_op.drop_index(batch_op.f('ix_panel_volunteer_household_key'))

    op.drop_table('panel_volunteer')
    with op.batch_alter_table('panel_category', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_panel_category_panel_id'))

    op.drop_table('panel_category')
    op.drop_table('panel')
