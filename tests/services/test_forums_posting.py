"""Thread pages in a constant number of queries; the email digest; evidence for the review."""

import pytest
from sqlalchemy import event, select

from app.models.forum import Post, PostStatus
from app.models.outbox import OutboxEmail
from app.services.forums import moderation as forums_moderation
from app.services.forums import notifications as forums_notifications
from app.services.forums import posting as forums_posting
from app.services.forums.posting import Poster
from app.services.forums.visibility import get_forum, get_thread, poster_key
from app.services.themes import forum_evidence as forums_evidence
from tests.services.test_forums_visibility import SECRET, build_world


@pytest.fixture
def world(db):
    return build_world(db)


def _start(db, world, forum_name="public", author="member_a"):
    forum = get_forum(db, world.users["admin"], world.forums[forum_name].id)
    thread, _ = forums_posting.start_thread(db, Poster(world.users[author], SECRET), forum,
                                            title="Visits", body="Opening")
    return thread


def _bulk_replies(db, world, thread, n):
    author = world.users["member_b"]
    key = poster_key(SECRET, author.id, thread.forum_id)
    db.add_all([Post(thread_id=thread.id, forum_id=thread.forum_id, author_id=author.id, author_key=key,
                     body_html=f"<p>reply {i}</p>", body_text=f"reply {i}") for i in range(n)])
    db.flush()


def _count_queries(db, work) -> int:
    statements = []

    def count(*_args):
        statements.append(1)

    engine = db.get_bind().engine
    event.listen(engine, "before_cursor_execute", count)
    try:
        work()
    finally:
        event.remove(engine, "before_cursor_execute", count)
    return len(statements)


def test_thread_page_takes_the_same_number_of_queries_for_10_or_1000_replies(db, world):
    small, large = _start(db, world), _start(db, world)
    _bulk_replies(db, world, small, 10)
    _bulk_replies(db, world, large, 1000)
    viewer = world.users["member_a"]
    counts = {}
    for name, thread in (("small", small), ("large", large)):
        db.expire_all()
        counts[name] = _count_queries(db, lambda t=thread: forums_posting.thread_page(
            db, viewer, get_thread(db, viewer, t.forum_id, t.id), SECRET, page=3))
    assert counts["small"] == counts["large"] <= 8
    page = forums_posting.thread_page(db, viewer, get_thread(db, viewer, large.forum_id, large.id), SECRET, 3)
    assert page.pages == 20 and len(page.replies) == 50 and page.total_replies == 1000


def test_digest_batches_new_posts_per_follower(db, world):
    thread = _start(db, world, author="member_a")
    forums_notifications.follow(db, world.users["member_a"], thread)
    poster = Poster(world.users["member_b"], SECRET)
    thread_loaded = get_thread(db, world.users["member_b"], thread.forum_id, thread.id)
    for i in range(3):
        forums_posting.reply(db, poster, thread_loaded, body=f"Digest news {i}")
    db.flush()
    before = db.scalar(select(OutboxEmail.id).order_by(OutboxEmail.id.desc()).limit(1)) or 0
    assert forums_notifications.send_digests(db, "http://testserver") == 1
    emails = list(db.scalars(select(OutboxEmail).where(OutboxEmail.id > before)))
    assert len(emails) == 1 and emails[0].to_address == world.users["member_a"].email
    assert "3 new posts" in emails[0].body_text and "Digest news 2" in emails[0].body_text
    assert forums_notifications.send_digests(db, "http://testserver") == 0  # nothing new since


def test_digest_never_includes_hidden_posts(db, world):
    thread = _start(db, world)
    forums_notifications.follow(db, world.users["member_a"], thread)
    loaded = get_thread(db, world.users["officer"], thread.forum_id, thread.id)
    post = forums_posting.reply(db, Poster(world.users["member_b"], SECRET), loaded, body="Hidden news")
    forums_moderation.hide(db, world.users["officer"], loaded.forum, post, reason="Rude")
    db.flush()
    assert forums_notifications.send_digests(db, "http://testserver") == 0


def test_evidence_has_visible_posts_tagged_by_organisation_type_and_no_anonymous_authors(db, world):
    public = _start(db, world, "public", "member_a")
    staff = _start(db, world, "staff", "member_c")
    loaded = get_thread(db, world.users["officer"], public.forum_id, public.id)
    hidden = forums_posting.reply(db, Poster(world.users["member_b"], SECRET), loaded, body="hidden text")
    forums_moderation.hide(db, world.users["officer"], loaded.forum, hidden, reason="Off topic")
    db.flush()
    texts = forums_evidence.forum_texts_for_review(db, world.review.id)
    assert "hidden text" not in [t.text for t in texts]
    by_kind = {t.kind: t for t in texts}
    assert by_kind["post"].organisation_type.value == "tenants_residents"
    assert by_kind["post"].forum == "Public forum"
    assert by_kind["staff_post"].organisation_type is None
    assert {t.id for t in texts if t.kind == "staff_post"} == {
        p.id for p in db.scalars(select(Post).where(Post.thread_id == staff.id))}
    assert db.get(Post, hidden.id).status == PostStatus.HIDDEN
