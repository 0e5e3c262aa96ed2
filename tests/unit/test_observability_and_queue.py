"""Logging: JSON lines in production, a request id on every line of a request and of the jobs it
enqueued, and no failure swallowed unlogged."""

import contextvars
import json
import logging
import sys
import types

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.orm import Session

from app import job_queue, jobs
from app.config import Settings
from app.observability import configure_logging, new_request_id, request_id
from tests import conftest

seen_by_job: list[str | None] = []


@jobs.queue.task()
def record_request_id(label: str) -> None:
    seen_by_job.append(request_id.get())


@pytest.fixture
def probe_job(monkeypatch):
    """A job module of the test's own, reachable by name as app/jobs modules are."""
    monkeypatch.setitem(sys.modules, "app.jobs.probe", types.SimpleNamespace(record=record_request_id))
    job_queue.job_named.cache_clear()
    seen_by_job.clear()
    yield "probe.record"
    job_queue.job_named.cache_clear()


def _settings(**values) -> Settings:
    return Settings(_env_file=None, **values)


def test_production_logs_are_json_lines_carrying_the_request_id(capsys):
    configure_logging(_settings(CHORUS_ENV="production", SECRET_KEY="s" * 40))
    try:
        token = request_id.set("req-123")
        logging.getLogger("chorus.test").warning("petition %s crossed its threshold", 7)
        request_id.reset(token)
        line = json.loads(capsys.readouterr().err.strip().splitlines()[-1])
        assert line["message"] == "petition 7 crossed its threshold"
        assert line["request_id"] == "req-123" and line["level"] == "WARNING" and "time" in line
    finally:
        configure_logging(_settings(LOG_LEVEL="WARNING"))


def test_development_logs_are_readable_lines(capsys):
    configure_logging(_settings(LOG_FORMAT="auto", LOG_LEVEL="WARNING"))
    logging.getLogger("chorus.test").warning("hello")
    assert "WARNING chorus.test [-] hello" in capsys.readouterr().err


def test_a_request_id_is_kept_when_sane_and_made_otherwise():
    assert new_request_id("abc-123_X.y") == "abc-123_X.y"
    for offered in (None, "", "x" * 65, "id with spaces", "id\r\nInjected: yes"):
        made = new_request_id(offered)
        assert made != offered and len(made) == 32


def test_every_response_says_its_request_id_and_echoes_a_sane_one(client):
    response = client.get("/healthz", headers={"X-Request-ID": "lb-42"})
    assert response.headers["x-request-id"] == "lb-42"
    other = client.get("/healthz", headers={"X-Request-ID": "bad id\t"})
    assert other.headers["x-request-id"] not in ("bad id\t", "lb-42") and len(other.headers["x-request-id"]) == 32


def test_a_job_enqueued_in_a_request_runs_with_that_request_id(probe_job):
    session = Session(create_engine("sqlite://"))
    token = request_id.set("req-job")
    job_queue.enqueue_after_commit(session, probe_job, "after commit")
    session.commit()
    request_id.reset(token)
    assert seen_by_job == ["req-job"]


def test_the_worker_sets_the_id_from_the_job_itself_not_from_its_surroundings():
    seen_by_job.clear()
    task = record_request_id.s("in the worker", **{job_queue.REQUEST_ID_KWARG: "req-from-web"})
    contextvars.Context().run(jobs.queue.execute, task)  # a worker process: no ambient request id
    assert seen_by_job == ["req-from-web"]
    assert job_queue.REQUEST_ID_KWARG not in task.kwargs


def test_a_job_that_cannot_be_enqueued_is_logged_not_swallowed(caplog, monkeypatch):
    def refuses(*_args):
        raise ConnectionError("redis is down")

    monkeypatch.setitem(sys.modules, "app.jobs.probe_down", types.SimpleNamespace(send=refuses))
    job_queue.job_named.cache_clear()
    session = Session(create_engine("sqlite://"))
    job_queue.enqueue_after_commit(session, "probe_down.send", 12)
    with caplog.at_level(logging.ERROR, logger="app.job_queue"):
        session.commit()
    job_queue.job_named.cache_clear()
    (record,) = [r for r in caplog.records if "could not enqueue" in r.getMessage()]
    assert "probe_down.send" in record.getMessage() and record.exc_info[0] is ConnectionError


def test_an_unknown_job_name_fails_where_it_is_asked_for():
    session = Session(create_engine("sqlite://"))
    with pytest.raises(AttributeError):
        job_queue.enqueue_after_commit(session, "petitions.no_such_task", 1)
    with pytest.raises(ModuleNotFoundError):
        job_queue.enqueue_after_commit(session, "nowhere.task", 1)
    assert job_queue.pending_jobs(session) == []


def test_a_rolled_back_change_enqueues_nothing(probe_job):
    session = Session(create_engine("sqlite://"))
    session.execute(text("SELECT 1"))  # the work that asked for the job is in a transaction
    job_queue.enqueue_after_commit(session, probe_job, "rolled back")
    session.rollback()
    session.commit()
    assert seen_by_job == []


def test_test_settings_stay_quiet():
    assert conftest.test_settings("sqlite://").log_level == "WARNING"
