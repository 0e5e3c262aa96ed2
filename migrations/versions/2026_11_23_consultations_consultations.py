"""consultations

Revision ID: consultations
Revises: foundation
Create Date: 2026-11-23 14:15:31.431739
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import app.models.base

revision: str = 'consultations'
down_revision: str | Sequence[str] | None = 'foundation'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('api_token',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('revoked_at', app.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('last_used_at', app.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('created_at', app.models.base.UTCDateTime(timezone=True), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.ForeignKeyConstraint(['created_by_id'], ['user_account.id'], name=op.f('fk_api_token_created_by_id_user_account'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_api_token')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_api_token_token_hash'))
    )
    op.create_table('consultation',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('review_id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('summary', sa.Text(), nullable=False),
    sa.Column('confidentiality', sa.Text(), nullable=False),
    sa.Column('state', sa.Enum('draft', 'open', 'closed', 'published', name='consultationstate', native_enum=False, length=40), nullable=False),
    sa.Column('audience', sa.Enum('anyone', 'panel', 'organisations', name='audience', native_enum=False, length=40), nullable=False),
    sa.Column('opens_at', app.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('closes_at', app.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('about_you_enabled', sa.Boolean(), nullable=False),
    sa.Column('you_said_we_did', sa.Text(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', app.models.base.UTCDateTime(timezone=True), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.ForeignKeyConstraint(['created_by_id'], ['user_account.id'], name=op.f('fk_consultation_created_by_id_user_account'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['review_id'], ['review.id'], name=op.f('fk_consultation_review_id_review'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_consultation'))
    )
    with op.batch_alter_table('consultation', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_consultation_review_id'), ['review_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_consultation_state'), ['state'], unique=False)

    op.create_table('consultation_document',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('consultation_id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('filename', sa.String(length=200), nullable=False),
    sa.Column('stored_name', sa.String(length=80), nullable=False),
    sa.Column('size_bytes', sa.Integer(), nullable=False),
    sa.Column('created_at', app.models.base.UTCDateTime(timezone=True), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.ForeignKeyConstraint(['consultation_id'], ['consultation.id'], name=op.f('fk_consultation_document_consultation_id_consultation'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_consultation_document')),
    sa.UniqueConstraint('stored_name', name=op.f('uq_consultation_document_stored_name'))
    )
    with op.batch_alter_table('consultation_document', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_consultation_document_consultation_id'), ['consultation_id'], unique=False)

    op.create_table('consultation_invitation',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('consultation_id', sa.Integer(), nullable=False),
    sa.Column('email', sa.String(length=320), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=True),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('used_at', app.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('created_at', app.models.base.UTCDateTime(timezone=True), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.ForeignKeyConstraint(['consultation_id'], ['consultation.id'], name=op.f('fk_consultation_invitation_consultation_id_consultation'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisation.id'], name=op.f('fk_consultation_invitation_organisation_id_organisation'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_consultation_invitation')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_consultation_invitation_token_hash'))
    )
    with op.batch_alter_table('consultation_invitation', schema=None) as batch_op:
        batch_op.create_index('ix_consultation_invitation_consultation_email', ['consultation_id', 'email'], unique=False)

    op.create_table('consultation_questionnaire',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('consultation_id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('respondent_types', sa.JSON(), nullable=False),
    sa.Column('created_at', app.models.base.UTCDateTime(timezone=True), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.ForeignKeyConstraint(['consultation_id'], ['consultation.id'], name=op.f('fk_consultation_questionnaire_consultation_id_consultation'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_consultation_questionnaire'))
    )
    with op.batch_alter_table('consultation_questionnaire', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_consultation_questionnaire_consultation_id'), ['consultation_id'], unique=False)

    op.create_table('consultation_tally',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('consultation_id', sa.Integer(), nullable=False),
    sa.Column('dimension', sa.String(length=20), nullable=False),
    sa.Column('question_id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=120), nullable=False),
    sa.Column('count', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['consultation_id'], ['consultation.id'], name=op.f('fk_consultation_tally_consultation_id_consultation'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_consultation_tally'))
    )
    with op.batch_alter_table('consultation_tally', schema=None) as batch_op:
        batch_op.create_index('uq_consultation_tally_key', ['consultation_id', 'dimension', 'question_id', 'key'], unique=True)

    op.create_table('consultation_tally_mark',
    sa.Column('consultation_id', sa.Integer(), nullable=False),
    sa.Column('folded_up_to', sa.Integer(), nullable=False),
    sa.Column('seen_max', sa.Integer(), nullable=False),
    sa.Column('updated_at', app.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['consultation_id'], ['consultation.id'], name=op.f('fk_consultation_tally_mark_consultation_id_consultation'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('consultation_id', name=op.f('pk_consultation_tally_mark'))
    )
    op.create_table('consultation_draft',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('consultation_id', sa.Integer(), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('respondent_type', sa.String(length=40), nullable=False),
    sa.Column('organisation_name', sa.String(length=200), nullable=False),
    sa.Column('answers', sa.JSON(), nullable=False),
    sa.Column('about_you', sa.JSON(), nullable=False),
    sa.Column('invitation_id', sa.Integer(), nullable=True),
    sa.Column('updated_at', app.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('created_at', app.models.base.UTCDateTime(timezone=True), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.ForeignKeyConstraint(['consultation_id'], ['consultation.id'], name=op.f('fk_consultation_draft_consultation_id_consultation'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['invitation_id'], ['consultation_invitation.id'], name=op.f('fk_consultation_draft_invitation_id_consultation_invitation'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_consultation_draft')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_consultation_draft_token_hash'))
    )
    with op.batch_alter_table('consultation_draft', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_consultation_draft_consultation_id'), ['consultation_id'], unique=False)

    op.create_table('consultation_question',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('consultation_id', sa.Integer(), nullable=False),
    sa.Column('questionnaire_id', sa.Integer(), nullable=True),
    sa.Column('page', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('short_text', 'long_text', 'single_choice', 'multiple_choice', 'rating', 'ranking', name='questionkind', native_enum=False, length=40), nullable=False),
    sa.Column('text', sa.String(length=500), nullable=False),
    sa.Column('hint', sa.Text(), nullable=False),
    sa.Column('required', sa.Boolean(), nullable=False),
    sa.Column('max_length', sa.Integer(), nullable=True),
    sa.Column('options', sa.JSON(), nullable=False),
    sa.Column('show_if_question_id', sa.Integer(), nullable=True),
    sa.Column('show_if_value', sa.String(length=200), nullable=False),
    sa.ForeignKeyConstraint(['consultation_id'], ['consultation.id'], name=op.f('fk_consultation_question_consultation_id_consultation'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['questionnaire_id'], ['consultation_questionnaire.id'], name=op.f('fk_consultation_question_questionnaire_id_consultation_questionnaire'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['show_if_question_id'], ['consultation_question.id'], name=op.f('fk_consultation_question_show_if_question_id_consultation_question'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_consultation_question'))
    )
    with op.batch_alter_table('consultation_question', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_consultation_question_consultation_id'), ['consultation_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_consultation_question_questionnaire_id'), ['questionnaire_id'], unique=False)

    op.create_table('consultation_response',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('consultation_id', sa.Integer(), nullable=False),
    sa.Column('questionnaire_id', sa.Integer(), nullable=True),
    sa.Column('reference', sa.String(length=20), nullable=False),
    sa.Column('respondent_type', sa.Enum('resident', 'service_user', 'carer', 'staff', 'organisation', 'other', name='respondenttype', native_enum=False, length=40), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=True),
    sa.Column('organisation_name', sa.String(length=200), nullable=False),
    sa.Column('channel', sa.Enum('online', 'paper', 'phone', 'focus_group', 'api', name='channel', native_enum=False, length=40), nullable=False),
    sa.Column('is_panel', sa.Boolean(), nullable=False),
    sa.Column('invitation_id', sa.Integer(), nullable=True),
    sa.Column('entered_by_id', sa.Integer(), nullable=True),
    sa.Column('idempotency_key', sa.String(length=64), nullable=False),
    sa.Column('submitted_at', app.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['consultation_id'], ['consultation.id'], name=op.f('fk_consultation_response_consultation_id_consultation'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['entered_by_id'], ['user_account.id'], name=op.f('fk_consultation_response_entered_by_id_user_account'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['invitation_id'], ['consultation_invitation.id'], name=op.f('fk_consultation_response_invitation_id_consultation_invitation'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisation.id'], name=op.f('fk_consultation_response_organisation_id_organisation'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['questionnaire_id'], ['consultation_questionnaire.id'], name=op.f('fk_consultation_response_questionnaire_id_consultation_questionnaire'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_consultation_response')),
    sa.UniqueConstraint('idempotency_key', name=op.f('uq_consultation_response_idempotency_key')),
    sa.UniqueConstraint('reference', name=op.f('uq_consultation_response_reference'))
    )
    with op.batch_alter_table('consultation_response', schema=None) as batch_op:
        batch_op.create_index('ix_consultation_response_consultation_submitted', ['consultation_id', 'submitted_at'], unique=False)
        batch_op.create_index('ix_consultation_response_consultation_type', ['consultation_id', 'respondent_type', 'channel', 'is_panel'], unique=False)

    op.create_table('consultation_answer',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('response_id', sa.Integer(), nullable=False),
    sa.Column('question_id', sa.Integer(), nullable=False),
    sa.Column('value_text', sa.Text(), nullable=False),
    sa.Column('option_index', sa.Integer(), nullable=True),
    sa.Column('number', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['question_id'], ['consultation_question.id'], name=op.f('fk_consultation_answer_question_id_consultation_question'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['response_id'], ['consultation_response.id'], name=op.f('fk_consultation_answer_response_id_consultation_response'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_consultation_answer'))
    )
    with op.batch_alter_table('consultation_answer', schema=None) as batch_op:
        batch_op.create_index('ix_consultation_answer_question_option', ['question_id', 'option_index', 'number'], unique=False)
        batch_op.create_index('ix_consultation_answer_question_response', ['question_id', 'response_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_consultation_answer_response_id'), ['response_id'], unique=False)

    op.create_table('consultation_equalities_answer',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('response_id', sa.Integer(), nullable=False),
    sa.Column('age_band', sa.String(length=40), nullable=False),
    sa.Column('sex', sa.String(length=40), nullable=False),
    sa.Column('disability', sa.String(length=40), nullable=False),
    sa.Column('ethnicity', sa.String(length=80), nullable=False),
    sa.Column('ward', sa.String(length=80), nullable=False),
    sa.ForeignKeyConstraint(['response_id'], ['consultation_response.id'], name=op.f('fk_consultation_equalities_answer_response_id_consultation_response'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_consultation_equalities_answer')),
    sa.UniqueConstraint('response_id', name=op.f('uq_consultation_equalities_answer_response_id'))
    )


def downgrade() -> None:
    op.drop_table('consultation_equalities_answer')
    with op.batch_alter_table('consultation_answer', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_consultation_answer_response_id'))
        batch_op.drop_index('ix_consultation_answer_question_response')
        batch_op.drop_index('ix_consultation_answer_question_option')

    op.drop_table('consultation_answer')
    with op.batch_alter_table('consultation_response', schema=None) as batch_op:
        batch_op.drop_index('ix_consultation_response_consultation_type')
        batch_op.drop_index('ix_consultation_response_consultation_submitted')

    op.drop_table('consultation_response')
    with op.batch_alter_table('consultation_question', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_consultation_question_questionnaire_id'))
        batch_op.drop_index(batch_op.f('ix_consultation_question_consultation_id'))

    op.drop_table('consultation_question')
    with op.batch_alter_table('consultation_draft', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_consultation_draft_consultation_id'))

    op.drop_table('consultation_draft')
    op.drop_table('consultation_tally_mark')
    with op.batch_alter_table('consultation_tally', schema=None) as batch_op:
        batch_op.drop_index('uq_consultation_tally_key')

    op.drop_table('consultation_tally')
    with op.batch_alter_table('consultation_questionnaire', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_consultation_questionnaire_consultation_id'))

    op.drop_table('consultation_questionnaire')
    with op.batch_alter_table('consultation_invitation', schema=None) as batch_op:
        batch_op.drop_index('ix_consultation_invitation_consultation_email')

    op.drop_table('consultation_invitation')
    with op.batch_alter_table('consultation_document', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_consultation_document_consultation_id'))

    op.drop_table('consultation_document')
    with op.batch_alter_table('consultation', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_consultation_state'))
        batch_op.drop_index(batch_op.f('ix_consultation_review_id'))

    op.drop_table('consultation')
    op.drop_table('api_token')
