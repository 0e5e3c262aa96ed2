"""Background jobs run in a separate worker process: on the embedded SQLite queue and on Redis."""

import os
import subprocess
import sys
import time
import uuid

import pytest
from sqlalchemy import select

from app.models.outbox import EmailStatus, OutboxEmail

REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/13")


def _redis_problem() -> str | None:
    try:
        import redis

        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2).ping()
        return None
    except Exception as error:
        return str(error)


@pytest.fixture
def queue_url(backend, tmp_path):
    """The two real deployments: embedded (SQLite + SQLite queue) and scale (PostgreSQL + Redis)."""
    if backend == "sqlite":
        return f"sqlite:///{tmp_path}/queue-{uuid.uuid4().hex[:6]}.db"
    problem = _redis_problem()
    if problem:
        if os.environ.get("CHORUS_REQUIRE_REDIS") == "1":
            pytest.fail(f"CHORUS_REQUIRE_REDIS=1 but Redis is unreachable: {problem}")
        pytest.skip(f"Redis unreachable at {REDIS_URL}: {problem}")
    import redis

    redis.Redis.from_url(REDIS_URL).flushdb()
    return REDIS_URL


def _env(database_url, queue_url):
    return {"PATH": "/usr/bin:/bin", "DATABASE_URL": database_url, "QUEUE_URL": queue_url,
            "QUEUE_IMMEDIATE": "0", "CHORUS_ENV": "test", "HF_HUB_OFFLINE": "1"}


ENQUEUE = """
from app.db import get_database
from app.services.email import queue_email
with get_database().transaction() as db:
    for n in range(5):
        queue_email(db, "consultation_resume_link", to=f"resident{n}@example.org", title="Library hours",
                    link=f"http://x/consultations/1/resume/{n}")
"""


def test_emails_queued_by_the_app_are_sent_by_a_separate_worker(committed_database, queue_url, tmp_path):
    env = _env(committed_database.url, queue_url)
    log = (tmp_path / "worker.log").open("w")
    worker = subprocess.Popen([sys.executable, "-m", "app", "worker"], env=env,
                              stdout=log, stderr=subprocess.STDOUT)
    try:
        subprocess.run([sys.executable, "-c", ENQUEUE], env=env, check=True, timeout=60)
        deadline = time.monotonic() + 60
        statuses = []
        while time.monotonic() < deadline:
            with committed_database.transaction(write=False) as db:
                statuses = db.scalars(select(OutboxEmail.status)).all()
            if statuses and all(status == EmailStatus.SENT for status in statuses):
                break
            time.sleep(0.3)
        assert statuses == [EmailStatus.SENT] * 5, (tmp_path / "worker.log").read_text()
    finally:
        worker.terminate()
        worker.wait(timeout=20)
        log.close()


def test_a_rolled_back_change_sends_nothing(db):
    from app.services.email import queue_email

    savepoint = db.begin_nested()
    queue_email(db, "consultation_resume_link", to="x@example.org", title="Library hours", link="http://x/r")
    savepoint.rollback()
    assert db.scalars(select(OutboxEmail)).all() == []
