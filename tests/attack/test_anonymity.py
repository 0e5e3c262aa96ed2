"""The anonymity of staff posts, attacked as an operator would (decision 0080).

The attacker holds a copy of the database (every row of every table) and every setting
(SECRET_KEY included), but not the daily secret, which lives only in the running app's memory or
Redis. They try to name the author of each anonymous post, and to link two posts by one person.
Both must fail, while the poster can still see and edit their own post today and a moderator can
still stop them posting until the secret rotates.
"""

import hashlib
import hmac
import re
from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select, text

from app import anonymity
from app.models import Base
from app.models.forum import ModerationMode, Post, PostStatus, ThreadFollow
from app.models.user import Role
from app.services.forums.visibility import poster_key
from tests import factories
from tests.services.test_forums_visibility import build_world, fast_user, sign_in


def _signed_in(client, db, user):
    """A real sign-in (the form), as staff do: it records the account's activity times."""
    client.cookies.clear()
    client.sign_in(user.email, factories.PASSWORD)


def _post(client, forum, thread_url=None, body="words"):
    if thread_url is None:
        response = client.submit(f"/forums/{forum.id}/threads", {"title": "Rotas", "body": body})
        assert response.status_code == 303, response.text
        return response.headers["location"].split("?")[0]
    assert client.submit(f"{thread_url}/replies", {"body": body}).status_code == 303
    return thread_url


@pytest.fixture
def scene(db, client):
    """Five council employees post anonymously, each signing in just before; a named organiser
    posts in a public forum between each of them (ids and exact times to bracket them with)."""
    world = build_world(db)
    org_c = world.users["member_c"].organisation_id
    authors = [world.users["officer"], world.users["member_c"], world.users["admin"],
               fast_user(db, Role.MEMBER, org_c), fast_user(db, Role.OFFICER)]
    staff, public = world.forums["staff"], world.forums["public"]
    named = [world.users[who] for who in ("organiser_a", "member_a", "organiser_b", "member_b")]
    written = {}  # post id -> author id: the truth the attacker tries to find
    public_thread = None
    staff_thread = None
    for turn, author in enumerate(authors * 2):
        sign_in(client, db, named[turn % len(named)])
        public_thread = _post(client, public, public_thread, body=f"named {turn}")
        _signed_in(client, db, author)
        staff_thread = _post(client, staff, staff_thread if turn % 3 else None, body=f"anonymous {turn}")
        newest = db.scalar(select(Post).where(Post.forum_id == staff.id).order_by(Post.id.desc()))
        written[newest.id] = author.id
    sign_in(client, db, named[-1])
    _post(client, public, public_thread, body="named last")
    _signed_in(client, db, fast_user(db, Role.OFFICER))  # someone signs in afterwards too
    db.expire_all()
    return world, authors, written


def _dump(db) -> dict[str, list[dict]]:
    """Every row of every table, as a backup would hold it."""
    return {table: [dict(row._mapping) for row in db.execute(text(f"SELECT * FROM {table}"))]
            for table in Base.metadata.tables}


def _settings_secrets(settings) -> list[bytes]:
    values = [v for v in settings.model_dump().values() if isinstance(v, str) and v]
    derived = [hashlib.sha256(f"chorus-forum-poster-key|{settings.secret_key}".encode()).digest()]
    return [v.encode() for v in values] + derived


def _name_by_keys(dump, settings, user_ids, forum_id) -> dict[int, int]:
    """Try every account against each post's key, with every setting as the HMAC key."""
    named = {}
    for post in dump["forum_post"]:
        if post["forum_id"] != forum_id:
            continue
        for user_id in user_ids:
            if post["author_key"] == poster_key(settings.secret_key, user_id, forum_id):
                named[post["id"]] = user_id
            for secret in _settings_secrets(settings):
                for message in (f"{user_id}:{forum_id}", f"post|{user_id}|{forum_id}|{post['public_id']}",
                                f"{user_id}:{forum_id}:{post['public_id']}"):
                    if hmac.new(secret, message.encode(), hashlib.sha256).hexdigest() == post["author_key"]:
                        named[post["id"]] = user_id
    return named


def _when(value):
    """A stored time as an aware datetime (SQLite hands raw SELECTs back as text)."""
    if value is None:
        return None
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def _name_by_timing(dump, forum_id) -> dict[int, int]:
    """Bracket each anonymous post between named posts (by id), then name the one account that
    could post there (staff, or a member of a named service) whose sign-in or session activity
    falls inside that window, if exactly one does. With exact times this names authors."""
    services = {link["organisation_id"] for link in dump["forum_organisation"] if link["forum_id"] == forum_id}
    could_post = {u["id"] for u in dump["user_account"]
                  if u["role"] in ("admin", "officer") or u["organisation_id"] in services}
    named_posts = sorted((p["id"], _when(p["created_at"])) for p in dump["forum_post"] if p["forum_id"] != forum_id)
    activity = [(u["id"], _when(u["last_sign_in_at"])) for u in dump["user_account"] if u["last_sign_in_at"]]
    activity += [(s["user_id"], _when(s[column])) for s in dump["staff_session"]
                 for column in ("created_at", "last_seen_at")]
    activity += [(e["actor_id"], _when(e["created_at"])) for e in dump.get("audit_event", []) if e["actor_id"]]
    found = {}
    for post in dump["forum_post"]:
        if post["forum_id"] != forum_id:
            continue
        before = max((t for i, t in named_posts if i < post["id"]), default=None)
        after = min((t for i, t in named_posts if i > post["id"]), default=None)
        if before is None or after is None:
            continue
        candidates = {user for user, moment in activity if before <= moment <= after and user in could_post}
        if len(candidates) == 1:
            found[post["id"]] = candidates.pop()
    return found


def _links(dump, forum_id) -> list[tuple[int, int]]:
    """Pairs of anonymous posts that share any stored value a person would carry."""
    structural = {"id", "public_id", "thread_id", "forum_id", "is_opening", "status", "created_at",
                  "edited_at", "body_html", "body_text", "hidden_reason", "author_id"}
    posts = [p for p in dump["forum_post"] if p["forum_id"] == forum_id]
    pairs = []
    for column in set(posts[0]) - structural:
        groups = Counter(p[column] for p in posts)
        for value, count in groups.items():
            if count > 1:
                same = [p["id"] for p in posts if p[column] == value]
                pairs += [(a, b) for a in same for b in same if a < b]
    return pairs


def test_an_operator_with_the_database_and_settings_cannot_name_or_link_anonymous_authors(db, client, scene):
    world, _authors, written = scene
    dump, settings, forum_id = _dump(db), client.app.state.settings, world.forums["staff"].id
    assert len(written) == 10 and len(set(written.values())) == 5
    everyone = [u["id"] for u in dump["user_account"]]

    by_keys = _name_by_keys(dump, settings, everyone, forum_id)
    assert by_keys == {}, f"authors named from their keys: {by_keys}"
    by_timing = _name_by_timing(dump, forum_id)
    assert not {p: u for p, u in by_timing.items() if written.get(p) == u}, "authors named from times"
    same_author = {(a, b) for a in written for b in written if a < b and written[a] == written[b]}
    assert not same_author & set(_links(dump, forum_id)), "two posts by one person linked"
    # Nothing in any row points at an author: no author id, no activity finer than the grain.
    for post in dump["forum_post"]:
        if post["forum_id"] == forum_id:
            assert post["author_id"] is None and _when(post["created_at"]).minute == 0
    for user in dump["user_account"]:
        assert user["last_sign_in_at"] is None or _when(user["last_sign_in_at"]).minute % 5 == 0
        assert user["last_sign_in_at"] is None or _when(user["last_sign_in_at"]).second == 0
    for session in dump["staff_session"]:
        for column in ("created_at", "last_seen_at"):
            assert _when(session[column]).minute % 5 == 0 and _when(session[column]).second == 0


def test_anonymous_posts_are_addressed_by_random_public_ids_only(db, client, scene):
    world, _authors, _written = scene
    forum = world.forums["staff"]
    posts = list(db.scalars(select(Post).where(Post.forum_id == forum.id).order_by(Post.id)))
    sign_in(client, db, world.users["officer"])
    thread = client.get(f"/forums/{forum.id}/threads/{posts[0].thread_id}").text
    anchors = re.findall(r'id="post-([^"-]+)"', thread)
    assert anchors and all(not a.isdigit() for a in anchors)
    assert not re.search(r"/posts/\d+[/\"]", thread) and not re.search(r"after=\d+\b", thread)
    assert len({p.public_id for p in posts}) == len(posts)
    for post in posts[:3]:
        assert post.public_id in thread or post.thread_id != posts[0].thread_id
        assert client.get(f"/forums/{forum.id}/posts/{post.id}/history").status_code == 404
        assert client.get(f"/officer/forums/{forum.id}/posts/{post.id}").status_code == 404
        assert client.get(f"/officer/forums/{forum.id}/posts/{post.public_id}").status_code == 200
    queue = client.get("/officer/forums").text
    assert not re.search(r"/posts/\d+\"", queue)


def test_every_anonymous_post_takes_the_same_moderation_path(db, client):
    world = build_world(db)
    forum = world.forums["staff"]
    forum.moderation = ModerationMode.PRE
    db.flush()
    statuses = {}
    for who in ("officer", "admin", "member_c"):
        _signed_in(client, db, world.users[who])
        _post(client, forum, body=f"held? {who}")
        statuses[who] = db.scalar(select(Post.status).where(Post.forum_id == forum.id).order_by(Post.id.desc()))
    assert set(statuses.values()) == {PostStatus.PENDING}, statuses
    # The author sees their own held post (today); nobody else but moderators does.
    thread_id = db.scalar(select(Post.thread_id).where(Post.forum_id == forum.id).order_by(Post.id.desc()))
    page = client.get(f"/forums/{forum.id}/threads/{thread_id}").text
    assert "held? member_c" in page
    other = fast_user(db, Role.MEMBER, world.users["member_c"].organisation_id)
    sign_in(client, db, other)
    assert "held? member_c" not in client.get(f"/forums/{forum.id}/threads/{thread_id}").text
    # A locked thread takes no anonymous post from anyone, moderators included.
    sign_in(client, db, world.users["officer"])
    assert client.submit(f"/officer/forums/{forum.id}/threads/{thread_id}/lock", {"locked": "yes"}).status_code == 303
    response = client.submit(f"/forums/{forum.id}/threads/{thread_id}/replies", {"body": "moderator speaking"})
    assert response.status_code == 403


def test_edits_and_bars_last_only_until_the_daily_secret_rotates(db, client):
    world = build_world(db)
    forum = world.forums["staff"]
    author = world.users["member_c"]
    _signed_in(client, db, author)
    thread_url = _post(client, forum, body="first words")
    post = db.scalar(select(Post).where(Post.forum_id == forum.id))
    edit = f"/forums/{forum.id}/posts/{post.public_id}/edit"
    assert client.get(edit).status_code == 200
    assert client.submit(edit, {"body": "second words"}).status_code == 303
    sign_in(client, db, world.users["officer"])
    page = client.get(f"/officer/forums/{forum.id}/posts/{post.public_id}").text
    assert "Stop them posting for the rest of today" in page and "lasts at most a day" in page
    assert client.submit(f"/officer/forums/{forum.id}/posts/{post.public_id}/bar",
                         {"reason": "Abusive"}).status_code == 303
    _signed_in(client, db, author)
    assert client.submit(f"{thread_url}/replies", {"body": "still here"}).status_code == 403
    # Someone else in the same forum is not stopped.
    sign_in(client, db, fast_user(db, Role.MEMBER, author.organisation_id))
    assert client.submit(f"{thread_url}/replies", {"body": "a colleague"}).status_code == 303
    # The secret rotates (midnight, or a restart): nobody can be recognised any more.
    anonymity.current().forget()
    sign_in(client, db, author)
    assert client.get(edit).status_code == 404
    assert client.submit(f"{thread_url}/replies", {"body": "back again"}).status_code == 303
    # A post from an earlier day cannot be used to bar anyone; the moderator is told why.
    post.created_at -= timedelta(days=1)
    db.flush()
    sign_in(client, db, world.users["officer"])
    refused = client.submit(f"/officer/forums/{forum.id}/posts/{post.public_id}/bar", {"reason": "Old"})
    assert refused.status_code == 422 and "Hide the post instead" in refused.text


def test_following_right_after_posting_does_not_point_at_the_post(db, client):
    world = build_world(db)
    forum = world.forums["staff"]
    author = world.users["member_c"]
    sign_in(client, db, world.users["officer"])
    thread_url = _post(client, forum, body="an opening from someone else")
    sign_in(client, db, author)
    _post(client, forum, thread_url, body="my reply")
    assert client.submit(f"{thread_url}/follow", {"action": "follow"}).status_code == 303
    mine = db.scalar(select(Post).where(Post.forum_id == forum.id).order_by(Post.id.desc()))
    follow = db.scalar(select(ThreadFollow).where(ThreadFollow.user_id == author.id))
    assert follow.last_seen_post_id < mine.id and follow.last_seen_post_id not in written_ids(db, forum)
    assert _when(follow.created_at).minute == 0 and _when(follow.created_at).second == 0


def written_ids(db, forum) -> set[int]:
    """Posts of this hour in the forum: none of them may be the follow's starting point."""
    hour = datetime.now(UTC).replace(minute=0, second=0, microsecond=0)
    return set(db.scalars(select(Post.id).where(Post.forum_id == forum.id, Post.created_at >= hour)))
