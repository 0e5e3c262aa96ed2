"""stakeholder forums, meetings and organisation submissions

Role gains "member" (stored as a string without a constraint: no DDL needed).

Revision ID: forums
Revises: foundation
Create Date: 2026-11-23 13:40:28.296953
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import app.models.base

revision: str = 'forums'
down_revision: str | Sequence[str] | None = 'foundation'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('forum',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('review_id', sa.Integer(), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=True),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('prompt', sa.Text(), nullable=False),
    sa.Column('visibility', sa.Enum('public', 'members_only', 'staff_only', name='forumvisibility', native_enum=False, length=40), nullable=False),
    sa.Column('moderation', sa.Enum('post', 'pre', name='moderationmode', native_enum=False, length=40), nullable=False),
    sa.Column('is_open', sa.Boolean(), nullable=False),
    sa.Column('created_at', app.models.base.UTCDateTime(timezone=True), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisation.id'], name=op.f('fk_forum_organisation_id_organisation'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['review_id'], ['review.id'], name=op.f('fk_forum_review_id_review'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_forum'))
    )
    with op.batch_alter_table('forum', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_forum_organisation_id'), ['organisation_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_forum_review_id'), ['review_id'], unique=False)

    op.create_table('forum_ban',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('forum_id', sa.Integer(), nullable=False),
    sa.Column('author_key', sa.String(length=64), nullable=False),
    sa.Column('reason', sa.String(length=500), nullable=False),
    sa.Column('created_at', app.models.base.UTCDateTime(timezone=True), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.ForeignKeyConstraint(['forum_id'], ['forum.id'], name=op.f('fk_forum_ban_forum_id_forum'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_forum_ban')),
    sa.UniqueConstraint('forum_id', 'author_key', name=op.f('uq_forum_ban_forum_id_author_key'))
    )
    op.create_table('forum_meeting',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('forum_id', sa.Integer(), nullable=False),
    sa.Column('held_on', sa.Date(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('notes', sa.Text(), nullable=False),
    sa.Column('recorded_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', app.models.base.UTCDateTime(timezone=True), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.ForeignKeyConstraint(['forum_id'], ['forum.id'], name=op.f('fk_forum_meeting_forum_id_forum'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['user_account.id'], name=op.f('fk_forum_meeting_recorded_by_id_user_account'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_forum_meeting'))
    )
    with op.batch_alter_table('forum_meeting', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_forum_meeting_forum_id'), ['forum_id'], unique=False)

    op.create_table('forum_organisation',
    sa.Column('forum_id', sa.Integer(), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['forum_id'], ['forum.id'], name=op.f('fk_forum_organisation_forum_id_forum'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisation.id'], name=op.f('fk_forum_organisation_organisation_id_organisation'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('forum_id', 'organisation_id', name=op.f('pk_forum_organisation'))
    )
    with op.batch_alter_table('forum_organisation', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_forum_organisation_organisation_id'), ['organisation_id'], unique=False)

    op.create_table('forum_thread',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('forum_id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('is_locked', sa.Boolean(), nullable=False),
    sa.Column('is_pinned', sa.Boolean(), nullable=False),
    sa.Column('created_at', app.models.base.UTCDateTime(timezone=True), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.ForeignKeyConstraint(['forum_id'], ['forum.id'], name=op.f('fk_forum_thread_forum_id_forum'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_forum_thread'))
    )
    with op.batch_alter_table('forum_thread', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_forum_thread_forum_id'), ['forum_id'], unique=False)

    op.create_table('organisation_submission',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('review_id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('status', sa.Enum('draft', 'signed_off', name='submissionstatus', native_enum=False, length=40), nullable=False),
    sa.Column('drafted_by_id', sa.Integer(), nullable=True),
    sa.Column('signed_off_by_id', sa.Integer(), nullable=True),
    sa.Column('signed_off_at', app.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('created_at', app.models.base.UTCDateTime(timezone=True), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.ForeignKeyConstraint(['drafted_by_id'], ['user_account.id'], name=op.f('fk_organisation_submission_drafted_by_id_user_account'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisation.id'], name=op.f('fk_organisation_submission_organisation_id_organisation'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['review_id'], ['review.id'], name=op.f('fk_organisation_submission_review_id_review'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['signed_off_by_id'], ['user_account.id'], name=op.f('fk_organisation_submission_signed_off_by_id_user_account'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_organisation_submission'))
    )
    with op.batch_alter_table('organisation_submission', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_organisation_submission_organisation_id'), ['organisation_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_organisation_submission_review_id'), ['review_id'], unique=False)

    op.create_table('forum_meeting_attendance',
    sa.Column('meeting_id', sa.Integer(), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['meeting_id'], ['forum_meeting.id'], name=op.f('fk_forum_meeting_attendance_meeting_id_forum_meeting'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisation.id'], name=op.f('fk_forum_meeting_attendance_organisation_id_organisation'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('meeting_id', 'organisation_id', name=op.f('pk_forum_meeting_attendance'))
    )
    op.create_table('forum_post',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('thread_id', sa.Integer(), nullable=False),
    sa.Column('forum_id', sa.Integer(), nullable=False),
    sa.Column('is_opening', sa.Boolean(), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=True),
    sa.Column('author_key', sa.String(length=64), nullable=False),
    sa.Column('body_html', sa.Text(), nullable=False),
    sa.Column('body_text', sa.Text(), nullable=False),
    sa.Column('status', sa.Enum('published', 'pending', 'hidden', 'rejected', name='poststatus', native_enum=False, length=40), nullable=False),
    sa.Column('hidden_reason', sa.String(length=500), nullable=False),
    sa.Column('edited_at', app.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('created_at', app.models.base.UTCDateTime(timezone=True), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.ForeignKeyConstraint(['author_id'], ['user_account.id'], name=op.f('fk_forum_post_author_id_user_account'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['forum_id'], ['forum.id'], name=op.f('fk_forum_post_forum_id_forum'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['thread_id'], ['forum_thread.id'], name=op.f('fk_forum_post_thread_id_forum_thread'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_forum_post'))
    )
    with op.batch_alter_table('forum_post', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_forum_post_author_id'), ['author_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_forum_post_author_key'), ['author_key'], unique=False)
        batch_op.create_index(batch_op.f('ix_forum_post_forum_id'), ['forum_id'], unique=False)
        batch_op.create_index('ix_forum_post_thread_status_id', ['thread_id', 'status', 'id'], unique=False)

    op.create_table('forum_thread_follow',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('thread_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('last_seen_post_id', sa.Integer(), nullable=False),
    sa.Column('created_at', app.models.base.UTCDateTime(timezone=True), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.ForeignKeyConstraint(['thread_id'], ['forum_thread.id'], name=op.f('fk_forum_thread_follow_thread_id_forum_thread'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_forum_thread_follow_user_id_user_account'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_forum_thread_follow')),
    sa.UniqueConstraint('thread_id', 'user_id', name=op.f('uq_forum_thread_follow_thread_id_user_id'))
    )
    with op.batch_alter_table('forum_thread_follow', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_forum_thread_follow_user_id'), ['user_id'], unique=False)

    op.create_table('organisation_submission_attachment',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('submission_id', sa.Integer(), nullable=False),
    sa.Column('filename', sa.String(length=200), nullable=False),
    sa.Column('content_type', sa.String(length=100), nullable=False),
    sa.Column('size_bytes', sa.Integer(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('content', sa.LargeBinary(), nullable=False),
    sa.Column('created_at', app.models.base.UTCDateTime(timezone=True), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.ForeignKeyConstraint(['submission_id'], ['organisation_submission.id'], name=op.f('fk_organisation_submission_attachment_submission_id_organisation_submission'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_organisation_submission_attachment'))
    )
    with op.batch_alter_table('organisation_submission_attachment', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_organisation_submission_attachment_submission_id'), ['submission_id'], unique=False)

    op.create_table('forum_post_report',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('post_id', sa.Integer(), nullable=False),
    sa.Column('reporter_id', sa.Integer(), nullable=True),
    sa.Column('reason', sa.String(length=1000), nullable=False),
    sa.Column('resolved_at', app.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('created_at', app.models.base.UTCDateTime(timezone=True), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.ForeignKeyConstraint(['post_id'], ['forum_post.id'], name=op.f('fk_forum_post_report_post_id_forum_post'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['reporter_id'], ['user_account.id'], name=op.f('fk_forum_post_report_reporter_id_user_account'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_forum_post_report'))
    )
    with op.batch_alter_table('forum_post_report', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_forum_post_report_post_id'), ['post_id'], unique=False)

    op.create_table('forum_post_revision',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('post_id', sa.Integer(), nullable=False),
    sa.Column('body_html', sa.Text(), nullable=False),
    sa.Column('body_text', sa.Text(), nullable=False),
    sa.Column('created_at', app.models.base.UTCDateTime(timezone=True), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.ForeignKeyConstraint(['post_id'], ['forum_post.id'], name=op.f('fk_forum_post_revision_post_id_forum_post'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_forum_post_revision'))
    )
    with op.batch_alter_table('forum_post_revision', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_forum_post_revision_post_id'), ['post_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('forum_post_revision', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_forum_post_revision_post_id'))

    op.drop_table('forum_post_revision')
    with op.batch_alter_table('forum_post_report', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_forum_post_report_post_id'))

    op.drop_table('forum_post_report')
    with op.batch_alter_table('organisation_submission_attachment', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_organisation_submission_attachment_submission_id'))

    op.drop_table('organisation_submission_attachment')
    with op.batch_alter_table('forum_thread_follow', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_forum_thread_follow_user_id'))

    op.drop_table('forum_thread_follow')
    with op.batch_alter_table('forum_post', schema=None) as batch_op:
        batch_op.drop_index('ix_forum_post_thread_status_id')
        batch_op.drop_index(batch_op.f('ix_forum_post_forum_id'))
        batch_op.drop_index(batch_op.f('ix_forum_post_author_key'))
        batch_op.drop_index(batch_op.f('ix_forum_post_author_id'))

    op.drop_table('forum_post')
    op.drop_table('forum_meeting_attendance')
    with op.batch_alter_table('organisation_submission', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_organisation_submission_review_id'))
        batch_op.drop_index(batch_op.f('ix_organisation_submission_organisation_id'))

    op.drop_table('organisation_submission')
    with op.batch_alter_table('forum_thread', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_forum_thread_forum_id'))

    op.drop_table('forum_thread')
    with op.batch_alter_table('forum_organisation', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_forum_organisation_organisation_id'))

    op.drop_table('forum_organisation')
    with op.batch_alter_table('forum_meeting', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_forum_meeting_forum_id'))

    op.drop_table('forum_meeting')
    op.drop_table('forum_ban')
    with op.batch_alter_table('forum', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_forum_review_id'))
        batch_op.drop_index(batch_op.f('ix_forum_organisation_id'))

    op.drop_table('forum')
