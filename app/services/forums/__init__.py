"""Setting forums up and listing them (always through forums_visibility)."""

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session, joinedload

from app.errors import InvalidInput, NotFound
from app.i18n import _
from app.models.consultation import Consultation
from app.models.forum import Forum, ForumOrganisation, ForumVisibility, ModerationMode, Post, Thread
from app.models.organisation import Organisation
from app.models.review import Review
from app.models.user import Role, User
from app.services import audit
from app.services.forums.visibility import (
    can_moderate,
    is_staff,
    visible_forums,
    visible_posts,
    visible_threads,
)

# Stored in English like an organiser's own words; forums/_prompt.html shows it in the reader's
# language (keep the two alike).
DEFAULT_PROMPT = "What should the review consider?"
THREADS_PER_PAGE = 30


def consultation_choices(db: Session) -> list[tuple[int, str, int]]:
    """(id, title, review id) of every consultation a forum could speak to."""
    return [tuple(row) for row in db.execute(
        select(Consultation.id, Consultation.title, Consultation.review_id).order_by(Consultation.title))]


def create_forum(
    db: Session,
    actor: User,
    *,
    review_id: int | None,
    title: str,
    visibility: ForumVisibility | None,
    organisation_id: int | None = None,
    description: str = "",
    prompt: str = DEFAULT_PROMPT,
    moderation: ModerationMode = ModerationMode.POST,
    member_organisation_ids: list[int] | tuple[int, ...] = (),
    consultation_id: int | None = None,
) -> Forum:
    """Officers create any forum; an organiser creates forums run by their own organisation."""
    if not is_staff(actor):
        if actor.role != Role.ORGANISER or organisation_id != actor.organisation_id:
            raise NotFound()
        if visibility == ForumVisibility.STAFF_ONLY:
            raise InvalidInput({"visibility": _("Only council officers can set up a staff forum")})
    errors = {}
    if not title.strip():
        errors["title"] = _("Enter a title for the forum")
    elif len(title.strip()) > 200:
        errors["title"] = _("Title must be 200 characters or fewer")
    if review_id is not None and db.get(Review, review_id) is None:  # None: a stand-alone forum
        errors["review_id"] = _("Choose the review this forum belongs to, or none")
    if consultation_id is not None:
        consultation = db.get(Consultation, consultation_id)
        if consultation is None or consultation.review_id != review_id:
            errors["consultation_id"] = (_("Choose a consultation of the same review, or none") if review_id
                                         else _("Choose a stand-alone consultation, or none"))
    if visibility is None:
        errors["visibility"] = _("Choose who can read the forum")
    if errors:  # every mistake at once
        raise InvalidInput(errors)
    forum = Forum(review_id=review_id, consultation_id=consultation_id, organisation_id=organisation_id,
                  title=title.strip(),
                  description=description.strip()[:4000], prompt=prompt.strip()[:2000],
                  visibility=visibility, moderation=moderation)
    db.add(forum)
    db.flush()
    for org_id in sorted(set(member_organisation_ids)):
        if db.get(Organisation, org_id) is not None:
            db.add(ForumOrganisation(forum_id=forum.id, organisation_id=org_id))
    db.flush()
    audit.record(db, actor_id=actor.id, action="forum.create", object_type="forum", object_id=forum.id,
                 visibility=visibility.value)
    return forum


def update_settings(db: Session, actor: User, forum: Forum, *, prompt: str,
                    moderation: ModerationMode, is_open: bool) -> None:
    if not can_moderate(actor, forum):
        raise NotFound()
    forum.prompt = prompt.strip()[:2000]
    forum.moderation = moderation
    forum.is_open = is_open
    audit.record(db, actor_id=actor.id, action="forum.settings", object_type="forum",
                 object_id=forum.id, moderation=moderation.value, is_open=is_open)


@dataclass(frozen=True)
class ForumSummary:
    forum: Forum
    threads: int
    posts: int


def list_forums(db: Session, viewer: User | None, *, review_id: int | None = None,
                organisation_id: int | None = None, public_only: bool = False) -> list[ForumSummary]:
    query = visible_forums(viewer).options(joinedload(Forum.organisation), joinedload(Forum.review))
    if review_id is not None:
        query = query.where(Forum.review_id == review_id)
    if organisation_id is not None:
        query = query.where(Forum.organisation_id == organisation_id)
    if public_only:
        query = query.where(Forum.visibility == ForumVisibility.PUBLIC)
    forums = list(db.scalars(query.order_by(Forum.created_at.desc(), Forum.id.desc())))
    ids = [forum.id for forum in forums]
    thread_counts = dict(db.execute(
        select(Thread.forum_id, func.count()).where(Thread.forum_id.in_(ids)).group_by(Thread.forum_id)
    ).all()) if ids else {}
    post_query = visible_posts(viewer).where(Post.forum_id.in_(ids)).subquery()
    post_counts = dict(db.execute(
        select(post_query.c.forum_id, func.count()).group_by(post_query.c.forum_id)
    ).all()) if ids else {}
    return [ForumSummary(f, thread_counts.get(f.id, 0), post_counts.get(f.id, 0)) for f in forums]


@dataclass(frozen=True)
class ThreadSummary:
    thread: Thread
    replies: int
    last_post_at: object


def list_threads(
    db: Session, viewer: User | None, forum: Forum, page: int = 1
) -> tuple[list[ThreadSummary], int]:
    """Threads of a forum the viewer may read (counts from visible posts only), and the page count."""
    posts = visible_posts(viewer).where(Post.forum_id == forum.id).subquery()
    stats = (
        select(posts.c.thread_id, func.count().label("n"), func.max(posts.c.created_at).label("last"))
        .group_by(posts.c.thread_id).subquery()
    )
    query = (
        visible_threads(viewer).where(Thread.forum_id == forum.id)
        .join(stats, stats.c.thread_id == Thread.id, isouter=True)
        .add_columns(stats.c.n, stats.c.last)
        .order_by(Thread.is_pinned.desc(), func.coalesce(stats.c.last, Thread.created_at).desc(),
                  Thread.id.desc())
    )
    total = db.scalar(select(func.count()).select_from(
        visible_threads(viewer).where(Thread.forum_id == forum.id).subquery())) or 0
    page = max(1, page)
    rows = db.execute(query.limit(THREADS_PER_PAGE).offset((page - 1) * THREADS_PER_PAGE)).all()
    summaries = [ThreadSummary(thread, max((n or 0) - 1, 0), last or thread.created_at)
                 for thread, n, last in rows]
    return summaries, max(1, -(-total // THREADS_PER_PAGE))


def forums_for_home(db: Session) -> list[ForumSummary]:
    """Public forums for the home page (what anyone may read)."""
    return list_forums(db, None)[:6]


def organisation_by_slug(db: Session, slug: str) -> Organisation:
    organisation = db.scalar(select(Organisation).where(Organisation.slug == slug))
    if organisation is None:
        raise NotFound()
    return organisation
