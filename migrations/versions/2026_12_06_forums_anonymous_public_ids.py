"""Forum posts get random public ids; anonymous posts lose every key that could name their author

Revision ID: forums_anonymous_public_ids
Revises: reviews_lifecycle
Create Date: 2026-12-06 14:45:00

Posts were addressed by their place in one global sequence, and an anonymous post's author_key was
HMAC(SECRET_KEY, account:forum): anyone holding the database and the settings could name the author
of every anonymous post by trying each account. From now on anonymous posts carry a key made with
a daily secret that is never stored (decision 0080). Existing anonymous posts get a random key
(nobody can edit them any more) and the bans keyed on the old keys are dropped.
"""

import secrets
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "forums_anonymous_public_ids"
down_revision: str | Sequence[str] | None = "reviews_lifecycle"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def new_public_id() -> str:
    """As app.models.forum.new_public_id (copied: a migration must not change with the app)."""
    letters, digits = "abcdefghijklmnopqrstuvwxyz", "0123456789"
    return secrets.choice(letters) + "".join(secrets.choice(letters + digits) for _ in range(11))


def upgrade() -> None:
    with op.batch_alter_table("forum_post") as batch_op:
        batch_op.add_column(sa.Column("public_id", sa.String(length=16), nullable=True))
    bind = op.get_bind()
    post = sa.table("forum_post", sa.column("id", sa.Integer), sa.column("forum_id", sa.Integer),
                    sa.column("public_id", sa.String), sa.column("author_key", sa.String))
    forum = sa.table("forum", sa.column("id", sa.Integer), sa.column("visibility", sa.String))
    anonymous = set(bind.execute(sa.select(forum.c.id).where(forum.c.visibility == "staff_only")).scalars())
    for post_id, forum_id in bind.execute(sa.select(post.c.id, post.c.forum_id)).all():
        values = {"public_id": new_public_id()}
        if forum_id in anonymous:
            values["author_key"] = secrets.token_hex(32)
        bind.execute(post.update().where(post.c.id == post_id).values(**values))
    if anonymous:
        ban = sa.table("forum_ban", sa.column("forum_id", sa.Integer))
        bind.execute(ban.delete().where(ban.c.forum_id.in_(anonymous)))
    with op.batch_alter_table("forum_post") as batch_op:
        batch_op.alter_column("public_id", existing_type=sa.String(length=16), nullable=False)
        batch_op.create_index("ix_forum_post_public_id", ["public_id"], unique=True)


def downgrade() -> None:
    with op.batch_alter_table("forum_post") as batch_op:
        batch_op.drop_index("ix_forum_post_public_id")
        batch_op.drop_column("public_id")
