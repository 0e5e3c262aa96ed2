"""Searching forum posts: only what the viewer may read, never hidden or pending posts."""

from dataclasses import dataclass

from sqlalchemy import func
from sqlalchemy.orm import Session, joinedload

from app.models.forum import Forum, Post, Thread
from app.models.user import User
from app.services.forums.visibility import visible_posts

MAX_RESULTS = 50


@dataclass(frozen=True)
class SearchResult:
    post_id: int
    forum: Forum
    thread: Thread
    excerpt: str


def _escape_like(term: str) -> str:
    return term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def search_posts(db: Session, viewer: User | None, query: str) -> list[SearchResult]:
    term = f"%{_escape_like(query.strip().lower())}%"
    posts = db.scalars(
        visible_posts(viewer)
        .options(joinedload(Post.thread).joinedload(Thread.forum))
        .where(func.lower(Post.body_text).like(term, escape="\\"))
        .order_by(Post.id.desc()).limit(MAX_RESULTS)
    ).all()
    return [SearchResult(p.id, p.thread.forum, p.thread, _excerpt(p.body_text, query)) for p in posts]


def _excerpt(text: str, query: str, width: int = 240) -> str:
    at = max(0, text.lower().find(query.strip().lower()) - width // 3)
    snippet = text[at:at + width].replace("\n", " ")
    return ("…" if at else "") + snippet + ("…" if at + width < len(text) else "")
