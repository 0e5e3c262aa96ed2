"""Every form an organiser or officer has on the forum screens, submitted as a browser would.

Each test opens the page, fills the rendered form by its labels (tests/forms.py reads the field
names, hidden inputs and CSRF token from the HTML), presses the button and checks the effect in the
database and on the next page. A template that renamed a field would fail here, as "Hide post" once
did (the field was renamed with |replace and every reason came back as "Enter the reason").
"""

import pytest
from sqlalchemy import select

from app.models.audit import AuditEvent
from app.models.forum import Forum, ForumBan, ModerationMode, Post, PostReport, PostStatus, Thread
from app.services.forums import moderation as forums_moderation
from app.services.forums import posting as forums_posting
from app.services.forums.posting import Poster
from app.services.forums.visibility import get_forum
from tests.forms import find_form, submit_form
from tests.helpers import page, text_of
from tests.services.test_forums_visibility import SECRET, build_world, sign_in


@pytest.fixture
def world(db):
    return build_world(db)


def _reply(db, world, *, pre=False, body="Offensive words about a named carer"):
    forum = get_forum(db, world.users["admin"], world.forums["public"].id)
    thread, _ = forums_posting.start_thread(db, Poster(world.users["officer"], SECRET), forum,
                                            title="Evening visits", body="Opening words")
    if pre:
        forum.moderation = ModerationMode.PRE
    reply = forums_posting.reply(db, Poster(world.users["member_b"], SECRET), thread, body=body)
    db.flush()
    return forum, thread, reply


def _audit(db, action):
    return db.scalars(select(AuditEvent).where(AuditEvent.action == action)).all()


def _post_url(forum, post):
    return f"/officer/forums/{forum.id}/posts/{post.public_id}"


class TestModerationDecisions:
    def test_hide_post_with_a_typed_reason(self, db, client, world):
        forum, thread, reply = _reply(db, world)
        sign_in(client, db, world.users["organiser_a"])
        response = submit_form(client, _post_url(forum, reply), f"{_post_url(forum, reply)}/hide",
                               {"Reason, shown in place of the post": "Names a care worker"}, press="Hide post")
        assert response.status_code == 303, text_of(response)
        db.expire_all()
        hidden = db.get(Post, reply.id)
        assert hidden.status == PostStatus.HIDDEN and hidden.hidden_reason == "Names a care worker"
        done = client.get(response.headers["location"])
        assert "Done. The action is recorded in the audit log." in text_of(done)
        [event] = _audit(db, "forum_post.hide")
        assert event.actor_id == world.users["organiser_a"].id
        sign_in(client, db, world.users["member_a"])
        thread_page = text_of(client.get(f"/forums/{forum.id}/threads/{thread.id}"))
        assert "Names a care worker" in thread_page and "Offensive words" not in thread_page

    def test_restore_a_hidden_post(self, db, client, world):
        forum, _, reply = _reply(db, world)
        forums_moderation.hide(db, world.users["officer"], forum, reply, reason="Mistake")
        db.flush()
        sign_in(client, db, world.users["organiser_a"])
        response = submit_form(client, _post_url(forum, reply), f"{_post_url(forum, reply)}/restore",
                               press="Restore post")
        assert response.status_code == 303
        db.expire_all()
        assert db.get(Post, reply.id).status == PostStatus.PUBLISHED and _audit(db, "forum_post.restore")

    def test_stop_them_posting(self, db, client, world):
        forum, thread, reply = _reply(db, world)
        sign_in(client, db, world.users["organiser_a"])
        response = submit_form(client, _post_url(forum, reply), f"{_post_url(forum, reply)}/bar",
                               {"Reason": "Repeated abuse of staff"}, press="Stop them posting")
        assert response.status_code == 303, text_of(response)
        ban = db.scalar(select(ForumBan).where(ForumBan.forum_id == forum.id))
        assert ban.reason == "Repeated abuse of staff" and _audit(db, "forum_post.bar_poster")
        sign_in(client, db, world.users["member_b"])
        refused = client.submit(f"/forums/{forum.id}/threads/{thread.id}/replies", {"body": "More words"})
        assert refused.status_code in (403, 422)
        assert db.scalar(select(Post.id).where(Post.body_text == "More words")) is None

    def test_a_barred_poster_is_told_instead_of_offered_a_form(self, db, client, world):
        forum, thread, reply = _reply(db, world)
        sign_in(client, db, world.users["organiser_a"])
        submit_form(client, _post_url(forum, reply), f"{_post_url(forum, reply)}/bar",
                    {"Reason": "Repeated abuse of staff"}, press="Stop them posting")
        sign_in(client, db, world.users["member_b"])
        for url in (f"/forums/{forum.id}", f"/forums/{forum.id}/threads/{thread.id}"):
            html = page(client.get(url))
            assert "A moderator has stopped you posting in this forum." in html.get_text(" ")
            assert html.find("textarea", attrs={"name": "body"}) is None
        sign_in(client, db, world.users["member_a"])  # nobody else is affected
        assert page(client.get(f"/forums/{forum.id}/threads/{thread.id}")).find(
            "textarea", attrs={"name": "body"}) is not None

    def test_approve_and_reject_held_posts(self, db, client, world):
        forum, thread, held = _reply(db, world, pre=True, body="Held for approval")
        other = forums_posting.reply(db, Poster(world.users["member_b"], SECRET), thread, body="Also held")
        db.flush()
        assert held.status == PostStatus.PENDING and other.status == PostStatus.PENDING
        sign_in(client, db, world.users["organiser_a"])
        approved = submit_form(client, _post_url(forum, held), f"{_post_url(forum, held)}/approve",
                               press="Approve and publish")
        assert approved.status_code == 303
        rejected = submit_form(client, _post_url(forum, other), f"{_post_url(forum, other)}/reject",
                               {"Reason for not publishing": "Off topic"}, press="Do not publish")
        assert rejected.status_code == 303, text_of(rejected)
        db.expire_all()
        assert db.get(Post, held.id).status == PostStatus.PUBLISHED
        rejected_post = db.get(Post, other.id)
        assert rejected_post.status == PostStatus.REJECTED and rejected_post.hidden_reason == "Off topic"
        assert _audit(db, "forum_post.approve") and _audit(db, "forum_post.reject")

    def test_dismiss_reports(self, db, client, world):
        forum, _, reply = _reply(db, world)
        forums_moderation.report(db, world.users["member_a"], reply, reason="Rude")
        db.flush()
        sign_in(client, db, world.users["organiser_a"])
        response = submit_form(client, _post_url(forum, reply), f"{_post_url(forum, reply)}/dismiss",
                               press="Dismiss reports: the post is fine")
        assert response.status_code == 303
        assert db.scalar(select(PostReport.resolved_at).where(PostReport.post_id == reply.id)) is not None
        assert "No open reports." in text_of(client.get(_post_url(forum, reply)))

    @pytest.mark.parametrize("action,label,button", [
        ("hide", "Reason, shown in place of the post", "Hide post"),
        ("bar", "Reason", "Stop them posting"),
    ])
    def test_a_blank_reason_is_explained_and_the_error_links_to_the_box(self, db, client, world, action,
                                                                         label, button):
        forum, _, reply = _reply(db, world)
        sign_in(client, db, world.users["organiser_a"])
        response = submit_form(client, _post_url(forum, reply), f"{_post_url(forum, reply)}/{action}",
                               {label: "   "}, press=button)
        assert response.status_code == 422
        html = page(response)
        link = html.select_one(".error-summary-list a")
        assert link.get_text() == "Enter the reason"
        box = html.find(id=link["href"][1:])
        assert box is not None and box.name == "textarea" and box["name"] == "reason"
        assert box.get_text() == "   " and box.get("aria-invalid") == "true"
        form = find_form(response.text, f"{_post_url(forum, reply)}/{action}")
        assert form.find("textarea")["id"] == box["id"]
        db.expire_all()
        assert db.get(Post, reply.id).status == PostStatus.PUBLISHED

    def test_the_reject_reason_is_kept_when_refused(self, db, client, world):
        forum, _, held = _reply(db, world, pre=True)
        sign_in(client, db, world.users["organiser_a"])
        response = submit_form(client, _post_url(forum, held), f"{_post_url(forum, held)}/reject",
                               {"Reason for not publishing": " "}, press="Do not publish")
        assert response.status_code == 422
        assert page(response).find(id="reject-reason")["name"] == "reason"


class TestThreadAndForumForms:
    def test_lock_and_unlock_from_the_post_page(self, db, client, world):
        forum, thread, reply = _reply(db, world)
        sign_in(client, db, world.users["organiser_a"])
        url = f"/officer/forums/{forum.id}/threads/{thread.id}/lock"
        assert submit_form(client, _post_url(forum, reply), url, press="Lock thread").status_code == 303
        db.expire_all()
        assert db.get(Thread, thread.id).is_locked
        assert submit_form(client, _post_url(forum, reply), url, press="Unlock thread").status_code == 303
        db.expire_all()
        assert not db.get(Thread, thread.id).is_locked
        assert _audit(db, "forum_thread.lock") and _audit(db, "forum_thread.unlock")

    def test_pin_and_lock_from_the_thread_page(self, db, client, world):
        forum, thread, _ = _reply(db, world)
        sign_in(client, db, world.users["organiser_a"])
        thread_url = f"/forums/{forum.id}/threads/{thread.id}"
        submit_form(client, thread_url, f"/officer/forums/{forum.id}/threads/{thread.id}/pin",
                    press="Pin this thread to the top")
        submit_form(client, thread_url, f"/officer/forums/{forum.id}/threads/{thread.id}/lock",
                    press="Lock this thread")
        db.expire_all()
        saved = db.get(Thread, thread.id)
        assert saved.is_pinned and saved.is_locked
        assert "Unpin this thread" in client.get(thread_url).text

    def test_settings(self, db, client, world):
        forum = world.forums["public"]
        sign_in(client, db, world.users["organiser_a"])
        response = submit_form(client, f"/officer/forums/{forum.id}", f"/officer/forums/{forum.id}/settings", {
            "Pinned question": "What would make evening visits better?",
            "After a moderator approves each one": True, "Closed": True}, press="Save settings")
        assert response.status_code == 303
        assert "Settings saved." in text_of(client.get(response.headers["location"]))
        db.expire_all()
        saved = db.get(Forum, forum.id)
        assert saved.prompt == "What would make evening visits better?"
        assert saved.moderation == ModerationMode.PRE and not saved.is_open

    def test_record_a_meeting(self, db, client, world):
        forum = world.forums["public"]
        sign_in(client, db, world.users["organiser_a"])
        response = submit_form(client, f"/officer/forums/{forum.id}", f"/officer/forums/{forum.id}/meetings", {
            "Date of the meeting": "2026-11-23", "Title": "Tenants' meeting",
            "Tenants A": True, "Notes": "Visits are rushed after 6pm."}, press="Record meeting")
        assert response.status_code == 303, text_of(response)
        assert "Visits are rushed after 6pm." in text_of(client.get(f"/forums/{forum.id}"))

    def test_set_up_a_forum(self, db, client, world):
        sign_in(client, db, world.users["officer"])
        response = submit_form(client, "/officer/forums/new", "/officer/forums/new", {
            "Title": "Day centres", "Review it belongs to": world.review.title,
            "Public: anyone can read": True, "Short description": "Talk about day centres"},
            press="Set up forum")
        assert response.status_code == 303, text_of(response)
        forum = db.scalar(select(Forum).where(Forum.title == "Day centres"))
        assert forum is not None and forum.description == "Talk about day centres"


class TestOrganiserScreens:
    def test_the_queue_shows_what_each_post_says(self, db, client, world):
        forum, _, reply = _reply(db, world, body="The evening carer never stays the full half hour")
        forums_moderation.report(db, world.users["member_a"], reply, reason="Names a carer")
        db.flush()
        sign_in(client, db, world.users["organiser_a"])
        for url in ("/officer/forums", f"/officer/forums/{forum.id}"):
            excerpt = page(client.get(url)).select_one(".queue-excerpt")
            assert excerpt.get_text() == "\u201cThe evening carer never stays the full half hour\u201d"

    def test_the_audit_trail_lists_decisions_with_who_and_why(self, db, client, world):
        forum, _, reply = _reply(db, world)
        sign_in(client, db, world.users["organiser_a"])
        manage = page(client.get(f"/officer/forums/{forum.id}"))
        trail_url = manage.find("a", string="Audit trail")["href"]
        submit_form(client, _post_url(forum, reply), f"{_post_url(forum, reply)}/hide",
                    {"Reason, shown in place of the post": "Names a care worker"}, press="Hide post")
        rows = [[cell.get_text(" ", strip=True) for cell in row.find_all("td")]
                for row in page(client.get(trail_url)).select("tbody tr")]
        hid = next(row for row in rows if row[2].startswith("Hid a post"))
        assert hid[1] == world.users["organiser_a"].display_name and hid[3] == "Names a care worker"
        assert world.users["member_b"].display_name not in str(rows)  # the poster is never named
        sign_in(client, db, world.users["member_a"])
        assert client.get(trail_url).status_code == 404

    def test_an_empty_set_up_form_reports_every_mistake(self, db, client, world):
        sign_in(client, db, world.users["officer"])
        response = submit_form(client, "/officer/forums/new", "/officer/forums/new", press="Set up forum")
        assert response.status_code == 422
        links = {a["href"]: a.get_text() for a in page(response).select(".error-summary-list a")}
        assert links == {"#title": "Enter a title for the forum",
                         "#review_id": "Choose the review this forum belongs to, or none",
                         "#visibility": "Choose who can read the forum"}
        for anchor in links:
            assert page(response).find(id=anchor[1:]) is not None
