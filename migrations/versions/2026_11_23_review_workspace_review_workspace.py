"""review workspace

Revision ID: review_workspace
Revises: consultations
Create Date: 2026-11-23 13:48:55.401450
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import app.models.base

revision: str = 'review_workspace'
down_revision: str | Sequence[str] | None = 'consultations'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('finding',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('review_id', sa.Integer(), nullable=False),
    sa.Column('stage', sa.Enum('challenge', 'compare', 'consult', 'compete', name='reviewstage', native_enum=False, length=40), nullable=False),
    sa.Column('statement', sa.Text(), nullable=False),
    sa.Column('status', sa.Enum('draft', 'published', name='findingstatus', native_enum=False, length=40), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('published_at', app.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('published_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', app.models.base.UTCDateTime(timezone=True), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.ForeignKeyConstraint(['created_by_id'], ['user_account.id'], name=op.f('fk_finding_created_by_id_user_account'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['published_by_id'], ['user_account.id'], name=op.f('fk_finding_published_by_id_user_account'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['review_id'], ['review.id'], name=op.f('fk_finding_review_id_review'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_finding'))
    )
    with op.batch_alter_table('finding', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_finding_review_id'), ['review_id'], unique=False)

    op.create_table('review_team_member',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('review_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('role', sa.Enum('lead', 'member', name='teamrole', native_enum=False, length=40), nullable=False),
    sa.Column('created_at', app.models.base.UTCDateTime(timezone=True), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.ForeignKeyConstraint(['review_id'], ['review.id'], name=op.f('fk_review_team_member_review_id_review'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_review_team_member_user_id_user_account'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_review_team_member')),
    sa.UniqueConstraint('review_id', 'user_id', name=op.f('uq_review_team_member_review_id_user_id'))
    )
    with op.batch_alter_table('review_team_member', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_review_team_member_review_id'), ['review_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_review_team_member_user_id'), ['user_id'], unique=False)

    op.create_table('consultation_decision',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('consultation_id', sa.Integer(), nullable=False),
    sa.Column('decision', sa.Text(), nullable=False),
    sa.Column('what_happened', sa.Text(), nullable=False),
    sa.Column('finding_ids', sa.JSON(), nullable=False),
    sa.Column('updated_at', app.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('notified_at', app.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('created_at', app.models.base.UTCDateTime(timezone=True), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.ForeignKeyConstraint(['consultation_id'], ['consultation.id'], name=op.f('fk_consultation_decision_consultation_id_consultation'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_consultation_decision')),
    sa.UniqueConstraint('consultation_id', name=op.f('uq_consultation_decision_consultation_id'))
    )
    op.create_table('finding_comment',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('finding_id', sa.Integer(), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=True),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('created_at', app.models.base.UTCDateTime(timezone=True), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.ForeignKeyConstraint(['author_id'], ['user_account.id'], name=op.f('fk_finding_comment_author_id_user_account'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['finding_id'], ['finding.id'], name=op.f('fk_finding_comment_finding_id_finding'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_finding_comment'))
    )
    with op.batch_alter_table('finding_comment', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_finding_comment_finding_id'), ['finding_id'], unique=False)

    op.create_table('finding_evidence',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('finding_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('theme', 'question', 'petition', 'forum_thread', 'meeting', 'submission', name='evidencekind', native_enum=False, length=40), nullable=False),
    sa.Column('object_id', sa.Integer(), nullable=False),
    sa.Column('snapshot', sa.JSON(), nullable=False),
    sa.Column('created_at', app.models.base.UTCDateTime(timezone=True), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.ForeignKeyConstraint(['finding_id'], ['finding.id'], name=op.f('fk_finding_evidence_finding_id_finding'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_finding_evidence'))
    )
    with op.batch_alter_table('finding_evidence', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_finding_evidence_finding_id'), ['finding_id'], unique=False)

    op.create_table('results_subscriber',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('consultation_id', sa.Integer(), nullable=False),
    sa.Column('email', sa.String(length=320), nullable=False),
    sa.Column('notified_at', app.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('created_at', app.models.base.UTCDateTime(timezone=True), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.ForeignKeyConstraint(['consultation_id'], ['consultation.id'], name=op.f('fk_results_subscriber_consultation_id_consultation'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_results_subscriber')),
    sa.UniqueConstraint('consultation_id', 'email', name=op.f('uq_results_subscriber_consultation_id_email'))
    )
    op.create_table('analysis_run',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('question_id', sa.Integer(), nullable=False),
    sa.Column('mode', sa.Enum('full', 'incremental', name='runmode', native_enum=False, length=40), nullable=False),
    sa.Column('status', sa.Enum('queued', 'running', 'succeeded', 'failed', name='runstatus', native_enum=False, length=40), nullable=False),
    sa.Column('stage', sa.String(length=40), nullable=False),
    sa.Column('progress_done', sa.Integer(), nullable=False),
    sa.Column('progress_total', sa.Integer(), nullable=False),
    sa.Column('model_name', sa.String(length=80), nullable=False),
    sa.Column('seed', sa.Integer(), nullable=False),
    sa.Column('parameters', sa.JSON(), nullable=False),
    sa.Column('summary', sa.JSON(), nullable=False),
    sa.Column('error', sa.Text(), nullable=False),
    sa.Column('started_at', app.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('heartbeat_at', app.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('finished_at', app.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', app.models.base.UTCDateTime(timezone=True), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.ForeignKeyConstraint(['created_by_id'], ['user_account.id'], name=op.f('fk_analysis_run_created_by_id_user_account'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['question_id'], ['consultation_question.id'], name=op.f('fk_analysis_run_question_id_consultation_question'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_analysis_run'))
    )
    with op.batch_alter_table('analysis_run', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_analysis_run_question_id'), ['question_id'], unique=False)

    op.create_table('theme',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('question_id', sa.Integer(), nullable=False),
    sa.Column('run_id', sa.Integer(), nullable=True),
    sa.Column('parent_id', sa.Integer(), nullable=True),
    sa.Column('merged_into_id', sa.Integer(), nullable=True),
    sa.Column('label', sa.String(length=200), nullable=False),
    sa.Column('label_by_people', sa.Boolean(), nullable=False),
    sa.Column('keywords', sa.JSON(), nullable=False),
    sa.Column('status', sa.Enum('proposed', 'approved', 'merged', name='themestatus', native_enum=False, length=40), nullable=False),
    sa.Column('reviewed_at', app.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('reviewed_by_id', sa.Integer(), nullable=True),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('quotes', sa.JSON(), nullable=False),
    sa.Column('centroid', sa.JSON(), nullable=False),
    sa.Column('fit_threshold', sa.Float(), nullable=False),
    sa.Column('groups', sa.JSON(), nullable=False),
    sa.Column('stance_counts', sa.JSON(), nullable=False),
    sa.Column('created_at', app.models.base.UTCDateTime(timezone=True), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.ForeignKeyConstraint(['merged_into_id'], ['theme.id'], name=op.f('fk_theme_merged_into_id_theme'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['parent_id'], ['theme.id'], name=op.f('fk_theme_parent_id_theme'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['question_id'], ['consultation_question.id'], name=op.f('fk_theme_question_id_consultation_question'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['reviewed_by_id'], ['user_account.id'], name=op.f('fk_theme_reviewed_by_id_user_account'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['run_id'], ['analysis_run.id'], name=op.f('fk_theme_run_id_analysis_run'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_theme'))
    )
    with op.batch_alter_table('theme', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_theme_question_id'), ['question_id'], unique=False)

    op.create_table('theme_assignment',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('question_id', sa.Integer(), nullable=False),
    sa.Column('answer_id', sa.Integer(), nullable=False),
    sa.Column('theme_id', sa.Integer(), nullable=True),
    sa.Column('bucket', sa.Enum('theme', 'other', 'no_comment', 'campaign', name='bucket', native_enum=False, length=40), nullable=False),
    sa.Column('campaign_key', sa.String(length=40), nullable=False),
    sa.Column('run_id', sa.Integer(), nullable=True),
    sa.Column('assigned_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['answer_id'], ['consultation_answer.id'], name=op.f('fk_theme_assignment_answer_id_consultation_answer'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['assigned_by_id'], ['user_account.id'], name=op.f('fk_theme_assignment_assigned_by_id_user_account'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['question_id'], ['consultation_question.id'], name=op.f('fk_theme_assignment_question_id_consultation_question'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['run_id'], ['analysis_run.id'], name=op.f('fk_theme_assignment_run_id_analysis_run'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['theme_id'], ['theme.id'], name=op.f('fk_theme_assignment_theme_id_theme'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_theme_assignment')),
    sa.UniqueConstraint('answer_id', name=op.f('uq_theme_assignment_answer_id'))
    )
    with op.batch_alter_table('theme_assignment', schema=None) as batch_op:
        batch_op.create_index('ix_theme_assignment_question_bucket', ['question_id', 'bucket'], unique=False)
        batch_op.create_index('ix_theme_assignment_question_theme', ['question_id', 'theme_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('theme_assignment', schema=None) as batch_op:
        batch_op.drop_index('ix_theme_assignment_question_theme')
        batch_op.drop_index('ix_theme_assignment_question_bucket')

    op.drop_table('theme_assignment')
    with op.batch_alter_table('theme', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_theme_question_id'))

    op.drop_table('theme')
    with op.batch_alter_table('analysis_run', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_analysis_run_question_id'))

    op.drop_table('analysis_run')
    op.drop_table('results_subscriber')
    with op.batch_alter_table('finding_evidence', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_finding_evidence_finding_id'))

    op.drop_table('finding_evidence')
    with op.batch_alter_table('finding_comment', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_finding_comment_finding_id'))

    op.drop_table('finding_comment')
    op.drop_table('consultation_decision')
    with op.batch_alter_table('review_team_member', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_review_team_member_user_id'))
        batch_op.drop_index(batch_op.f('ix_review_team_member_review_id'))

    op.drop_table('review_team_member')
    with op.batch_alter_table('finding', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_finding_review_id'))

    op.drop_table('finding')
