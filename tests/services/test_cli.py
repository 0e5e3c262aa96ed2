"""python -m app create-user reads the password from standard input."""

import subprocess
import sys

from sqlalchemy import select

from app.models.user import Role, User
from app.services import accounts


def _run(args, url, password):
    return subprocess.run([sys.executable, "-m", "app", *args], input=password + "\n", text=True,
                          capture_output=True, timeout=120,
                          env={"DATABASE_URL": url, "PATH": "/usr/bin:/bin", "QUEUE_IMMEDIATE": "1"})


def test_create_organiser_from_the_command_line(committed_database):
    with committed_database.transaction() as db:
        accounts.create_organisation(db, name="Tenants United", type="tenants_residents")
    result = _run(["create-user", "--email", "Org@Example.org", "--role", "organiser",
                   "--organisation", "Tenants United"], committed_database.url, "a long enough password")
    assert result.returncode == 0, result.stderr
    with committed_database.transaction(write=False) as db:
        user = db.scalars(select(User)).one()
        assert user.email == "org@example.org" and user.role == Role.ORGANISER
        assert accounts.authenticate(db, "org@example.org", "a long enough password")


def test_create_user_refuses_a_short_password(committed_database):
    result = _run(["create-user", "--email", "a@example.org", "--role", "officer"],
                  committed_database.url, "short")
    assert result.returncode == 1
    assert "at least 12 characters" in result.stderr
