"""petitions: petitions, signatures, settings, address rules, bulk invalidations

Revision ID: petitions
Revises: foundation
Create Date: 2026-11-23 15:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import app.models.base

revision: str = "petitions"
down_revision: str | Sequence[str] | None = "foundation"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('petition_settings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('supporters_needed', sa.Integer(), nullable=False),
    sa.Column('response_threshold', sa.Integer(), nullable=False),
    sa.Column('debate_threshold', sa.Integer(), nullable=False),
    sa.Column('duration_days', sa.Integer(), nullable=False),
    sa.Column('anonymise_after_days', sa.Integer(), nullable=False),
    sa.Column('signing_limit_per_address_short', sa.String(length=40), nullable=False),
    sa.Column('signing_limit_per_address_long', sa.String(length=40), nullable=False),
    sa.Column('confirmation_hours', sa.Integer(), nullable=False),
    sa.Column('moderation_queue_alert', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_petition_settings'))
    )
    op.create_table('petition',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=150), nullable=False),
    sa.Column('action', sa.Text(), nullable=False),
    sa.Column('background', sa.Text(), nullable=False),
    sa.Column('state', sa.Enum('pending', 'validated', 'sponsored', 'open', 'closed', 'rejected', 'hidden', name='petitionstate', native_enum=False, length=40), nullable=False),
    sa.Column('support_token', sa.String(length=64), nullable=False),
    sa.Column('review_id', sa.Integer(), nullable=True),
    sa.Column('officer_id', sa.Integer(), nullable=True),
    sa.Column('validated_at', app.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('sponsored_at', app.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('moderated_at', app.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('moderated_by_id', sa.Integer(), nullable=True),
    sa.Column('opened_at', app.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('closes_at', app.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('closed_at', app.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('rejection_code', sa.Enum('duplicate', 'not_council', 'no_action', 'already_happening', 'legal_proceedings', 'personal', 'offensive', 'other', name='rejectioncode', native_enum=False, length=40), nullable=True),
    sa.Column('rejection_text', sa.Text(), nullable=False),
    sa.Column('duplicate_of_id', sa.Integer(), nullable=True),
    sa.Column('response_threshold_reached_at', app.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('debate_threshold_reached_at', app.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('responded_at', app.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('response_text', sa.Text(), nullable=False),
    sa.Column('debated_at', app.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('debate_outcome', sa.Text(), nullable=False),
    sa.Column('anonymised_at', app.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('created_at', app.models.base.UTCDateTime(timezone=True), server_default=sa.text('CURRENT_TIMESTAMP'), nullable=False),
    sa.ForeignKeyConstraint(['duplicate_of_id'], ['petition.id'], name=op.f('fk_petition_duplicate_of_id_petition'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['moderated_by_id'], ['user_account.id'], name=op.f('fk_petition_moderated_by_id_user_account'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['officer_id'], ['user_account.id'], name=op.f('fk_petition_officer_id_user_account'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['review_id'], ['review.id'], name=op.f('fk_petition_review_id_review'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_petition')),
    sa.UniqueConstraint('support_token', name=op.f('uq_petition_support_token'))
    )
    op.create_index(op.f('ix_petition_closes_at'), 'petition', ['closes_at'], unique=False)
    op.create_index(op.f('ix_petition_review_id'), 'petition', ['review_id'], unique=False)
    op.create_index('ix_petition_state_opened_at', 'petition', ['state', 'opened_at'], unique=False)
    op.create_table('petition_address_rule',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('address', 'domain', name='rulekind', native_enum=False, length=40), nullable=False),
    sa.Column('value', sa.String(length=255), nullable=False),
    sa.Column('action', sa.Enum('allow', 'block', name='ruleaction', native_enum=False, length=40), nullable=False),
    sa.Column('note', sa.String(length=300), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', app.models.base.UTCDateTime(timezone=True), server_default=sa.text('CURRENT_TIMESTAMP'), nullable=False),
    sa.ForeignKeyConstraint(['created_by_id'], ['user_account.id'], name=op.f('fk_petition_address_rule_created_by_id_user_account'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_petition_address_rule')),
    sa.UniqueConstraint('kind', 'value', name=op.f('uq_petition_address_rule_kind_value'))
    )
    op.create_table('petition_invalidation',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('petition_id', sa.Integer(), nullable=True),
    sa.Column('ip_address', sa.String(length=50), nullable=False),
    sa.Column('email_domain', sa.String(length=255), nullable=False),
    sa.Column('postcode', sa.String(length=10), nullable=False),
    sa.Column('created_from', app.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('created_to', app.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('state', sa.Enum('previewed', 'queued', 'completed', 'undoing', 'undone', name='invalidationstate', native_enum=False, length=40), nullable=False),
    sa.Column('matched_count', sa.Integer(), nullable=False),
    sa.Column('invalidated_count', sa.Integer(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('completed_at', app.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('undone_at', app.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('undone_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', app.models.base.UTCDateTime(timezone=True), server_default=sa.text('CURRENT_TIMESTAMP'), nullable=False),
    sa.ForeignKeyConstraint(['created_by_id'], ['user_account.id'], name=op.f('fk_petition_invalidation_created_by_id_user_account'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['petition_id'], ['petition.id'], name=op.f('fk_petition_invalidation_petition_id_petition'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['undone_by_id'], ['user_account.id'], name=op.f('fk_petition_invalidation_undone_by_id_user_account'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_petition_invalidation'))
    )
    op.create_index(op.f('ix_petition_invalidation_petition_id'), 'petition_invalidation', ['petition_id'], unique=False)
    op.create_table('petition_signature',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('petition_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=True),
    sa.Column('email', sa.String(length=320), nullable=True),
    sa.Column('normalised_email', sa.String(length=320), nullable=True),
    sa.Column('email_domain', sa.String(length=255), nullable=False),
    sa.Column('postcode', sa.String(length=10), nullable=False),
    sa.Column('ward', sa.String(length=100), nullable=False),
    sa.Column('ip_address', sa.String(length=45), nullable=True),
    sa.Column('notify_by_email', sa.Boolean(), nullable=False),
    sa.Column('is_creator', sa.Boolean(), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=True),
    sa.Column('token_expires_at', app.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('validated_at', app.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('invalidated_at', app.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('invalidation_id', sa.Integer(), nullable=True),
    sa.Column('anonymised_at', app.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('created_at', app.models.base.UTCDateTime(timezone=True), server_default=sa.text('CURRENT_TIMESTAMP'), nullable=False),
    sa.ForeignKeyConstraint(['invalidation_id'], ['petition_invalidation.id'], name=op.f('fk_petition_signature_invalidation_id_petition_invalidation'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['petition_id'], ['petition.id'], name=op.f('fk_petition_signature_petition_id_petition'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_petition_signature')),
    sa.UniqueConstraint('petition_id', 'normalised_email', name=op.f('uq_petition_signature_petition_id_normalised_email')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_petition_signature_token_hash'))
    )
    op.create_index('ix_petition_signature_count', 'petition_signature', ['petition_id', 'invalidated_at', 'validated_at'], unique=False)
    op.create_index(op.f('ix_petition_signature_email_domain'), 'petition_signature', ['email_domain'], unique=False)
    op.create_index(op.f('ix_petition_signature_invalidation_id'), 'petition_signature', ['invalidation_id'], unique=False)
    op.create_index('ix_petition_signature_ip_address', 'petition_signature', ['ip_address'], unique=False)
    op.create_index(op.f('ix_petition_signature_postcode'), 'petition_signature', ['postcode'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_petition_signature_postcode'), table_name='petition_signature')
    op.drop_index('ix_petition_signature_ip_address', table_name='petition_signature')
    op.drop_index(op.f('ix_petition_signature_invalidation_id'), table_name='petition_signature')
    op.drop_index(op.f('ix_petition_signature_email_domain'), table_name='petition_signature')
    op.drop_index('ix_petition_signature_count', table_name='petition_signature')
    op.drop_table('petition_signature')
    op.drop_index(op.f('ix_petition_invalidation_petition_id'), table_name='petition_invalidation')
    op.drop_table('petition_invalidation')
    op.drop_table('petition_address_rule')
    op.drop_index('ix_petition_state_opened_at', table_name='petition')
    op.drop_index(op.f('ix_petition_review_id'), table_name='petition')
    op.drop_index(op.f('ix_petition_closes_at'), table_name='petition')
    op.drop_table('petition')
    op.drop_table('petition_settings')
