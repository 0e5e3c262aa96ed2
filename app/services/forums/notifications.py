"""Following threads, and the email digest: one email per follower with every new post in the
threads they follow (never one email per post). Only posts the follower may still read count."""

from collections import defaultdict
from dataclasses import dataclass

from sqlalchemy import delete, select
from sqlalchemy.orm import Session, joinedload

from app.models.base import utcnow
from app.models.forum import Post, Thread, ThreadFollow
from app.models.user import User
from app.services.email import queue_email
from app.services.forums.visibility import visible_posts

MAX_POSTS_PER_DIGEST = 50


def follow(db: Session, user: User, thread: Thread) -> None:
    """`thread.forum` must be loaded. In an anonymous forum the follow keeps the hour only, and
    starts from the posts of earlier hours: following right after posting must not point at the
    post just written (decision 0080); this hour's posts come in the next digest."""
    if is_following(db, user, thread):
        return
    latest = select(Post.id).where(Post.thread_id == thread.id)
    created_at = utcnow()
    if thread.forum.is_anonymous:
        created_at = created_at.replace(minute=0, second=0, microsecond=0)
        latest = latest.where(Post.created_at < created_at)
    last_id = db.scalar(latest.order_by(Post.id.desc()).limit(1))
    db.add(ThreadFollow(thread_id=thread.id, user_id=user.id, last_seen_post_id=last_id or 0,
                        created_at=created_at))
    db.flush()


def unfollow(db: Session, user: User, thread: Thread) -> None:
    db.execute(delete(ThreadFollow).where(ThreadFollow.thread_id == thread.id,
                                          ThreadFollow.user_id == user.id))


def is_following(db: Session, user: User | None, thread: Thread) -> bool:
    if user is None:
        return False
    return db.scalar(select(ThreadFollow.id).where(ThreadFollow.thread_id == thread.id,
                                                   ThreadFollow.user_id == user.id)) is not None


@dataclass(frozen=True)
class DigestItem:
    thread: Thread
    posts: list[Post]


def send_digests(db: Session, base_url: str) -> int:
    """Queue one digest email per follower with news; returns how many were queued."""
    follows = db.scalars(
        select(ThreadFollow).options(joinedload(ThreadFollow.user), joinedload(ThreadFollow.thread))
        .order_by(ThreadFollow.user_id, ThreadFollow.id)
    ).all()
    by_user: dict[int, list[ThreadFollow]] = defaultdict(list)
    for item in follows:
        if item.user.is_active:
            by_user[item.user_id].append(item)
    sent = 0
    for user_follows in by_user.values():
        sent += _digest_for(db, user_follows, base_url)
    return sent


def _digest_for(db: Session, follows: list[ThreadFollow], base_url: str) -> int:
    user = follows[0].user
    sections = []
    for item in follows:
        posts = list(db.scalars(
            visible_posts(user).options(joinedload(Post.author))
            .where(Post.thread_id == item.thread_id, Post.id > item.last_seen_post_id)
            .order_by(Post.id).limit(MAX_POSTS_PER_DIGEST)
        ))
        if posts:
            item.last_seen_post_id = posts[-1].id
            others = [p for p in posts if p.author_id != user.id]
            if others:
                sections.append(DigestItem(item.thread, others))
    if not sections:
        return 0
    queue_email(db, "forum_digest", to=user.email, language=user.language,
                sections=[_digest_section(section, base_url) for section in sections])
    return 1


def _digest_section(section: DigestItem, base_url: str) -> dict:
    """One followed thread in the digest: its title, how many new posts, the first three, a link."""
    excerpts = []
    for post in section.posts[:3]:
        excerpt = post.body_text.replace("\n", " ")
        excerpts.append(f"{excerpt[:200]}{'…' if len(excerpt) > 200 else ''}")
    thread = section.thread
    return {"title": thread.title, "count": len(section.posts), "excerpts": excerpts,
            "link": f"{base_url}/forums/{thread.forum_id}/threads/{thread.id}?page=100000"}
