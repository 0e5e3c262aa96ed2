"""Reports, and moderators' decisions (approve, hide, restore, lock, bar a poster), each audited.

A post hidden or rejected after analysis leaves the themes and quotes at once (forget_evidence).
Moderators are the officers and the organisers of the organisation that runs the forum. Audit
events name the moderator and the post, never the author of an anonymous post.
"""

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from app.errors import InvalidInput, NotFound
from app.i18n import N_, _
from app.models.base import utcnow
from app.models.forum import Forum, ForumBan, Post, PostReport, PostStatus, Thread
from app.models.user import User
from app.services import audit
from app.services.forums.visibility import can_moderate, visible_forum_ids
from app.services.themes.results import forget_evidence

MAX_REASON = 500


def _reason(reason: str, field: str = "reason") -> str:
    reason = reason.strip()
    if not reason:
        raise InvalidInput({field: _("Enter the reason")})
    if len(reason) > MAX_REASON:
        raise InvalidInput({field: _("Reason must be {limit} characters or fewer").format(limit=MAX_REASON)})
    return reason


def _require_moderator(moderator: User, forum: Forum) -> None:
    if not can_moderate(moderator, forum):
        raise NotFound()


def report(db: Session, reporter: User | None, post: Post, *, reason: str) -> PostReport:
    """Anyone who can read a post can report it (reading is checked by the caller's get_forum)."""
    if not post.is_published:
        raise NotFound()
    reason = reason.strip()
    if not reason:
        raise InvalidInput({"reason": _("Tell us what is wrong with this post")})
    created = PostReport(post_id=post.id, reporter_id=reporter.id if reporter else None,
                         reason=reason[:1000])
    db.add(created)
    db.flush()
    return created


def _resolve_reports(db: Session, post: Post) -> None:
    for open_report in db.scalars(select(PostReport).where(PostReport.post_id == post.id,
                                                            PostReport.resolved_at.is_(None))):
        open_report.resolved_at = utcnow()


def _record(db: Session, moderator: User, action: str, post: Post, **detail) -> None:
    audit.record(db, actor_id=moderator.id, action=f"forum_post.{action}", object_type="forum_post",
                 object_id=post.id, forum_id=post.forum_id, **detail)


def hide(db: Session, moderator: User, forum: Forum, post: Post, *, reason: str) -> None:
    _require_moderator(moderator, forum)
    reason = _reason(reason)
    post.status = PostStatus.HIDDEN
    post.hidden_reason = reason
    _resolve_reports(db, post)
    forget_evidence(db, "post", post.id)
    _record(db, moderator, "hide", post, reason=reason)


def restore(db: Session, moderator: User, forum: Forum, post: Post) -> None:
    _require_moderator(moderator, forum)
    if post.status not in (PostStatus.HIDDEN, PostStatus.REJECTED):
        return
    post.status = PostStatus.PUBLISHED
    post.hidden_reason = ""
    _record(db, moderator, "restore", post)


def approve(db: Session, moderator: User, forum: Forum, post: Post) -> None:
    _require_moderator(moderator, forum)
    if not post.is_pending:
        return
    post.status = PostStatus.PUBLISHED
    _record(db, moderator, "approve", post)


def reject(db: Session, moderator: User, forum: Forum, post: Post, *, reason: str) -> None:
    _require_moderator(moderator, forum)
    reason = _reason(reason)
    post.status = PostStatus.REJECTED
    post.hidden_reason = reason
    forget_evidence(db, "post", post.id)
    _record(db, moderator, "reject", post, reason=reason)


def dismiss_reports(db: Session, moderator: User, forum: Forum, post: Post) -> None:
    _require_moderator(moderator, forum)
    _resolve_reports(db, post)
    _record(db, moderator, "dismiss_reports", post)


def set_locked(db: Session, moderator: User, forum: Forum, thread: Thread, *, locked: bool) -> None:
    _require_moderator(moderator, forum)
    thread.is_locked = locked
    audit.record(db, actor_id=moderator.id, action="forum_thread.lock" if locked else "forum_thread.unlock",
                 object_type="forum_thread", object_id=thread.id, forum_id=forum.id)


def set_pinned(db: Session, moderator: User, forum: Forum, thread: Thread, *, pinned: bool) -> None:
    """A pinned thread stays at the top of its forum's list."""
    _require_moderator(moderator, forum)
    thread.is_pinned = pinned
    audit.record(db, actor_id=moderator.id, action="forum_thread.pin" if pinned else "forum_thread.unpin",
                 object_type="forum_thread", object_id=thread.id, forum_id=forum.id)


BAR_LAPSED = N_("This post was written before today's anonymity key was made, so nobody can now be "
                "stopped as its author. Hide the post instead.")


def bar_poster(db: Session, moderator: User, forum: Forum, post: Post, *, reason: str) -> None:
    """Stop the author of `post` posting in this forum, by the post's author key: works for anonymous
    posts without anyone learning who wrote them. In an anonymous forum the bar lasts until the
    daily secret rotates (at most a day): a longer one would need a stable identity (decision 0080)."""
    _require_moderator(moderator, forum)
    reason = _reason(reason)
    if forum.is_anonymous and post.created_at.date() != utcnow().date():
        raise InvalidInput({"reason": _(BAR_LAPSED)})
    exists_already = db.scalar(select(ForumBan.id).where(ForumBan.forum_id == forum.id,
                                                         ForumBan.author_key == post.author_key))
    if not exists_already:
        db.add(ForumBan(forum_id=forum.id, author_key=post.author_key, reason=reason))
    _record(db, moderator, "bar_poster", post, reason=reason)


@dataclass(frozen=True)
class QueueItem:
    post: Post
    forum: Forum
    thread: Thread
    reports: list[PostReport]


def moderation_queue(db: Session, moderator: User) -> list[QueueItem]:
    """Pending posts and posts with open reports, in the forums this person moderates."""
    forums = {f.id: f for f in db.scalars(select(Forum).where(Forum.id.in_(visible_forum_ids(moderator))))
              if can_moderate(moderator, f)}
    if not forums:
        return []
    reports = list(db.scalars(select(PostReport).where(PostReport.resolved_at.is_(None))
                              .join(Post, Post.id == PostReport.post_id)
                              .where(Post.forum_id.in_(forums)).order_by(PostReport.id)))
    reported_ids = {r.post_id for r in reports}
    posts = db.scalars(
        select(Post).options(joinedload(Post.thread))
        .where(Post.forum_id.in_(forums))
        .where((Post.status == PostStatus.PENDING) | Post.id.in_(reported_ids or {0}))
        .order_by(Post.id)
    ).all()
    return [QueueItem(post, forums[post.forum_id], post.thread,
                      [r for r in reports if r.post_id == post.id]) for post in posts]


def open_reports(db: Session, post: Post) -> list[PostReport]:
    return list(db.scalars(select(PostReport).where(PostReport.post_id == post.id,
                                                    PostReport.resolved_at.is_(None)).order_by(PostReport.id)))
