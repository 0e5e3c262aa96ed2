"""Forum pages: visibility by every route and the API, posting with and without HTMX, sanitising,
rate limits, moderation with its audit trail, pre-moderation, and the live reply indicator."""

import pytest
from sqlalchemy import select

from app.models.audit import AuditEvent
from app.models.forum import ModerationMode, Post, PostStatus
from app.services.forums import posting as forums_posting
from app.services.forums.posting import Poster
from app.services.forums.visibility import get_forum
from tests.helpers import page, text_of
from tests.services.test_forums_visibility import READERS, SECRET, build_world, sign_in

HTMX = {"HX-Request": "true"}


@pytest.fixture
def world(db):
    return build_world(db)


def _thread(db, world, forum_name, author="officer", body="Opening words", title="A thread"):
    forum = get_forum(db, world.users["admin"], world.forums[forum_name].id)
    thread, post = forums_posting.start_thread(db, Poster(world.users[author], SECRET), forum,
                                               title=title, body=body)
    db.flush()
    return forum, thread, post


class TestVisibilityByEveryRoute:
    def test_each_role_reads_only_what_it_may(self, db, client, world):
        threads = {name: _thread(db, world, name, body=f"secret words of {name}") for name in world.forums}
        for who, user in world.users.items():
            sign_in(client, db, user)
            listing = client.get("/forums").text
            for name, (forum, thread, post) in threads.items():
                urls = [f"/forums/{forum.id}", f"/forums/{forum.id}/threads/{thread.id}",
                        f"/forums/{forum.id}/threads/{thread.id}/new-replies?after=0",
                        f"/forums/{forum.id}/posts/{post.public_id}/history",
                        f"/forums/{forum.id}/posts/{post.public_id}/report"]
                allowed = who in READERS[name]
                for url in urls:
                    status = client.get(url).status_code
                    assert status == (200 if allowed else 404), (who, name, url, status)
                assert (forum.title in listing) is allowed, (who, name)
                found = client.get("/forums/search", params={"q": f"secret words of {name}"}).text
                assert (f"/threads/{thread.id}\"" in found) is allowed, (who, name)
                if not allowed and user is not None:
                    reply = client.submit(f"/forums/{forum.id}/threads/{thread.id}/replies", {"body": "hi"})
                    assert reply.status_code == 404
                    assert client.get(f"/officer/forums/{forum.id}").status_code == 404
                    assert client.get(f"/officer/forums/{forum.id}/export.csv").status_code == 404

    def test_the_api_shows_public_forums_only_even_to_a_signed_in_member(self, db, client, world):
        threads = {name: _thread(db, world, name) for name in world.forums}
        sign_in(client, db, world.users["member_b"])
        listed = {f["title"] for f in client.get("/api/v1/forums").json()}
        assert listed == {"Public forum"}
        for name, (forum, thread, _post) in threads.items():
            expected = 200 if name == "public" else 404
            assert client.get(f"/api/v1/forums/{forum.id}/threads").status_code == expected
            assert client.get(f"/api/v1/forums/{forum.id}/threads/{thread.id}").status_code == expected
        assert "/api/v1/forums" in client.get("/openapi.json").text


class TestPosting:
    def test_reply_without_javascript_redirects_to_the_reply(self, db, client, world):
        forum, thread, _ = _thread(db, world, "public")
        sign_in(client, db, world.users["member_a"])
        response = client.submit(f"/forums/{forum.id}/threads/{thread.id}/replies",
                                 {"body": "We need longer visits."})
        assert response.status_code == 303
        followed = client.get(response.headers["location"])
        assert "We need longer visits." in followed.text and "Your reply has been posted" in followed.text

    def test_htmx_reply_returns_the_reply_list_fragment(self, db, client, world):
        forum, thread, _ = _thread(db, world, "public")
        sign_in(client, db, world.users["member_a"])
        response = client.submit(f"/forums/{forum.id}/threads/{thread.id}/replies",
                                 {"body": "Carers need respite."}, headers=HTMX)
        assert response.status_code == 200
        assert response.text.lstrip().startswith('<section id="replies"')
        assert "<html" not in response.text and "Carers need respite." in response.text
        assert response.headers["vary"].startswith("HX-Request")

    def test_empty_reply_rerenders_with_an_error_summary(self, db, client, world):
        forum, thread, _ = _thread(db, world, "public")
        sign_in(client, db, world.users["member_a"])
        for headers in ({}, HTMX):
            response = client.submit(f"/forums/{forum.id}/threads/{thread.id}/replies", {"body": "  "},
                                     headers=headers)
            assert response.status_code == 422
            assert 'href="#body"' in response.text

    def test_the_thread_form_is_a_real_form_with_htmx_on_top(self, db, client, world):
        forum, thread, _ = _thread(db, world, "public")
        sign_in(client, db, world.users["member_a"])
        form = page(client.get(f"/forums/{forum.id}/threads/{thread.id}")).select_one("#replies form")
        assert form["action"] == form["hx-post"] and form["method"] == "post"
        assert form.select_one("input[name=csrf_token]") and form.select_one("label[for=body]")

    def test_start_thread_and_sanitised_formatting(self, db, client, world):
        forum = world.forums["public"]
        sign_in(client, db, world.users["member_a"])
        body = ('<script>alert("x")</script><p onclick="evil()">Hello</p>\n\n'
                '<a href="javascript:alert(1)">click</a> see https://example.org/x\n\n- one\n- two')
        response = client.submit(f"/forums/{forum.id}/threads", {"title": "Formatting", "body": body})
        assert response.status_code == 303
        html = client.get(response.headers["location"]).text
        assert "alert(" not in html and "onclick" not in html and "javascript:" not in html
        assert '<a href="https://example.org/x" rel="nofollow ugc noopener">' in html
        assert "<li>one</li>" in html

    def test_anonymous_visitor_is_sent_to_sign_in_to_post(self, db, client, world):
        forum, thread, _ = _thread(db, world, "public")
        response = client.submit(f"/forums/{forum.id}/threads/{thread.id}/replies", {"body": "hello"})
        assert response.status_code == 303 and response.headers["location"].startswith("/sign-in")

    def test_posting_is_rate_limited(self, db, client, world):
        forum, thread, _ = _thread(db, world, "public")
        sign_in(client, db, world.users["member_a"])
        statuses = [client.submit(f"/forums/{forum.id}/threads/{thread.id}/replies",
                                  {"body": f"reply {i}"}).status_code for i in range(6)]
        assert statuses == [303] * 5 + [429]

    def test_new_accounts_may_include_only_a_few_links(self, db, client, world):
        forum, thread, _ = _thread(db, world, "public")
        sign_in(client, db, world.users["member_a"])
        body = " ".join(f"https://example.org/{i}" for i in range(3))
        response = client.submit(f"/forums/{forum.id}/threads/{thread.id}/replies", {"body": body})
        assert response.status_code == 422 and "up to 2 links" in response.text

    def test_edit_keeps_history(self, db, client, world):
        forum, thread, post = _thread(db, world, "public", author="member_a", body="First version")
        sign_in(client, db, world.users["member_a"])
        response = client.submit(f"/forums/{forum.id}/posts/{post.public_id}/edit", {"body": "Second version"})
        assert response.status_code == 303
        assert "Second version" in client.get(f"/forums/{forum.id}/threads/{thread.id}").text
        assert "First version" in client.get(f"/forums/{forum.id}/posts/{post.public_id}/history").text
        sign_in(client, db, world.users["member_b"])
        assert client.get(f"/forums/{forum.id}/posts/{post.public_id}/edit").status_code == 404

    def test_new_reply_indicator(self, db, client, world):
        forum, thread, post = _thread(db, world, "public")
        url = f"/forums/{forum.id}/threads/{thread.id}/new-replies?after={post.id}"
        assert "new repl" not in client.get(url).text
        for i in range(3):
            forums_posting.reply(db, Poster(world.users["member_a"], SECRET), thread, body=f"news {i}")
        db.flush()
        fragment = client.get(url, headers=HTMX)
        assert "3 new replies — show them" in text_of(fragment)
        assert 'hx-trigger="every 20s"' in fragment.text


class TestModeration:
    def test_organiser_hides_a_post_with_a_reason_shown_in_its_place(self, db, client, world):
        forum, thread, _ = _thread(db, world, "public")
        reply = forums_posting.reply(db, Poster(world.users["member_b"], SECRET), thread,
                                     body="Offensive words about a named carer")
        db.flush()
        sign_in(client, db, None)
        report = client.submit(f"/forums/{forum.id}/posts/{reply.public_id}/report", {"reason": "Names a carer"})
        assert report.status_code == 303
        sign_in(client, db, world.users["organiser_a"])
        assert f"Post {reply.public_id}" in client.get("/officer/forums").text
        response = client.submit(f"/officer/forums/{forum.id}/posts/{reply.public_id}/hide",
                                 {"reason": "Names a care worker"})
        assert response.status_code == 303
        sign_in(client, db, world.users["member_a"])
        html = client.get(f"/forums/{forum.id}/threads/{thread.id}").text
        assert "Names a care worker" in html and "Offensive words" not in html
        assert "Offensive words" not in client.get(f"/api/v1/forums/{forum.id}/threads/{thread.id}").text
        event = db.scalar(select(AuditEvent).where(AuditEvent.action == "forum_post.hide"))
        assert event.actor_id == world.users["organiser_a"].id and event.object_id == reply.id
        sign_in(client, db, world.users["officer"])
        client.submit(f"/officer/forums/{forum.id}/posts/{reply.public_id}/restore")
        assert db.get(Post, reply.id).status == PostStatus.PUBLISHED

    def test_hiding_needs_a_reason(self, db, client, world):
        forum, _, post = _thread(db, world, "public")
        sign_in(client, db, world.users["officer"])
        response = client.submit(f"/officer/forums/{forum.id}/posts/{post.public_id}/hide", {"reason": ""})
        assert response.status_code == 422 and 'href="#hide-reason"' in response.text

    def test_members_cannot_moderate(self, db, client, world):
        forum, _, post = _thread(db, world, "public")
        sign_in(client, db, world.users["member_a"])
        assert client.submit(f"/officer/forums/{forum.id}/posts/{post.public_id}/hide",
                             {"reason": "x"}).status_code == 404
        assert db.get(Post, post.id).status == PostStatus.PUBLISHED

    def test_locked_thread_takes_no_replies(self, db, client, world):
        forum, thread, _ = _thread(db, world, "public")
        sign_in(client, db, world.users["officer"])
        client.submit(f"/officer/forums/{forum.id}/threads/{thread.id}/lock", {"locked": "yes"})
        sign_in(client, db, world.users["member_a"])
        assert client.submit(f"/forums/{forum.id}/threads/{thread.id}/replies",
                             {"body": "late"}).status_code == 403
        assert db.scalar(select(AuditEvent.id).where(AuditEvent.action == "forum_thread.lock"))

    def test_organiser_pins_a_thread_to_the_top_from_the_thread_page(self, db, client, world):
        forum, older, _ = _thread(db, world, "public", title="Older thread")
        _thread(db, world, "public", title="Newer thread")
        sign_in(client, db, world.users["organiser_a"])
        thread_page = client.get(f"/forums/{forum.id}/threads/{older.id}")
        assert "Pin this thread to the top" in thread_page.text and "Lock this thread" in thread_page.text
        assert client.submit(f"/officer/forums/{forum.id}/threads/{older.id}/pin",
                             {"pinned": "yes"}).status_code == 303
        listing = client.get(f"/forums/{forum.id}").text
        assert listing.index("Older thread") < listing.index("Newer thread") and "Pinned" in listing
        assert db.scalar(select(AuditEvent.id).where(AuditEvent.action == "forum_thread.pin"))
        assert "Unpin this thread" in client.get(f"/forums/{forum.id}/threads/{older.id}").text
        sign_in(client, db, world.users["member_a"])
        assert "Pin this thread" not in client.get(f"/forums/{forum.id}/threads/{older.id}").text
        assert client.submit(f"/officer/forums/{forum.id}/threads/{older.id}/pin",
                             {"pinned": "no"}).status_code == 404
        db.expire_all()
        assert db.get(type(older), older.id).is_pinned

    def test_pre_moderation_holds_posts_until_approved(self, db, client, world):
        forum, thread, _ = _thread(db, world, "public")
        get_forum(db, world.users["admin"], forum.id).moderation = ModerationMode.PRE
        db.flush()
        sign_in(client, db, world.users["member_a"])
        client.submit(f"/forums/{forum.id}/threads/{thread.id}/replies", {"body": "Held words"})
        held = db.scalar(select(Post).where(Post.body_text == "Held words"))
        assert held.status == PostStatus.PENDING
        assert "Held words" in client.get(f"/forums/{forum.id}/threads/{thread.id}").text  # the author
        sign_in(client, db, world.users["member_b"])
        assert "Held words" not in client.get(f"/forums/{forum.id}/threads/{thread.id}").text
        sign_in(client, db, world.users["organiser_a"])
        client.submit(f"/officer/forums/{forum.id}/posts/{held.public_id}/approve")
        sign_in(client, db, world.users["member_b"])
        assert "Held words" in client.get(f"/forums/{forum.id}/threads/{thread.id}").text
