"""Residents' pages (issue 27), on both databases, every form filled from the rendered HTML: asking for a
link (the same answer for every address), signing in from the emailed link, replying in a public forum,
following a consultation and a petition, My Chorus with its download and deletion, and a moderator's
suspension."""

import json
import re

import pytest
from sqlalchemy import select

from app.auth import SESSION_COOKIE
from app.models.audit import AuditEvent
from app.models.finding import ResultsSubscriber
from app.models.forum import Post
from app.models.outbox import OutboxEmail
from app.models.resident import PetitionFollow
from app.models.user import Role, StaffSession, User
from app.services.forums import posting as forums_posting
from app.services.forums.posting import Poster
from app.services.forums.visibility import get_forum
from tests.forms import submit_form
from tests.services import consultation_helpers as make
from tests.services import test_petitions_factories as petition_factories
from tests.services.test_forums_visibility import SECRET, build_world, fast_user, sign_in
from tests.services.test_panels import make_panel

ADDRESS = "ffion.resident@example.org"


def _link_in_outbox(db, address=ADDRESS) -> str:
    email = db.scalars(
        select(OutboxEmail).where(OutboxEmail.to_address == address).order_by(OutboxEmail.id.desc())
    ).first()
    return re.search(
        r"https?://[^/\s]+(/sign-in/email/[A-Za-z0-9_-]+(\?next=[^\s]*)?)", email.body_text
    ).group(1)


def sign_up(client, db, address=ADDRESS, name="Ffion", next_path="", links=None) -> User:
    """Ask for a link on the page, open it from the outbox, create the account on the rendered form."""
    page = "/sign-in/email" + (f"?next={next_path}" if next_path else "")
    asked = submit_form(client, page, "/sign-in/email", {"Email address": address})
    assert asked.status_code == 303 and asked.headers["location"] == "/sign-in/email/sent"
    link = _link_in_outbox(db, address)
    if links is not None:
        links.append(link)
    done = submit_form(
        client,
        link,
        link.split("?")[0],
        {"Your name, as shown with your forum replies": name, "English": True},
    )
    assert done.status_code == 303, done.text
    return db.scalar(select(User).where(User.email == address))


def test_asking_for_a_link_answers_the_same_for_every_address(db, client):
    officer = fast_user(db, Role.OFFICER)
    pages = []
    for address in (officer.email, "nobody.yet@example.org"):
        asked = submit_form(client, "/sign-in/email", "/sign-in/email", {"Email address": address})
        assert asked.status_code == 303 and asked.headers["location"] == "/sign-in/email/sent"
        pages.append(client.get(asked.headers["location"]).text)
    assert pages[0] == pages[1] and "works once, for 30 minutes" in pages[0]
    wrong = submit_form(client, "/sign-in/email", "/sign-in/email", {"Email address": "not an address"})
    assert wrong.status_code == 422 and "correct format" in wrong.text


def test_sign_in_from_the_link_reply_and_follow_then_my_chorus(db, client):
    world = build_world(db)
    forum = get_forum(db, world.users["officer"], world.forums["public"].id)
    thread, _ = forums_posting.start_thread(
        db, Poster(world.users["officer"], SECRET), forum, title="Library hours", body="Tell us"
    )
    members = get_forum(db, world.users["officer"], world.forums["members_a"].id)
    closed, _ = forums_posting.start_thread(
        db, Poster(world.users["officer"], SECRET), members, title="M", body="M"
    )
    db.flush()
    thread_url = f"/forums/{forum.id}/threads/{thread.id}"
    assert "Sign in with your email address" in client.get(thread_url).text
    links = []
    user = sign_up(client, db, next_path=thread_url, links=links)
    assert user.role == Role.RESIDENT and user.display_name == "Ffion"
    # The link works once: opening it again says so.
    assert client.get(links[0]).status_code == 404
    replied = submit_form(
        client, thread_url, f"{thread_url}/replies", {"Your reply": "Open on Sundays, please."}
    )
    assert replied.status_code == 303
    assert db.scalar(select(Post).where(Post.author_id == user.id)).body_text == "Open on Sundays, please."
    assert "Residents reply to threads here" in client.get(f"/forums/{forum.id}").text
    assert client.submit(f"/forums/{forum.id}/threads", {"title": "T", "body": "B"}).status_code == 403
    assert client.get(f"/forums/{members.id}/threads/{closed.id}").status_code == 404
    assert (
        client.submit(f"/forums/{members.id}/threads/{closed.id}/replies", {"body": "hi"}).status_code == 404
    )
    followed = submit_form(client, thread_url, f"{thread_url}/follow", press="Follow this thread")
    assert followed.status_code == 303

    made, _qs = make.consultation(db)
    petition = petition_factories.petition(db)
    db.flush()
    assert f'href="/consultations/{made.id}/follow"' in client.get(f"/consultations/{made.id}").text
    shown = submit_form(
        client,
        f"/consultations/{made.id}/follow",
        f"/consultations/{made.id}/follow",
        press="Follow this consultation",
    )
    assert shown.status_code == 200 and "We will email you once, in English" in shown.text
    assert db.scalar(select(ResultsSubscriber).where(ResultsSubscriber.email == ADDRESS)).language == "en"
    assert f'href="/petitions/{petition.id}/follow"' in client.get(f"/petitions/{petition.id}").text
    shown = submit_form(
        client,
        f"/petitions/{petition.id}/follow",
        f"/petitions/{petition.id}/follow",
        press="Follow this petition",
    )
    assert shown.status_code == 200 and "You are following this petition" in shown.text

    mine = client.get("/my-chorus")
    assert mine.status_code == 200
    for shown_text in (
        made.title,
        petition.title,
        "Library hours",
        "Open on Sundays, please.",
        "Your forum replies (1)",
    ):
        assert shown_text in mine.text
    unfollowed = submit_form(
        client, "/my-chorus", f"/petitions/{petition.id}/follow", press=f"Stop following {petition.title}"
    )
    assert unfollowed.status_code == 303
    assert not db.scalars(select(PetitionFollow)).all()
    saved = submit_form(client, "/my-chorus", "/my-chorus/language", {"Cymraeg (Welsh)": True})
    db.expire_all()
    assert saved.status_code == 303 and db.get(User, user.id).language == "cy"

    readable = client.get("/my-chorus/data")
    assert readable.status_code == 200 and "Open on Sundays, please." in readable.text
    download = client.get("/my-chorus/data.json")
    assert download.status_code == 200 and download.headers["cache-control"] == "no-store"
    assert "attachment" in download.headers["content-disposition"]
    data = json.loads(download.text)
    assert data["email"] == ADDRESS
    assert [p["body_text"] for p in data["held"]["forum_posts"]] == ["Open on Sundays, please."]


def test_deleting_the_account_erases_and_signs_out(db, client):
    world = build_world(db)
    forum = get_forum(db, world.users["officer"], world.forums["public"].id)
    thread, _ = forums_posting.start_thread(
        db, Poster(world.users["officer"], SECRET), forum, title="T", body="B"
    )
    db.flush()
    user = sign_up(client, db)
    submit_form(
        client,
        f"/forums/{forum.id}/threads/{thread.id}",
        f"/forums/{forum.id}/threads/{thread.id}/replies",
        {"Your reply": "Mine to delete"},
    )
    refused = submit_form(client, "/my-chorus/delete", "/my-chorus/delete")
    assert refused.status_code == 422 and "Tick the box" in refused.text
    deleted = submit_form(
        client,
        "/my-chorus/delete",
        "/my-chorus/delete",
        {"Delete my account and everything listed above. This cannot be undone.": True},
    )
    assert deleted.status_code == 303 and deleted.headers["location"] == "/my-chorus/deleted"
    assert (
        'chorus_session=""' in deleted.headers["set-cookie"] or "Max-Age=0" in deleted.headers["set-cookie"]
    )
    db.expire_all()
    assert db.get(User, user.id).email.endswith("@erased.invalid")
    assert not db.scalars(select(Post).where(Post.body_text == "Mine to delete")).all()
    assert not db.scalars(select(StaffSession).where(StaffSession.user_id == user.id)).all()
    assert client.get("/my-chorus/deleted").status_code == 200
    assert client.get("/my-chorus").headers["location"].startswith("/sign-in/email")


def test_residents_never_enter_the_staff_area(db, client):
    sign_up(client, db)
    for path in ("/officer", "/officer/forums", "/officer/residents", "/admin/users", "/account/two-factor"):
        assert client.get(path).status_code == 403, path
    assert client.get("/sign-in/email").headers["location"] == "/my-chorus"


def test_staff_have_no_my_chorus(db, client):
    officer = fast_user(db, Role.OFFICER)
    sign_in(client, db, officer)
    assert client.get("/my-chorus").status_code == 403
    assert client.submit("/my-chorus/delete", {"confirm": "yes"}).status_code == 403


def test_a_moderator_suspends_a_resident_on_the_rendered_form(db, client):
    user = sign_up(client, db, name="Ffion")
    resident_cookie = client.cookies.get(SESSION_COOKIE)
    officer = fast_user(db, Role.OFFICER)
    sign_in(client, db, officer)
    refused = submit_form(
        client, "/officer/residents?q=ffion", f"/officer/residents/{user.id}/suspend", press="Suspend Ffion"
    )
    assert refused.status_code == 422 and "Enter why" in refused.text
    done = submit_form(
        client,
        "/officer/residents?q=ffion",
        f"/officer/residents/{user.id}/suspend",
        {"Why are you suspending Ffion?": "Threats in replies"},
        press="Suspend Ffion",
    )
    assert done.status_code == 303
    assert db.scalar(select(AuditEvent).where(AuditEvent.action == "resident.suspend")).detail["reason"] == (
        "Threats in replies"
    )
    client.cookies.clear()
    client.cookies.set(SESSION_COOKIE, resident_cookie)
    assert client.get("/my-chorus").status_code == 303  # signed out at once
    sign_in(client, db, officer)
    restored = submit_form(
        client, "/officer/residents", f"/officer/residents/{user.id}/restore", press="Restore Ffion"
    )
    db.expire_all()
    assert restored.status_code == 303 and db.get(User, user.id).is_active
    organiser = fast_user(
        db, Role.ORGANISER, organisation_id=build_world(db).users["organiser_a"].organisation_id
    )
    sign_in(client, db, organiser)
    assert client.get("/officer/residents").status_code == 403
    assert client.submit(f"/officer/residents/{user.id}/suspend", {"reason": "x"}).status_code == 403


@pytest.mark.parametrize("path", ["/sign-in/email/not-a-token", "/sign-in/email/" + "x" * 43])
def test_a_wrong_link_is_a_404_page(client, path):
    response = client.get(path)
    assert response.status_code == 404 and "expired or has already been used" in response.text


def test_the_header_says_who_is_signed_in_on_consultation_and_panel_pages(db, client):
    made, _qs = make.consultation(db)
    panel = make_panel(db)
    sign_in(client, db, fast_user(db, Role.RESIDENT))
    for path in (f"/consultations/{made.id}", f"/panels/{panel.id}/join"):
        page = client.get(path)
        assert page.status_code == 200, path
        assert 'href="/my-chorus"' in page.text and "Staff sign in" not in page.text, path
    client.cookies.clear()
    assert "Staff sign in" in client.get(f"/consultations/{made.id}").text
