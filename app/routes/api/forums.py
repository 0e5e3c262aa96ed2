"""Open data: public forums, their threads and posts. The API has no cookie authority, so its
viewer is always anonymous and it sees exactly what forums_visibility lets anyone read."""

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Query, Request
from pydantic import BaseModel

from app.auth import DbSession
from app.services import forums
from app.services.forums import posting as forums_posting
from app.services.forums.visibility import get_forum, get_thread

router = APIRouter(prefix="/api/v1/forums", tags=["forums"])
VIEWER = None  # no cookie authority under /api/


class ForumOut(BaseModel):
    id: int
    title: str
    review_id: int | None  # None: a stand-alone forum, in no review
    organisation: str | None
    visibility: str
    prompt: str
    threads: int
    posts: int


class ThreadOut(BaseModel):
    id: int
    title: str
    replies: int
    locked: bool
    last_post_at: datetime


class PostOut(BaseModel):
    id: int
    author: str
    organisation: str
    organisation_type: str
    created_at: datetime
    edited: bool
    status: str
    hidden_reason: str
    text: str | None


class ThreadPageOut(BaseModel):
    thread: ThreadOut
    opening: PostOut | None
    replies: list[PostOut]
    page: int
    pages: int


@router.get("", response_model=list[ForumOut])
def list_forums(db: DbSession):
    return [ForumOut(id=s.forum.id, title=s.forum.title, review_id=s.forum.review_id,
                     organisation=s.forum.organisation.name if s.forum.organisation else None,
                     visibility=s.forum.visibility.value, prompt=s.forum.prompt, threads=s.threads,
                     posts=s.posts) for s in forums.list_forums(db, VIEWER)]


@router.get("/{forum_id}/threads", response_model=list[ThreadOut])
def list_threads(db: DbSession, forum_id: int, page: Annotated[int, Query(ge=1, le=100_000)] = 1):
    forum = get_forum(db, VIEWER, forum_id)
    threads, _pages = forums.list_threads(db, VIEWER, forum, page)
    return [_thread_out(t.thread, t.replies, t.last_post_at) for t in threads]


def _thread_out(thread, replies, last_post_at) -> ThreadOut:
    return ThreadOut(id=thread.id, title=thread.title, replies=replies, locked=thread.is_locked,
                     last_post_at=last_post_at)


def _post_out(view: forums_posting.PostView) -> PostOut:
    text = forums_posting.plain_text_of(view)
    return PostOut(id=view.id, author=view.author, organisation=view.organisation,
                   organisation_type=view.organisation_type, created_at=view.created_at, edited=view.edited,
                   status=view.status.value, hidden_reason=view.hidden_reason, text=text)


@router.get("/{forum_id}/threads/{thread_id}", response_model=ThreadPageOut)
def thread(request: Request, db: DbSession, forum_id: int, thread_id: int,
           page: Annotated[int, Query(ge=1, le=100_000)] = 1):
    found = get_thread(db, VIEWER, forum_id, thread_id)
    data = forums_posting.thread_page(db, VIEWER, found, request.app.state.settings.secret_key, page)
    last = data.replies[-1].created_at if data.replies else found.created_at
    return ThreadPageOut(thread=_thread_out(found, data.total_replies, last),
                         opening=_post_out(data.opening) if data.opening else None,
                         replies=[_post_out(r) for r in data.replies], page=data.page, pages=data.pages)
