"""Stakeholder forums: read, start threads, reply (HTMX or plain form), edit, report, follow, search."""

from typing import Annotated

from fastapi import APIRouter, Form, Path, Query, Request
from fastapi.responses import RedirectResponse

from app.auth import CurrentUser, DbSession, SignedIn
from app.errors import InvalidInput, NotFound, RateLimited
from app.i18n import _
from app.services import forums
from app.services.forums import meetings as forums_meetings
from app.services.forums import moderation as forums_moderation
from app.services.forums import notifications as forums_notifications
from app.services.forums import posting as forums_posting
from app.services.forums import search as forums_search
from app.services.forums.posting import Poster
from app.services.forums.visibility import can_moderate, can_post, can_start_thread, get_forum, get_thread
from app.templating import is_htmx, render, render_form

router = APIRouter(prefix="/forums")

Body = Annotated[str, Form(max_length=20_000)]
PostRef = Annotated[str, Path(max_length=16)]  # a post's random public id


def _poster(request: Request, user) -> Poster:
    return Poster(user, request.app.state.settings.secret_key, request.app.state.rate_limiter)


def _secret(request: Request) -> str:
    return request.app.state.settings.secret_key


def _barred(request: Request, db, user, forum, thread=None) -> bool:
    """A barred poster is told so, instead of being offered a form the server would refuse."""
    return can_post(user, forum, thread) and forums_posting.is_barred(db, user, forum, _secret(request))


@router.get("")
def index(request: Request, db: DbSession, user: CurrentUser):
    return render(request, "forums/index.html", {"forums": forums.list_forums(db, user)})


@router.get("/search")
def search(request: Request, db: DbSession, user: CurrentUser,
           q: Annotated[str, Query(max_length=200)] = ""):
    results = forums_search.search_posts(db, user, q) if q.strip() else []
    return render(request, "forums/search.html", {"q": q, "results": results})


def _forum_page(request, db, user, forum, *, page=1, **form):
    threads, pages = forums.list_threads(db, user, forum, page)
    barred = _barred(request, db, user, forum)
    return render_form(request, "forums/forum.html", {
        "forum": forum, "threads": threads, "page": page, "pages": pages,
        "can_post": can_start_thread(user, forum) and not barred, "barred": barred,
        "can_moderate": can_moderate(user, forum),
        "meetings": forums_meetings.list_meetings(db, forum),
        "posted": request.query_params.get("posted"),
    }, **form)


@router.get("/{forum_id}")
def forum_page(request: Request, db: DbSession, user: CurrentUser, forum_id: int,
               page: Annotated[int, Query(ge=1, le=100_000)] = 1):
    forum = get_forum(db, user, forum_id)
    return _forum_page(request, db, user, forum, page=page)


@router.post("/{forum_id}/threads")
def start_thread(request: Request, db: DbSession, user: SignedIn, forum_id: int,
                 title: Annotated[str, Form(max_length=400)] = "", body: Body = ""):
    forum = get_forum(db, user, forum_id)
    try:
        thread, post = forums_posting.start_thread(db, _poster(request, user), forum, title=title, body=body)
    except InvalidInput as error:
        return _forum_page(request, db, user, forum, errors=error.errors,
                           values={"title": title, "body": body}, status_code=422)
    if not forum.is_anonymous:
        forums_notifications.follow(db, user, thread)
    suffix = "?posted=pending" if post.status == "pending" else ""
    return RedirectResponse(f"/forums/{forum.id}/threads/{thread.id}{suffix}", status_code=303)


def _thread_page(request, db, user, thread, *, page=1,
                 posted=None, **form):
    data = forums_posting.thread_page(db, user, thread, _secret(request), page)
    barred = _barred(request, db, user, data.forum, thread)
    return render_form(request, "forums/thread.html", {
        "data": data, "forum": data.forum, "thread": thread,
        "can_post": can_post(user, data.forum, thread) and not barred, "barred": barred,
        "can_moderate": can_moderate(user, data.forum),
        "following": forums_notifications.is_following(db, user, thread),
        "posted": posted or request.query_params.get("posted"),
    }, **form, fragment="forums/_replies.html")


@router.get("/{forum_id}/threads/{thread_id}")
def thread_page(request: Request, db: DbSession, user: CurrentUser, forum_id: int, thread_id: int,
                page: Annotated[int, Query(ge=1, le=100_000)] = 1):
    thread = get_thread(db, user, forum_id, thread_id)
    return _thread_page(request, db, user, thread, page=page)


@router.post("/{forum_id}/threads/{thread_id}/replies")
def post_reply(request: Request, db: DbSession, user: SignedIn, forum_id: int, thread_id: int,
               body: Body = ""):
    thread = get_thread(db, user, forum_id, thread_id)
    try:
        post = forums_posting.reply(db, _poster(request, user), thread, body=body)
    except InvalidInput as error:
        return _thread_page(request, db, user, thread, page=100_000, errors=error.errors,
                            values={"body": body}, status_code=422)
    except RateLimited as error:
        if not is_htmx(request):
            raise
        return _thread_page(request, db, user, thread, page=100_000, errors={"body": error.message},
                            values={"body": body}, status_code=422)
    status = "pending" if post.status == "pending" else "published"
    if is_htmx(request):
        return _thread_page(request, db, user, thread, page=100_000, posted=status)
    return RedirectResponse(
        f"/forums/{forum_id}/threads/{thread_id}?page=100000&posted={status}#post-{post.public_id}",
        status_code=303)


@router.get("/{forum_id}/threads/{thread_id}/new-replies")
def new_replies(request: Request, db: DbSession, user: CurrentUser, forum_id: int, thread_id: int,
                after: Annotated[str, Query(max_length=16)] = ""):
    thread = get_thread(db, user, forum_id, thread_id)
    count = forums_posting.new_reply_count(db, user, thread, forums_posting.internal_id(db, thread, after))
    return render(request, "forums/_new_replies.html",
                  {"forum": thread.forum, "thread": thread, "after": after, "count": count})


@router.post("/{forum_id}/threads/{thread_id}/follow")
def follow(request: Request, db: DbSession, user: SignedIn, forum_id: int, thread_id: int,
           action: Annotated[str, Form(max_length=10)] = "follow"):
    thread = get_thread(db, user, forum_id, thread_id)
    if action == "unfollow":
        forums_notifications.unfollow(db, user, thread)
    else:
        forums_notifications.follow(db, user, thread)
    return RedirectResponse(f"/forums/{forum_id}/threads/{thread_id}", status_code=303)


def _own_post(request, db, user, forum_id, post_id):
    forum = get_forum(db, user, forum_id)
    post = forums_posting.get_post(db, forum, post_id)
    if not forums_posting.is_own(post, user, _secret(request)):
        raise NotFound()
    return forum, post


@router.get("/{forum_id}/posts/{post_id}/edit")
def edit_page(request: Request, db: DbSession, user: SignedIn, forum_id: int, post_id: PostRef):
    forum, post = _own_post(request, db, user, forum_id, post_id)
    return render_form(request, "forums/edit.html", {"forum": forum, "post": post},
                       values={"body": post.body_text})


@router.post("/{forum_id}/posts/{post_id}/edit")
def edit(request: Request, db: DbSession, user: SignedIn, forum_id: int, post_id: PostRef, body: Body = ""):
    forum, post = _own_post(request, db, user, forum_id, post_id)
    try:
        forums_posting.edit_post(db, _poster(request, user), forum, post.public_id, body=body)
    except InvalidInput as error:
        return render_form(request, "forums/edit.html", {"forum": forum, "post": post}, errors=error.errors,
                           values={"body": body}, status_code=422)
    return RedirectResponse(f"/forums/{forum_id}/threads/{post.thread_id}?page=100000#post-{post.public_id}",
                            status_code=303)


@router.get("/{forum_id}/posts/{post_id}/history")
def history(request: Request, db: DbSession, user: CurrentUser, forum_id: int, post_id: PostRef):
    forum = get_forum(db, user, forum_id)
    post = forums_posting.get_post(db, forum, post_id)
    if post.status != "published" and not can_moderate(user, forum):
        raise NotFound()
    return render(request, "forums/history.html", {
        "forum": forum, "post": post, "revisions": forums_posting.revisions(db, post)})


@router.get("/{forum_id}/posts/{post_id}/report")
def report_page(request: Request, db: DbSession, user: CurrentUser, forum_id: int, post_id: PostRef):
    forum = get_forum(db, user, forum_id)
    post = forums_posting.get_post(db, forum, post_id)
    return render_form(request, "forums/report.html", {"forum": forum, "post": post})


@router.post("/{forum_id}/posts/{post_id}/report")
def report(request: Request, db: DbSession, user: CurrentUser, forum_id: int, post_id: PostRef,
           reason: Annotated[str, Form(max_length=1000)] = ""):
    forum = get_forum(db, user, forum_id)
    post = forums_posting.get_post(db, forum, post_id)
    address = request.client.host if request.client else "unknown"
    if not request.app.state.rate_limiter.allow("forum-report", "10/hour", address):
        raise RateLimited(_("You have sent a lot of reports. Wait an hour, then try again."))
    try:
        forums_moderation.report(db, user, post, reason=reason)
    except InvalidInput as error:
        return render_form(request, "forums/report.html", {"forum": forum, "post": post}, errors=error.errors,
                           values={"reason": reason}, status_code=422)
    return RedirectResponse(f"/forums/{forum_id}/threads/{post.thread_id}?posted=reported", status_code=303)
