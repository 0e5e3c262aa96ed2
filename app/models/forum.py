"""Stakeholder forums: forums on a review, threads, posts (with revisions), reports, follows,
meetings, and organisations' formal submissions.

Anonymous posts (staff-only forums) store NO author id and nothing that leads to one: their
`author_key` is keyed with a daily secret that is never stored (app/anonymity.py, decision 0080),
and different for every post. Every post is addressed in URLs by a random `public_id`; the
sequential `id` stays internal.
"""

import enum
import secrets
from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Index, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.i18n import N_, _
from app.models.base import Base, CreatedAtMixin, str_enum
from app.models.organisation import Organisation
from app.models.review import Review
from app.models.user import User


class ForumVisibility(enum.StrEnum):
    PUBLIC = "public"
    MEMBERS_ONLY = "members_only"
    STAFF_ONLY = "staff_only"

    @property
    def label(self) -> str:
        label = {
            "public": N_("Public: anyone can read"),
            "members_only": N_("Members only: named organisations and council officers"),
            "staff_only": N_("Staff only: council employees post anonymously to the review team"),
        }[self.value]
        return _(label)

    @property
    def is_staff_only(self) -> bool:
        return self == ForumVisibility.STAFF_ONLY


class ModerationMode(enum.StrEnum):
    POST = "post"  # published at once, moderated afterwards
    PRE = "pre"  # held until a moderator approves


class PostStatus(enum.StrEnum):
    PUBLISHED = "published"
    PENDING = "pending"
    HIDDEN = "hidden"
    REJECTED = "rejected"


class Forum(CreatedAtMixin, Base):
    __tablename__ = "forum"

    id: Mapped[int] = mapped_column(primary_key=True)
    # None: a stand-alone forum, not part of any review (councils consult on many things).
    review_id: Mapped[int | None] = mapped_column(ForeignKey("review.id", ondelete="CASCADE"), index=True)
    consultation_id: Mapped[int | None] = mapped_column(
        ForeignKey("consultation.id", ondelete="SET NULL"), index=True
    )
    organisation_id: Mapped[int | None] = mapped_column(
        ForeignKey("organisation.id", ondelete="RESTRICT"), index=True
    )
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    prompt: Mapped[str] = mapped_column(Text, default="")
    visibility: Mapped[ForumVisibility] = mapped_column(str_enum(ForumVisibility))
    moderation: Mapped[ModerationMode] = mapped_column(
        str_enum(ModerationMode), default=ModerationMode.POST
    )
    is_open: Mapped[bool] = mapped_column(default=True)

    review: Mapped[Review | None] = relationship(lazy="raise")
    organisation: Mapped[Organisation | None] = relationship(lazy="raise")
    member_links: Mapped[list["ForumOrganisation"]] = relationship(lazy="raise", viewonly=True)

    @property
    def is_anonymous(self) -> bool:
        return self.visibility == ForumVisibility.STAFF_ONLY

    @property
    def is_public(self) -> bool:
        return self.visibility == ForumVisibility.PUBLIC

    @property
    def is_premoderated(self) -> bool:
        return self.moderation == ModerationMode.PRE


class ForumOrganisation(Base):
    """An organisation whose members may read and post in a members-only or staff-only forum."""

    __tablename__ = "forum_organisation"

    forum_id: Mapped[int] = mapped_column(ForeignKey("forum.id", ondelete="CASCADE"), primary_key=True)
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisation.id", ondelete="CASCADE"), primary_key=True, index=True
    )

    organisation: Mapped[Organisation] = relationship(lazy="raise")


class Thread(CreatedAtMixin, Base):
    __tablename__ = "forum_thread"

    id: Mapped[int] = mapped_column(primary_key=True)
    forum_id: Mapped[int] = mapped_column(ForeignKey("forum.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    is_locked: Mapped[bool] = mapped_column(default=False)
    is_pinned: Mapped[bool] = mapped_column(default=False)

    forum: Mapped[Forum] = relationship(lazy="raise")


def new_public_id() -> str:
    """12 random characters, the first a letter (so never mistaken for a numeric id): ~61 bits."""
    letters, digits = "abcdefghijklmnopqrstuvwxyz", "0123456789"
    return secrets.choice(letters) + "".join(secrets.choice(letters + digits) for _ in range(11))


class Post(CreatedAtMixin, Base):
    __tablename__ = "forum_post"
    __table_args__ = (Index("ix_forum_post_thread_status_id", "thread_id", "status", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    public_id: Mapped[str] = mapped_column(String(16), unique=True, index=True, default=new_public_id)
    thread_id: Mapped[int] = mapped_column(ForeignKey("forum_thread.id", ondelete="CASCADE"))
    forum_id: Mapped[int] = mapped_column(ForeignKey("forum.id", ondelete="CASCADE"), index=True)
    is_opening: Mapped[bool] = mapped_column(default=False)
    author_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL"), index=True
    )
    author_key: Mapped[str] = mapped_column(String(64), index=True)
    body_html: Mapped[str] = mapped_column(Text)
    body_text: Mapped[str] = mapped_column(Text)
    status: Mapped[PostStatus] = mapped_column(str_enum(PostStatus), default=PostStatus.PUBLISHED)
    hidden_reason: Mapped[str] = mapped_column(String(500), default="")
    edited_at: Mapped[datetime | None]

    author: Mapped[User | None] = relationship(lazy="raise")
    thread: Mapped[Thread] = relationship(lazy="raise")

    @property
    def is_published(self) -> bool:
        return self.status == PostStatus.PUBLISHED

    @property
    def is_pending(self) -> bool:
        return self.status == PostStatus.PENDING

    @property
    def is_hidden(self) -> bool:
        return self.status == PostStatus.HIDDEN


class PostRevision(CreatedAtMixin, Base):
    """The text of a post before an edit (the current text is on the post)."""

    __tablename__ = "forum_post_revision"

    id: Mapped[int] = mapped_column(primary_key=True)
    post_id: Mapped[int] = mapped_column(ForeignKey("forum_post.id", ondelete="CASCADE"), index=True)
    body_html: Mapped[str] = mapped_column(Text)
    body_text: Mapped[str] = mapped_column(Text)


class PostReport(CreatedAtMixin, Base):
    __tablename__ = "forum_post_report"

    id: Mapped[int] = mapped_column(primary_key=True)
    post_id: Mapped[int] = mapped_column(ForeignKey("forum_post.id", ondelete="CASCADE"), index=True)
    reporter_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    reason: Mapped[str] = mapped_column(String(1000))
    resolved_at: Mapped[datetime | None]

    post: Mapped[Post] = relationship(lazy="raise")


class ForumBan(CreatedAtMixin, Base):
    """A poster barred from one forum, by author key: works for anonymous posters too."""

    __tablename__ = "forum_ban"
    __table_args__ = (UniqueConstraint("forum_id", "author_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    forum_id: Mapped[int] = mapped_column(ForeignKey("forum.id", ondelete="CASCADE"))
    author_key: Mapped[str] = mapped_column(String(64))
    reason: Mapped[str] = mapped_column(String(500))


class ThreadFollow(CreatedAtMixin, Base):
    __tablename__ = "forum_thread_follow"
    __table_args__ = (UniqueConstraint("thread_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    thread_id: Mapped[int] = mapped_column(ForeignKey("forum_thread.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    # Digest high-water mark: posts with a greater id are news for this follower.
    last_seen_post_id: Mapped[int] = mapped_column(default=0)

    user: Mapped[User] = relationship(lazy="raise")
    thread: Mapped[Thread] = relationship(lazy="raise")


class Meeting(CreatedAtMixin, Base):
    """A meeting held by a forum; the organiser's notes are evidence like posts."""

    __tablename__ = "forum_meeting"

    id: Mapped[int] = mapped_column(primary_key=True)
    forum_id: Mapped[int] = mapped_column(ForeignKey("forum.id", ondelete="CASCADE"), index=True)
    held_on: Mapped[date] = mapped_column(Date)
    title: Mapped[str] = mapped_column(String(200))
    notes: Mapped[str] = mapped_column(Text)
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))

    attendances: Mapped[list["MeetingAttendance"]] = relationship(lazy="raise", viewonly=True)
    forum: Mapped[Forum] = relationship(lazy="raise")


class MeetingAttendance(Base):
    __tablename__ = "forum_meeting_attendance"

    meeting_id: Mapped[int] = mapped_column(
        ForeignKey("forum_meeting.id", ondelete="CASCADE"), primary_key=True
    )
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisation.id", ondelete="CASCADE"), primary_key=True
    )

    organisation: Mapped[Organisation] = relationship(lazy="raise")


class SubmissionStatus(enum.StrEnum):
    DRAFT = "draft"
    SIGNED_OFF = "signed_off"


class Submission(CreatedAtMixin, Base):
    """An organisation's formal response to a review, on its own behalf."""

    __tablename__ = "organisation_submission"

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisation.id", ondelete="CASCADE"), index=True
    )
    review_id: Mapped[int] = mapped_column(ForeignKey("review.id", ondelete="CASCADE"), index=True)
    consultation_id: Mapped[int | None] = mapped_column(
        ForeignKey("consultation.id", ondelete="SET NULL"), index=True
    )
    title: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    status: Mapped[SubmissionStatus] = mapped_column(
        str_enum(SubmissionStatus), default=SubmissionStatus.DRAFT
    )
    drafted_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    signed_off_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    signed_off_at: Mapped[datetime | None]

    organisation: Mapped[Organisation] = relationship(lazy="raise")
    review: Mapped[Review] = relationship(lazy="raise")
    drafted_by: Mapped[User | None] = relationship(lazy="raise", foreign_keys=[drafted_by_id])
    signed_off_by: Mapped[User | None] = relationship(lazy="raise", foreign_keys=[signed_off_by_id])
    attachments: Mapped[list["SubmissionAttachment"]] = relationship(lazy="raise", viewonly=True)

    @property
    def is_signed_off(self) -> bool:
        return self.status == SubmissionStatus.SIGNED_OFF


class SubmissionAttachment(CreatedAtMixin, Base):
    """A PDF kept in the database, in the same transaction as its submission."""

    __tablename__ = "organisation_submission_attachment"

    id: Mapped[int] = mapped_column(primary_key=True)
    submission_id: Mapped[int] = mapped_column(
        ForeignKey("organisation_submission.id", ondelete="CASCADE"), index=True
    )
    filename: Mapped[str] = mapped_column(String(200))
    content_type: Mapped[str] = mapped_column(String(100))
    size_bytes: Mapped[int]
    sha256: Mapped[str] = mapped_column(String(64))
    content: Mapped[bytes] = mapped_column(LargeBinary)
