"""CSV export of a forum's posts for its moderators: visible posts only, no anonymous authors,
written by app.csv_export, which neutralises formula prefixes (citizens' text is data)."""

from collections.abc import Iterator

from sqlalchemy.orm import Session, joinedload

from app.i18n import N_, _
from app.models.forum import Forum, Post
from app.models.user import User
from app.services.forums.posting import ANONYMOUS_LABEL
from app.services.forums.visibility import visible_posts

# The header row is translated where it is written (the English names stay as they were).
HEADER = [N_("post_id"), N_("thread"), N_("posted_at"), N_("author"), N_("organisation"),
          N_("organisation_type"), N_("text")]


def export_rows(db: Session, viewer: User, forum: Forum) -> Iterator[list[str]]:
    yield [_(heading) for heading in HEADER]
    posts = db.scalars(
        visible_posts(viewer).where(Post.forum_id == forum.id)
        .options(joinedload(Post.thread), joinedload(Post.author).joinedload(User.organisation))
        .order_by(Post.id).execution_options(yield_per=500)
    )
    for post in posts:
        if forum.is_anonymous or post.author is None:
            author, organisation, org_type = ANONYMOUS_LABEL if forum.is_anonymous else "", "", ""
        else:
            org = post.author.organisation
            author = post.author.display_name
            organisation, org_type = (org.name, org.type.value) if org else ("", "")
        yield [post.public_id, post.thread.title, post.created_at.isoformat(), author, organisation, org_type,
               post.body_text]
