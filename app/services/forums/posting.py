"""Starting threads, replying, editing (with history) and reading a thread page by page.

Posts in staff-only forums are anonymous (decision 0080): the row stores no author id, and its
`author_key` is made with today's never-stored secret and the post's own random public id
(app/anonymity.py), so it names no one and links no two posts. Its times are rounded to the hour.
Every anonymous post takes the same path, whoever writes it: in a pre-moderated forum every post
is held (officers' too), and nobody posts in a locked thread. Bars and rate limits recognise an
anonymous poster only until the daily secret rotates.
"""

import hmac
from dataclasses import dataclass
from datetime import datetime, timedelta

from markupsafe import Markup
from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session, joinedload

from app import anonymity
from app.errors import Forbidden, InvalidInput, NotFound, RateLimited
from app.i18n import N_, _
from app.models.base import utcnow
from app.models.forum import (
    Forum,
    ForumBan,
    ModerationMode,
    Post,
    PostRevision,
    PostStatus,
    Thread,
    new_public_id,
)
from app.models.user import User
from app.ratelimit import RateLimiter
from app.services import sanitise
from app.services.forums.visibility import can_moderate, can_post, can_start_thread, poster_key

POSTS_PER_PAGE = 50
RATE_LIMITS = ("5/minute", "40/day")
NEW_ACCOUNT_AGE = timedelta(days=7)
NEW_ACCOUNT_MAX_LINKS = 2
ANONYMOUS_LABEL = N_("Council employee (anonymous)")


@dataclass(frozen=True)
class Poster:
    """Who is posting, and the means to check limits: passed in by the route."""

    user: User
    secret_key: str
    limiter: RateLimiter | None = None


def _posting_time(forum: Forum) -> datetime:
    now = utcnow()
    return now.replace(minute=0, second=0, microsecond=0) if forum.is_anonymous else now


def _body(poster: Poster, text: str, field: str = "body") -> tuple[str, str]:
    if not text.strip():
        raise InvalidInput({field: _("Enter your post")})
    if len(text) > sanitise.MAX_BODY_CHARS:
        too_long = _("Post must be {limit} characters or fewer").format(limit=f"{sanitise.MAX_BODY_CHARS:,}")
        raise InvalidInput({field: too_long})
    body_html = sanitise.format_post(text)
    body_text = sanitise.plain_text(body_html)
    if not body_text:
        raise InvalidInput({field: _("Enter your post")})
    if (utcnow() - poster.user.created_at < NEW_ACCOUNT_AGE
            and sanitise.count_links(body_html) > NEW_ACCOUNT_MAX_LINKS):
        raise InvalidInput({field: _("New accounts can include up to {limit} links in a post").format(
            limit=NEW_ACCOUNT_MAX_LINKS)})
    return body_html, body_text


def is_barred(db: Session, user: User, forum: Forum, secret_key: str) -> bool:
    """Whether a moderator has stopped this person posting in this forum (pages say so instead of
    offering a form that would be refused)."""
    if not forum.is_anonymous:
        key = poster_key(secret_key, user.id, forum.id)
        return db.scalar(select(ForumBan.id).where(ForumBan.forum_id == forum.id,
                                                   ForumBan.author_key == key)) is not None
    # An anonymous bar names a post, not a person: it stops whoever can prove, with today's
    # secret, that they wrote that post. When the secret rotates, nobody can: the bar lapses.
    barred_posts = db.execute(select(Post.public_id, Post.author_key)
                              .join(ForumBan, ForumBan.author_key == Post.author_key)
                              .where(ForumBan.forum_id == forum.id, Post.forum_id == forum.id)).all()
    return any(hmac.compare_digest(key, anonymity.post_key(user.id, forum.id, public_id))
               for public_id, key in barred_posts)


def _check_allowed(db: Session, poster: Poster, forum: Forum, thread: Thread | None) -> None:
    if not can_post(poster.user, forum, thread) or (forum.is_anonymous and thread is not None
                                                    and thread.is_locked):
        if thread is not None and thread.is_locked:
            raise Forbidden(_("This thread is locked: no new replies can be added."))
        raise Forbidden(_("You cannot post in this forum."))
    if is_barred(db, poster.user, forum, poster.secret_key):
        raise Forbidden(_("A moderator has stopped you posting in this forum."))
    if poster.limiter is not None:
        key = (anonymity.limit_key(poster.user.id, forum.id) if forum.is_anonymous
               else poster_key(poster.secret_key, poster.user.id, forum.id))
        for limit in RATE_LIMITS:
            if not poster.limiter.allow("forum-post", limit, key):
                raise RateLimited(_("You are posting too quickly. Wait a minute, then try again."))


def _new_post(poster: Poster, forum: Forum, thread_id: int, body: tuple[str, str], *, opening: bool) -> Post:
    public_id = new_public_id()
    if forum.is_anonymous:
        # One path for every anonymous post: whoever writes it, a pre-moderated forum holds it.
        held = forum.moderation == ModerationMode.PRE
        key = anonymity.post_key(poster.user.id, forum.id, public_id)
    else:
        held = forum.moderation == ModerationMode.PRE and not can_moderate(poster.user, forum)
        key = poster_key(poster.secret_key, poster.user.id, forum.id)
    return Post(
        public_id=public_id, thread_id=thread_id, forum_id=forum.id, is_opening=opening,
        author_id=None if forum.is_anonymous else poster.user.id, author_key=key,
        body_html=body[0], body_text=body[1],
        status=PostStatus.PENDING if held else PostStatus.PUBLISHED,
        created_at=_posting_time(forum),
    )


def start_thread(db: Session, poster: Poster, forum: Forum, *, title: str, body: str) -> tuple[Thread, Post]:
    errors = {}
    if not title.strip():
        errors["title"] = _("Enter a title for your thread")
    elif len(title.strip()) > 200:
        errors["title"] = _("Title must be 200 characters or fewer")
    try:
        formatted = _body(poster, body)
    except InvalidInput as error:
        errors.update(error.errors)
    if errors:
        raise InvalidInput(errors)
    if can_post(poster.user, forum) and not can_start_thread(poster.user, forum):
        raise Forbidden(_("Residents reply to threads; organisations and council staff start them."))
    _check_allowed(db, poster, forum, None)
    thread = Thread(forum_id=forum.id, title=title.strip(), created_at=_posting_time(forum))
    db.add(thread)
    db.flush()
    thread.forum = forum
    post = _new_post(poster, forum, thread.id, formatted, opening=True)
    db.add(post)
    db.flush()
    return thread, post


def reply(db: Session, poster: Poster, thread: Thread, *, body: str) -> Post:
    """A reply to a thread (one level: replies are not nested)."""
    forum = thread.forum
    formatted = _body(poster, body)
    _check_allowed(db, poster, forum, thread)
    post = _new_post(poster, forum, thread.id, formatted, opening=False)
    db.add(post)
    db.flush()
    return post


def is_own(post: Post, viewer: User | None, secret_key: str) -> bool:
    """Named posts: always. Anonymous posts: on the day they were written (today's secret)."""
    if viewer is None:
        return False
    if hmac.compare_digest(post.author_key, poster_key(secret_key, viewer.id, post.forum_id)):
        return True
    anonymous_key = anonymity.post_key(viewer.id, post.forum_id, post.public_id)
    return post.author_id is None and hmac.compare_digest(post.author_key, anonymous_key)


def edit_post(db: Session, poster: Poster, forum: Forum, post_ref: str, *, body: str) -> Post:
    """The author edits their post; the previous text is kept as a revision."""
    post = get_post(db, forum, post_ref)
    if not is_own(post, poster.user, poster.secret_key):
        raise NotFound()
    if post.status in (PostStatus.HIDDEN, PostStatus.REJECTED):
        raise Forbidden(_("A moderator has hidden this post, so it cannot be edited."))
    formatted = _body(poster, body)
    if formatted[0] == post.body_html:
        return post
    db.add(PostRevision(post_id=post.id, body_html=post.body_html, body_text=post.body_text,
                        created_at=_posting_time(forum)))
    post.body_html, post.body_text = formatted
    post.edited_at = _posting_time(forum)
    return post


@dataclass(frozen=True)
class RevisionView:
    replaced_at: datetime
    body: Markup


def revisions(db: Session, post: Post) -> list[RevisionView]:
    """Earlier texts of a post, newest first (no editor is recorded: the author is the editor)."""
    rows = db.scalars(select(PostRevision).where(PostRevision.post_id == post.id)
                      .order_by(PostRevision.id.desc()))
    return [RevisionView(r.created_at, Markup(sanitise.clean(r.body_html))) for r in rows]  # noqa: S704  # nosec B704


@dataclass(frozen=True)
class PostView:
    """What a page may show of a post: hidden text only to moderators, never an anonymous author."""

    id: int
    public_id: str
    thread_id: int
    author: str
    organisation: str
    organisation_type: str
    created_at: datetime
    edited: bool
    body: Markup | None
    status: PostStatus
    hidden_reason: str
    is_own: bool
    is_opening: bool

    @property
    def is_published(self) -> bool:
        return self.status == PostStatus.PUBLISHED

    @property
    def is_pending(self) -> bool:
        return self.status == PostStatus.PENDING

    @property
    def is_hidden(self) -> bool:
        return self.status == PostStatus.HIDDEN


def post_view(post: Post, viewer: User | None, forum: Forum, secret_key: str) -> PostView:
    moderator = can_moderate(viewer, forum)
    own = is_own(post, viewer, secret_key)
    shows_body = post.is_published or moderator or (
        own and post.is_pending)
    if forum.is_anonymous or post.author is None:
        author = _(ANONYMOUS_LABEL) if forum.is_anonymous else _("Former member")
        organisation, org_type = "", ""
    else:
        author = post.author.display_name
        org = post.author.organisation
        organisation, org_type = (org.name, _(org.type.label)) if org else ("", "")
    return PostView(
        id=post.id, public_id=post.public_id, thread_id=post.thread_id, author=author,
        organisation=organisation, organisation_type=org_type, created_at=post.created_at,
        edited=post.edited_at is not None,
        # Sanitised on the way in, and again on the way out (cheap; survives a tampered row).
        body=Markup(sanitise.clean(post.body_html)) if shows_body else None,  # noqa: S704  # nosec B704
        status=post.status, hidden_reason=post.hidden_reason, is_own=own, is_opening=post.is_opening,
    )


def _thread_posts_condition(db: Session, viewer: User | None, thread: Thread, secret_key: str):
    """Published and hidden (as a placeholder) posts; pending ones to moderators and their author."""
    forum = thread.forum
    shown = Post.status.in_([PostStatus.PUBLISHED, PostStatus.HIDDEN])
    if can_moderate(viewer, forum):
        return Post.status.in_([PostStatus.PUBLISHED, PostStatus.HIDDEN, PostStatus.PENDING])
    if viewer is not None and forum.is_anonymous:
        # Each anonymous post has a key of its own: the viewer's pending posts are found one by one.
        pending = db.scalars(select(Post).where(Post.thread_id == thread.id,
                                                Post.status == PostStatus.PENDING))
        own = [post.id for post in pending if is_own(post, viewer, secret_key)]
        return or_(shown, Post.id.in_(own)) if own else shown
    if viewer is not None:
        key = poster_key(secret_key, viewer.id, forum.id)
        return or_(shown, (Post.status == PostStatus.PENDING) & (Post.author_key == key))
    return shown


@dataclass(frozen=True)
class ThreadPage:
    forum: Forum
    thread: Thread
    opening: PostView | None
    replies: list[PostView]
    page: int
    pages: int
    total_replies: int
    last_post_id: int
    last_public_id: str


def thread_page(
    db: Session, viewer: User | None, thread: Thread, secret_key: str, page: int = 1
) -> ThreadPage:
    """One page of a thread in a constant number of queries, however long the thread."""
    forum = thread.forum
    condition = _thread_posts_condition(db, viewer, thread, secret_key)
    base = select(Post).where(Post.thread_id == thread.id, condition)
    last_public_id = (select(Post.public_id).where(Post.thread_id == thread.id, condition)
                      .order_by(Post.id.desc()).limit(1).scalar_subquery())
    total_replies, last_id, last_public = db.execute(
        select(func.count(Post.id).filter(Post.is_opening.is_(False)), func.max(Post.id), last_public_id)
        .where(Post.thread_id == thread.id, condition)
    ).one()
    total_replies = total_replies or 0
    pages = max(1, -(-total_replies // POSTS_PER_PAGE))
    page = min(max(1, page), pages)
    loading = joinedload(Post.author).joinedload(User.organisation)
    opening = db.scalar(base.where(Post.is_opening.is_(True)).options(loading))
    replies = db.scalars(
        base.where(Post.is_opening.is_(False)).options(loading).order_by(Post.id)
        .limit(POSTS_PER_PAGE).offset((page - 1) * POSTS_PER_PAGE)
    ).all()
    return ThreadPage(
        forum=forum, thread=thread,
        opening=post_view(opening, viewer, forum, secret_key) if opening else None,
        replies=[post_view(post, viewer, forum, secret_key) for post in replies],
        page=page, pages=pages, total_replies=total_replies, last_post_id=last_id or 0,
        last_public_id=last_public or "",
    )


def new_reply_count(db: Session, viewer: User | None, thread: Thread, after_id: int) -> int:
    """Published replies newer than `after_id` (the live "3 new replies" indicator)."""
    return db.scalar(
        select(func.count(Post.id)).where(
            Post.thread_id == thread.id, Post.status == PostStatus.PUBLISHED, Post.id > after_id)
    ) or 0


def _by_ref(forum: Forum, post_ref: str | int):
    """A post is addressed by its random public id. Named posts' old links by internal id still
    work; an anonymous post is never found by its place in the sequence."""
    ref = str(post_ref)
    if ref.isdigit() and not forum.is_anonymous:
        return or_(Post.public_id == ref, Post.id == int(ref))
    return Post.public_id == ref


def get_post(db: Session, forum: Forum, post_ref: str | int) -> Post:
    post = db.scalar(select(Post).where(_by_ref(forum, post_ref), Post.forum_id == forum.id))
    if post is None:
        raise NotFound()
    return post


def get_post_with_author(db: Session, forum: Forum, post_ref: str | int) -> Post:
    post = db.scalar(select(Post).where(_by_ref(forum, post_ref), Post.forum_id == forum.id)
                     .options(joinedload(Post.author).joinedload(User.organisation)))
    if post is None:
        raise NotFound()
    return post


def internal_id(db: Session, thread: Thread, post_ref: str) -> int:
    """The sequence position of a post of `thread` named by its public id (0 when unknown)."""
    if not post_ref:
        return 0
    return db.scalar(select(Post.id).where(Post.thread_id == thread.id, _by_ref(thread.forum, post_ref))) or 0


def plain_text_of(view: PostView) -> str | None:
    """The text a view may show, without markup (None where the post is hidden from this viewer)."""
    return sanitise.plain_text(str(view.body)) if view.body is not None else None
