"""A forum's audit trail, for its moderators: every setting, moderation decision and meeting, newest
first, with who did it and the reason they gave. Posters are never named here: an anonymous
forum's trail is as anonymous as the forum."""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.errors import NotFound
from app.i18n import N_, _
from app.models.audit import AuditEvent
from app.models.forum import Forum, Post, Thread
from app.models.user import User
from app.services.forums.visibility import can_moderate

SCAN_LIMIT = 5000  # forum events read, newest first, before keeping this forum's

ACTIONS = {
    "forum.create": N_("Set up the forum"),
    "forum.settings": N_("Changed the settings"),
    "forum_post.hide": N_("Hid a post"),
    "forum_post.restore": N_("Restored a post"),
    "forum_post.approve": N_("Approved a post"),
    "forum_post.reject": N_("Did not publish a post"),
    "forum_post.dismiss_reports": N_("Dismissed reports on a post"),
    "forum_post.bar_poster": N_("Stopped a poster posting here"),
    "forum_thread.lock": N_("Locked a thread"),
    "forum_thread.unlock": N_("Unlocked a thread"),
    "forum_thread.pin": N_("Pinned a thread"),
    "forum_thread.unpin": N_("Unpinned a thread"),
    "forum_meeting.record": N_("Recorded a meeting"),
}


@dataclass(frozen=True)
class TrailEntry:
    at: datetime
    who: str
    what: str
    post_public_id: str | None
    thread_title: str | None
    reason: str


def _in_forum(event: AuditEvent, forum_id: int) -> bool:
    if event.object_type == "forum":
        return event.object_id == forum_id
    return (event.detail or {}).get("forum_id") == forum_id


def trail(db: Session, moderator: User, forum: Forum, limit: int = 200) -> list[TrailEntry]:
    if not can_moderate(moderator, forum):
        raise NotFound()
    events = [e for e in db.scalars(select(AuditEvent).where(AuditEvent.action.in_(ACTIONS))
                                    .order_by(AuditEvent.id.desc()).limit(SCAN_LIMIT))
              if _in_forum(e, forum.id)][:limit]
    names = dict(db.execute(select(User.id, User.display_name).where(
        User.id.in_({e.actor_id for e in events if e.actor_id} or {0}))).all())
    post_ids = {e.object_id for e in events if e.object_type == "forum_post"}
    posts = dict(db.execute(select(Post.id, Post.public_id).where(Post.id.in_(post_ids or {0}))).all())
    thread_ids = {e.object_id for e in events if e.object_type == "forum_thread"}
    threads = dict(db.execute(select(Thread.id, Thread.title).where(Thread.id.in_(thread_ids or {0}))).all())
    return [TrailEntry(
        at=e.created_at, who=names.get(e.actor_id, _("The system")), what=_(ACTIONS[e.action]),
        post_public_id=posts.get(e.object_id) if e.object_type == "forum_post" else None,
        thread_title=threads.get(e.object_id) if e.object_type == "forum_thread" else None,
        reason=str((e.detail or {}).get("reason", ""))) for e in events]
