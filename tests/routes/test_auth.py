"""Signing in and out; sessions end when idle or old; no account enumeration; rate limits."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from app.auth import SESSION_COOKIE
from app.models.user import Role, StaffSession
from tests import factories
from tests.helpers import text_of


@pytest.fixture
def officer(db):
    account = factories.user(db, Role.OFFICER, email="officer@example.org")
    db.flush()
    return account


class TestSignIn:
    def test_officer_signs_in_and_reaches_the_workspace(self, client, officer):
        response = client.sign_in("officer@example.org", factories.PASSWORD)
        assert response.headers["location"] == "/officer"
        cookie = response.headers["set-cookie"]
        assert SESSION_COOKIE in cookie and "HttpOnly" in cookie and "samesite=lax" in cookie.lower()
        assert "Signed in as" in client.get("/officer").text

    def test_email_is_case_insensitive(self, client, officer):
        client.sign_in("  Officer@Example.ORG ", factories.PASSWORD)

    def test_wrong_password_and_unknown_account_get_the_same_answer(self, client, officer):
        wrong = client.submit("/sign-in", {"email": "officer@example.org", "password": "nope nope nope"})
        unknown = client.submit("/sign-in", {"email": "ghost@example.org", "password": "nope nope nope"})
        assert wrong.status_code == unknown.status_code == 422
        assert text_of(wrong).replace("officer@example.org", "X") == text_of(unknown).replace(
            "ghost@example.org", "X")

    def test_empty_form_gets_an_error_summary_linked_to_fields(self, client):
        response = client.submit("/sign-in", {"email": "", "password": ""})
        assert response.status_code == 422
        assert 'href="#email"' in response.text and 'href="#password"' in response.text

    def test_signing_in_issues_a_new_session_token(self, client, officer):
        client.cookies.set(SESSION_COOKIE, "planted-by-an-attacker")
        response = client.sign_in("officer@example.org", factories.PASSWORD)
        assert "planted-by-an-attacker" not in response.headers["set-cookie"]

    def test_next_never_leads_to_another_site(self, client, officer):
        for target in ["https://evil.example/", "//evil.example", "/\\evil.example"]:
            client.cookies.clear()
            response = client.submit("/sign-in", {"email": "officer@example.org",
                                                  "password": factories.PASSWORD, "next": target})
            assert response.headers["location"] == "/officer"

    def test_next_within_the_site_is_kept(self, client, officer):
        response = client.submit("/sign-in", {"email": "officer@example.org",
                                              "password": factories.PASSWORD, "next": "/admin/users"})
        assert response.headers["location"] == "/admin/users"


class TestRateLimits:
    def test_per_account_limit_applies_whether_or_not_the_account_exists(self, client, officer):
        for email in ["officer@example.org", "ghost@example.org"]:
            statuses = [
                client.submit("/sign-in", {"email": email, "password": "bad password!"}).status_code
                for _ in range(6)
            ]
            assert statuses[:5] == [422] * 5
            assert statuses[5] == 429
        # Even the right password is refused from this address for a while (elsewhere it works:
        # tests/attack/test_sign_in.py).
        assert client.submit("/sign-in", {"email": "officer@example.org",
                                          "password": factories.PASSWORD}).status_code == 429

    def test_per_address_limit(self, client):
        # Failures from one address across accounts (password spraying): 30 in 15 minutes.
        statuses = [
            client.submit("/sign-in", {"email": f"p{i}@example.org", "password": "bad"}).status_code
            for i in range(31)
        ]
        assert statuses[-2] == 422 and statuses[-1] == 429
        assert "Retry-After" in client.submit(
            "/sign-in", {"email": "z@example.org", "password": "bad"}).headers


class TestSessions:
    def _session_row(self, db):
        return db.scalars(select(StaffSession)).one()

    def test_session_ends_after_30_minutes_idle(self, client, db, officer):
        # last_seen_at is kept to 5 minutes, rounded up: a session ends 30 to 35 minutes idle.
        client.sign_in("officer@example.org", factories.PASSWORD)
        row = self._session_row(db)
        row.last_seen_at -= timedelta(minutes=36)
        db.flush()
        response = client.get("/officer")
        assert response.status_code == 303
        assert response.headers["location"].startswith("/sign-in")

    def test_activity_keeps_the_session_alive(self, client, db, officer):
        client.sign_in("officer@example.org", factories.PASSWORD)
        row = self._session_row(db)
        row.last_seen_at -= timedelta(minutes=29)
        db.flush()
        assert client.get("/officer").status_code == 200
        db.expire_all()
        assert self._session_row(db).last_seen_at > row.created_at

    def test_session_ends_after_12_hours_however_active(self, client, db, officer):
        client.sign_in("officer@example.org", factories.PASSWORD)
        row = self._session_row(db)
        row.created_at -= timedelta(hours=12, minutes=1)
        db.flush()
        assert client.get("/officer").status_code == 303

    def test_sign_out_ends_the_session_on_the_server(self, client, db, officer):
        client.sign_in("officer@example.org", factories.PASSWORD)
        stolen = client.cookies[SESSION_COOKIE]
        client.submit("/sign-out")
        assert db.scalars(select(StaffSession)).all() == []
        client.cookies.set(SESSION_COOKIE, stolen)
        assert client.get("/officer").status_code == 303

    def test_anonymous_visitor_is_sent_to_sign_in(self, client):
        response = client.get("/officer")
        assert response.status_code == 303
        assert response.headers["location"] == "/sign-in?next=/officer"
