"""Anonymous staff posts cannot be traced: no page, export, API answer or database row the app
offers names the author, even to officers and admins."""

from sqlalchemy import inspect, select

from app.models.audit import AuditEvent
from app.models.forum import Post, PostRevision, ThreadFollow
from app.models.outbox import OutboxEmail
from app.services.forums.visibility import get_forum, poster_key
from tests.services.test_forums_visibility import SECRET, build_world, sign_in


def test_staff_posts_leave_no_trace_of_their_author(db, client):
    world = build_world(db)
    author = world.users["member_c"]
    forum = world.forums["staff"]
    sign_in(client, db, author)
    created = client.submit(f"/forums/{forum.id}/threads", {"title": "Rotas", "body": "Fifteen-minute visits"})
    assert created.status_code == 303
    thread_url = created.headers["location"].split("?")[0]
    thread_id = int(thread_url.rsplit("/", 1)[1])
    assert client.submit(f"{thread_url}/replies", {"body": "And no travel time"}).status_code == 303
    posts = list(db.scalars(select(Post).where(Post.forum_id == forum.id)))
    assert len(posts) == 2
    edited = client.submit(f"/forums/{forum.id}/posts/{posts[0].public_id}/edit", {"body": "Ten-minute visits"})
    assert edited.status_code == 303
    client.submit(f"/forums/{forum.id}/posts/{posts[1].public_id}/report", {"reason": "testing reports"})
    db.expire_all()

    # The rows: no author id, a key of their own that the settings cannot recompute; the hour only.
    keys = set()
    for post in db.scalars(select(Post).where(Post.forum_id == forum.id)):
        assert post.author_id is None
        assert post.author_key != poster_key(SECRET, author.id, forum.id) and post.author_key not in keys
        keys.add(post.author_key)
        assert str(author.id) != post.author_key and author.email not in post.author_key
        assert post.created_at.minute == 0 and post.created_at.second == 0
        _assert_row_free_of(post, author)
    for revision in db.scalars(select(PostRevision)):
        _assert_row_free_of(revision, author)
    # Nothing else ties the author to the thread: no follow, no audit event, no email.
    assert db.scalar(select(ThreadFollow).where(ThreadFollow.user_id == author.id)) is None
    assert db.scalar(select(AuditEvent).where(AuditEvent.actor_id == author.id)) is None
    assert db.scalar(select(OutboxEmail).where(OutboxEmail.body_text.contains(author.email))) is None

    # Every page, export and API answer the app offers, seen by every kind of reader.
    urls = ["/forums", f"/forums/{forum.id}", thread_url, f"{thread_url}?page=1",
            f"{thread_url}/new-replies?after=0", "/forums/search?q=visits",
            "/officer/forums", f"/officer/forums/{forum.id}", f"/officer/forums/{forum.id}/export.csv",
            "/admin/users", "/api/v1/forums"]
    urls += [f"/forums/{forum.id}/posts/{p.public_id}/history" for p in posts]
    urls += [f"/officer/forums/{forum.id}/posts/{p.public_id}" for p in posts]
    for reader in ("officer", "admin"):
        sign_in(client, db, world.users[reader])
        for url in urls:
            if url == "/admin/users" and reader != "admin":
                continue
            response = client.get(url)
            assert response.status_code == 200, (reader, url)
            if url == "/admin/users":
                continue  # lists every account by design; checked below for a tie to the forum
            body = response.text
            assert author.email not in body and author.display_name not in body, (reader, url)
            assert f"/users/{author.id}" not in body and posts[0].author_key not in body, (reader, url)
        assert "Council employee (anonymous)" in client.get(thread_url).text
    users_page = client.get("/admin/users").text
    assert "Rotas" not in users_page and forum.title not in users_page
    assert thread_id


def _assert_row_free_of(row, author) -> None:
    for attribute in inspect(row).mapper.column_attrs:
        value = getattr(row, attribute.key)
        if attribute.key.endswith("_id") and attribute.key not in ("author_id",):
            continue  # its own keys: post, thread and forum ids
        assert value != author.id or attribute.key == "id", attribute.key
        if isinstance(value, str):
            assert author.email not in value and author.display_name not in value, attribute.key


def test_a_barred_anonymous_poster_cannot_post_and_nobody_learns_who(db, client):
    world = build_world(db)
    forum = world.forums["staff"]
    sign_in(client, db, world.users["member_c"])
    created = client.submit(f"/forums/{forum.id}/threads", {"title": "Abuse", "body": "rude words"})
    thread_url = created.headers["location"].split("?")[0]
    post = db.scalar(select(Post).where(Post.forum_id == forum.id))
    sign_in(client, db, world.users["officer"])
    assert client.submit(f"/officer/forums/{forum.id}/posts/{post.public_id}/bar",
                         {"reason": "Abusive"}).status_code == 303
    sign_in(client, db, world.users["member_c"])
    assert client.submit(f"{thread_url}/replies", {"body": "more"}).status_code == 403
    event = db.scalar(select(AuditEvent).where(AuditEvent.action == "forum_post.bar_poster"))
    assert event.actor_id == world.users["officer"].id
    assert str(world.users["member_c"].id) not in str(event.detail.values())
    assert get_forum(db, world.users["officer"], forum.id).is_anonymous
