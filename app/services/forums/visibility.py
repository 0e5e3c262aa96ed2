"""Who may read, post in and moderate which forum: the ONE place that decides.

Every list, detail, search, feed, export and API path starts from `visible_forums`,
`visible_threads` or `visible_posts`; a detail the viewer may not read is a 404 (`get_forum`).
The rule exists as SQL (for lists) and as Python (`can_read`, for an already-loaded forum);
tests check that the two agree for every forum type and role.

- public: anyone reads; any signed-in account posts, except that residents (light accounts, issue 27)
  reply to threads and do not start them (`can_start_thread`).
- members_only: officers and admins, the running organisation and the named organisations
  (their organisers and members).
- staff_only: as members_only (the named organisations are council services), and every post
  is anonymous.
"""

import hashlib
import hmac

from sqlalchemy import Select, exists, or_, select
from sqlalchemy.orm import Session, joinedload, selectinload

from app.errors import NotFound
from app.models.forum import Forum, ForumOrganisation, ForumVisibility, Post, PostStatus, Thread
from app.models.user import Role, User

STAFF_ROLES = (Role.ADMIN, Role.OFFICER)


def is_staff(viewer: User | None) -> bool:
    return viewer is not None and viewer.role in STAFF_ROLES


def _readable_condition(viewer: User | None):
    if is_staff(viewer):
        return Forum.id.is_not(None)
    public = Forum.visibility == ForumVisibility.PUBLIC
    if viewer is None or viewer.organisation_id is None:
        return public
    org_id = viewer.organisation_id
    named = exists().where(
        ForumOrganisation.forum_id == Forum.id, ForumOrganisation.organisation_id == org_id
    )
    return or_(public, Forum.organisation_id == org_id, named)


def visible_forums(viewer: User | None) -> Select[tuple[Forum]]:
    return select(Forum).where(_readable_condition(viewer))


def visible_forum_ids(viewer: User | None):
    return select(Forum.id).where(_readable_condition(viewer)).scalar_subquery()


def visible_threads(viewer: User | None) -> Select[tuple[Thread]]:
    return select(Thread).where(Thread.forum_id.in_(visible_forum_ids(viewer)))


def visible_posts(viewer: User | None) -> Select[tuple[Post]]:
    """Published posts in readable forums: never pending, hidden or rejected ones."""
    return select(Post).where(
        Post.status == PostStatus.PUBLISHED, Post.forum_id.in_(visible_forum_ids(viewer))
    )


def can_read(viewer: User | None, forum: Forum) -> bool:
    """The same rule as `visible_forums`, for a forum loaded with its member_links."""
    if forum.visibility == ForumVisibility.PUBLIC or is_staff(viewer):
        return True
    if viewer is None or viewer.organisation_id is None:
        return False
    linked = {link.organisation_id for link in forum.member_links}
    return viewer.organisation_id == forum.organisation_id or viewer.organisation_id in linked


def can_post(viewer: User | None, forum: Forum, thread: Thread | None = None) -> bool:
    if viewer is None or not viewer.is_active or not can_read(viewer, forum) or not forum.is_open:
        return False
    # In an anonymous forum nobody may post in a locked thread: a post there would show it came
    # from a moderator (decision 0080).
    return thread is None or not thread.is_locked or (can_moderate(viewer, forum) and not forum.is_anonymous)


def can_start_thread(viewer: User | None, forum: Forum) -> bool:
    """Residents (issue 27) take part where they may post, but reply: organisations and staff start
    threads."""
    return can_post(viewer, forum) and not viewer.is_resident


def can_moderate(viewer: User | None, forum: Forum) -> bool:
    if is_staff(viewer):
        return True
    return (
        viewer is not None
        and viewer.role == Role.ORGANISER
        and forum.organisation_id is not None
        and viewer.organisation_id == forum.organisation_id
    )


def get_forum(db: Session, viewer: User | None, forum_id: int) -> Forum:
    """The forum if the viewer may read it; otherwise 404, as if it did not exist."""
    forum = db.scalar(
        visible_forums(viewer)
        .where(Forum.id == forum_id)
        .options(joinedload(Forum.organisation), joinedload(Forum.review),
                 selectinload(Forum.member_links).joinedload(ForumOrganisation.organisation))
    )
    if forum is None:
        raise NotFound()
    return forum


def get_thread(db: Session, viewer: User | None, forum_id: int, thread_id: int) -> Thread:
    forum = get_forum(db, viewer, forum_id)
    thread = db.scalar(select(Thread).where(Thread.id == thread_id, Thread.forum_id == forum.id))
    if thread is None:
        raise NotFound()
    thread.forum = forum
    return thread


def get_moderated_forum(db: Session, viewer: User | None, forum_id: int) -> Forum:
    forum = get_forum(db, viewer, forum_id)
    if not can_moderate(viewer, forum):
        raise NotFound()
    return forum


def poster_key(secret_key: str, user_id: int, forum_id: int) -> str:
    """A per-forum pseudonym of an account for NAMED posts: ties rate limits, edits and bans to it.

    Anyone holding SECRET_KEY can recompute it for every account, so it is never used for an
    anonymous post (those use app.anonymity.post_key, with a secret that is never stored).
    """
    key = hashlib.sha256(f"chorus-forum-poster-key|{secret_key}".encode()).digest()
    return hmac.new(key, f"{user_id}:{forum_id}".encode(), hashlib.sha256).hexdigest()
