"""Staff sign-in under attack, over real sockets from two loopback addresses (issue 22.2).

127.0.0.2 plays the attacker and 127.0.0.3 the admin: both reach a real uvicorn server listening
on 127.0.0.1. Failures slow one account down from one address (and one address across accounts),
never lock the account: the right password from another address always gets in. TOTP is the
staff second factor, and admins in production cannot do anything before they set it up.
"""

import re
import threading
import time

import httpx
import pyotp
import pytest
import uvicorn
from sqlalchemy import select

from app.db import Database
from app.main import create_app
from app.migrations_runner import upgrade_to_head
from app.models.user import Role, User
from app.services import accounts
from tests.conftest import test_settings as settings_for
from tests.faults.processes import free_port

PASSWORD = "a long and correct password 42"
ATTACKER, ADMIN = "127.0.0.2", "127.0.0.3"


class Server:
    """The app under a real uvicorn, in a thread, on a SQLite database of its own."""

    def __init__(self, tmp_path, **settings):
        url = f"sqlite:///{tmp_path / 'sign-in.db'}"
        upgrade_to_head(url)
        self.database = Database(url)
        with self.database.transaction() as db:
            for email, role in (("admin@example.org", Role.ADMIN), ("officer@example.org", Role.OFFICER)):
                accounts.create_user(db, email=email, password=PASSWORD, role=role)
        self.port = free_port()
        self.scheme = "https" if settings.get("CHORUS_ENV") == "production" else "http"
        app = create_app(settings_for(url, BASE_URL=f"http://127.0.0.1:{self.port}", **settings), self.database)
        self.server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=self.port, log_level="warning",
                                                    proxy_headers=False))
        self.thread = threading.Thread(target=self.server.run, daemon=True)
        self.thread.start()
        deadline = time.monotonic() + 30
        while not self.server.started:
            assert time.monotonic() < deadline, "the server did not start"
            time.sleep(0.05)

    def client(self, address: str) -> httpx.Client:
        return httpx.Client(base_url=f"http://127.0.0.1:{self.port}", timeout=30,
                            transport=httpx.HTTPTransport(local_address=address))

    def stop(self):
        self.server.should_exit = True
        self.thread.join(timeout=10)
        self.database.dispose()


@pytest.fixture
def server(tmp_path):
    running = Server(tmp_path)
    yield running
    running.stop()


def _token(client, path="/sign-in"):
    page = client.get(path)
    return re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)


def attempt(client, email, password):
    return client.post("/sign-in", data={"csrf_token": _token(client), "email": email, "password": password})


def test_failures_from_one_address_never_block_the_right_password_from_another(server):
    with server.client(ATTACKER) as attacker, server.client(ADMIN) as admin:
        statuses = [attempt(attacker, "admin@example.org", f"guess {i}").status_code for i in range(7)]
        assert statuses[:5] == [422] * 5 and statuses[5:] == [429, 429], statuses
        slowed = attempt(attacker, "admin@example.org", PASSWORD)
        assert slowed.status_code == 429 and 0 < int(slowed.headers["retry-after"]) <= 61
        # The same account, from the admin's own address: straight in.
        response = attempt(admin, "admin@example.org", PASSWORD)
        assert response.status_code == 303 and "chorus_session" in response.headers["set-cookie"]


def test_successful_sign_ins_do_not_count(server):
    with server.client(ADMIN) as admin:
        for _ in range(7):
            admin.cookies.clear()
            assert attempt(admin, "officer@example.org", PASSWORD).status_code == 303


def test_one_address_trying_many_accounts_is_slowed_but_nobody_else(server):
    with server.client(ATTACKER) as attacker, server.client(ADMIN) as admin:
        statuses = [attempt(attacker, f"person{i}@example.org", "guess").status_code for i in range(31)]
        assert statuses[:30] == [422] * 30 and statuses[30] == 429, statuses
        assert attempt(admin, "officer@example.org", PASSWORD).status_code == 303


def _sign_in_with_code(client, email, code):
    first = attempt(client, email, PASSWORD)
    assert first.status_code == 200 and "chorus_session" not in first.headers.get("set-cookie", "")
    pending = re.search(r'name="pending" value="([^"]+)"', first.text).group(1)
    return client.post("/sign-in/code", data={"csrf_token": _token(client), "pending": pending, "code": code})


def test_staff_turn_on_totp_and_then_need_a_code(server):
    with server.client(ADMIN) as officer:
        assert attempt(officer, "officer@example.org", PASSWORD).status_code == 303
        page = officer.get("/account/two-factor")
        secret = re.search(r'name="secret" value="([A-Z2-7]+)"', page.text).group(1)
        wrong = officer.post("/account/two-factor", data={"csrf_token": _token(officer, "/account/two-factor"),
                                                          "secret": secret, "code": "000000"})
        assert wrong.status_code == 422 and "6-digit code" in wrong.text
        turned_on = officer.post("/account/two-factor", data={"csrf_token": _token(officer, "/account/two-factor"),
                                                              "secret": secret, "code": pyotp.TOTP(secret).now()})
        assert turned_on.status_code == 303
        with server.database.transaction() as db:
            assert db.scalar(select(User.totp_secret).where(User.email == "officer@example.org")) == secret
    with server.client(ADMIN) as officer:
        # The password alone is not enough; a wrong code is refused; the right one signs in, once.
        assert _sign_in_with_code(officer, "officer@example.org", "123456").status_code == 422
        code = pyotp.TOTP(secret).now()
        signed_in = _sign_in_with_code(officer, "officer@example.org", code)
        assert signed_in.status_code == 303 and "chorus_session" in signed_in.headers["set-cookie"]
    with server.client(ATTACKER) as replay:
        assert _sign_in_with_code(replay, "officer@example.org", code).status_code == 422


def _carry_cookies(client, response):
    """Production cookies are Secure; this test talks plain HTTP, so it carries them by hand."""
    for name, value in re.findall(r"(chorus_\w+)=([^;]*);", response.headers.get("set-cookie", "")):
        client.cookies.set(name, value)
    return response


def test_admins_in_production_must_set_up_a_second_factor_first(tmp_path):
    running = Server(tmp_path, CHORUS_ENV="production")
    try:
        with running.client(ADMIN) as admin:
            page = _carry_cookies(admin, admin.get("/sign-in"))
            csrf = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
            response = _carry_cookies(admin, admin.post("/sign-in", data={
                "csrf_token": csrf, "email": "admin@example.org", "password": PASSWORD}))
            assert response.headers["location"] == "/account/two-factor?required=1"
            blocked = admin.get("/admin/users")
            assert blocked.status_code == 303 and blocked.headers["location"] == "/account/two-factor?required=1"
            page = admin.get("/account/two-factor?required=1")
            assert "Admins must use two-step verification" in page.text
            secret = re.search(r'name="secret" value="([A-Z2-7]+)"', page.text).group(1)
            done = admin.post("/account/two-factor", data={"csrf_token": csrf, "secret": secret,
                                                          "code": pyotp.TOTP(secret).now()})
            assert done.status_code == 303
            assert admin.get("/admin/users").status_code == 200
    finally:
        running.stop()
