"""Staff accounts: a forgotten password reset by a single-use, expiring emailed link that never tells
whether an account exists; admins deactivate and reactivate accounts; invitations carry a language."""

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from app.models.audit import AuditEvent
from app.models.outbox import OutboxEmail
from app.models.user import PasswordReset, Role, StaffSession, User
from tests import factories
from tests.helpers import page

NEW_PASSWORD = "a brand new password for me"


@pytest.fixture
def officer(db):
    return factories.user(db, Role.OFFICER, email="officer@example.org")


def _reset_link(db, to: str) -> str:
    emails = db.scalars(select(OutboxEmail).where(OutboxEmail.to_address == to).order_by(OutboxEmail.id)).all()
    return re.search(r"http://testserver(/password-reset/\S+)", emails[-1].body_text).group(1)


def test_a_forgotten_password_is_reset_once_by_the_emailed_link(client, db, officer):
    client.sign_in("officer@example.org", factories.PASSWORD)  # an old session, ended by the reset
    client.cookies.clear()
    assert page(client.get("/sign-in")).find("a", href="/password-reset") is not None
    assert client.get("/password-reset").status_code == 200
    assert client.submit("/password-reset", {"email": ""}).status_code == 422
    response = client.submit("/password-reset", {"email": " Officer@Example.org "})
    assert response.status_code == 303 and response.headers["location"] == "/password-reset/sent"
    link = _reset_link(db, "officer@example.org")

    assert client.get(link).status_code == 200
    assert client.submit(link, {"password": "short", "confirm": "short"}).status_code == 422
    assert client.submit(link, {"password": NEW_PASSWORD, "confirm": NEW_PASSWORD + "x"}).status_code == 422
    response = client.submit(link, {"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert response.status_code == 303 and response.headers["location"] == "/password-reset/done"
    assert db.scalar(select(StaffSession.id).where(StaffSession.user_id == officer.id)) is None
    client.sign_in("officer@example.org", NEW_PASSWORD)
    assert client.get(link).status_code == 404  # single use
    assert client.submit(link, {"password": "another long password", "confirm": "another long password"}
                         ).status_code == 404
    actions = db.scalars(select(AuditEvent.action).where(AuditEvent.object_type == "user",
                                                         AuditEvent.object_id == officer.id)).all()
    assert {"user.password_reset_requested", "user.password_reset"} <= set(actions)


def test_asking_never_reveals_whether_an_account_exists(client, db, officer):
    known = client.submit("/password-reset", {"email": "officer@example.org"})
    unknown = client.submit("/password-reset", {"email": "nobody@example.org"})
    assert known.status_code == unknown.status_code == 303
    assert known.headers["location"] == unknown.headers["location"]
    assert db.scalar(select(OutboxEmail.id).where(OutboxEmail.to_address == "nobody@example.org")) is None


def test_links_expire_and_a_new_one_replaces_the_old(client, db, officer):
    client.submit("/password-reset", {"email": "officer@example.org"})
    first = _reset_link(db, "officer@example.org")
    client.submit("/password-reset", {"email": "officer@example.org"})
    second = _reset_link(db, "officer@example.org")
    assert client.get(first).status_code == 404 and client.get(second).status_code == 200
    for reset in db.scalars(select(PasswordReset)):
        reset.expires_at -= timedelta(hours=2)
    db.flush()
    assert client.get(second).status_code == 404


def test_requests_are_rate_limited_per_account(client, db, officer):
    statuses = [client.submit("/password-reset", {"email": "officer@example.org"}).status_code for _ in range(4)]
    assert statuses == [303, 303, 303, 429]
    assert len(db.scalars(select(OutboxEmail).where(OutboxEmail.to_address == "officer@example.org")).all()) == 3


def test_the_admin_deactivates_and_reactivates_an_account(client, db, officer):
    admin = factories.user(db, Role.ADMIN, email="admin@example.org")
    db.flush()
    client.sign_in("admin@example.org", factories.PASSWORD)
    users = page(client.get("/admin/users"))
    assert users.find("form", action=f"/admin/users/{officer.id}/deactivate") is not None
    assert users.find("form", action=f"/admin/users/{admin.id}/deactivate") is None  # not oneself

    assert client.submit(f"/admin/users/{officer.id}/deactivate").status_code == 303
    db.refresh(officer)
    assert not officer.is_active
    assert "Deactivated" in client.get("/admin/users").text
    assert client.submit(f"/admin/users/{admin.id}/deactivate").status_code == 422
    client.submit("/password-reset", {"email": "officer@example.org"})
    assert db.scalar(select(OutboxEmail.id).where(OutboxEmail.to_address == "officer@example.org")) is None

    assert client.submit(f"/admin/users/{officer.id}/reactivate").status_code == 303
    db.refresh(officer)
    assert officer.is_active
    actions = db.scalars(select(AuditEvent.action).where(AuditEvent.object_id == officer.id,
                                                         AuditEvent.object_type == "user")).all()
    assert [a for a in actions if a.startswith("user.") and "activate" in a] == ["user.deactivate", "user.reactivate"]
    client.cookies.clear()
    client.sign_in("officer@example.org", factories.PASSWORD)


def test_a_deactivated_account_is_signed_out_at_once(client, db, officer):
    factories.user(db, Role.ADMIN, email="admin@example.org")
    client.sign_in("officer@example.org", factories.PASSWORD)
    assert client.get("/officer").status_code == 200
    officer_cookies = dict(client.cookies)
    client.cookies.clear()
    client.sign_in("admin@example.org", factories.PASSWORD)
    client.submit(f"/admin/users/{officer.id}/deactivate")
    client.cookies.clear()
    for name, value in officer_cookies.items():
        client.cookies.set(name, value)
    assert client.get("/officer").status_code == 303


def test_an_invited_councillor_gets_the_language_chosen(client, db):
    factories.user(db, Role.ADMIN, email="admin@example.org")
    client.sign_in("admin@example.org", factories.PASSWORD)
    response = client.submit("/admin/users/invite", {"email": "cllr@example.org", "role": "councillor",
                                                     "organisation_id": "", "language": "cy"})
    assert response.status_code == 303
    body = db.scalars(select(OutboxEmail).where(OutboxEmail.to_address == "cllr@example.org")).one().body_text
    link = re.search(r"http://testserver(/invitations/\S+)", body).group(1)
    client.cookies.clear()
    response = client.submit(link, {"display_name": "Cllr Siân Evans", "password": "a long enough password"})
    assert response.status_code == 303
    made = db.scalars(select(User).where(User.email == "cllr@example.org")).one()
    assert (made.role, made.language) == (Role.COUNCILLOR, "cy")
