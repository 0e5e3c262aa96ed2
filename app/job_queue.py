"""Jobs enqueued by name, after commit.

Services say what should happen later (`enqueue_after_commit(db, "petitions.check_petition_thresholds",
petition_id)`) without importing `app.jobs`: the name is `<module in app/jobs>.<attribute>`, checked
when it is asked for and looked up only once the transaction that asked for it has committed. A
rollback drops it. Task modules import services; services never import jobs (import-linter).
"""

import importlib
import logging
from collections.abc import Callable
from functools import cache
from typing import Any

from huey.api import Task, TaskWrapper
from sqlalchemy import event
from sqlalchemy.orm import Session

from app.observability import request_id

logger = logging.getLogger(__name__)
REQUEST_ID_KWARG = "_request_id"
_PENDING = "jobs_after_commit"


@cache
def job_named(name: str) -> Callable[..., Any]:
    """The task (or batching helper) called `name`; an unknown name fails where it is asked for."""
    module_name, _, path = name.partition(".")
    if not path:
        raise ValueError(f"a job name is '<module>.<task>', not {name!r}")
    target: Any = importlib.import_module(f"app.jobs.{module_name}")
    for attribute in path.split("."):
        target = getattr(target, attribute)
    return target


def enqueue_after_commit(db: Session, name: str, *args: Any) -> None:
    """Send the job `name` once the change that caused it is committed (never for a rollback)."""
    job_named(name)
    db.info.setdefault(_PENDING, []).append((name, args))


def pending_jobs(db: Session) -> list[tuple[str, tuple]]:
    """What this session will enqueue when it commits (tests and the demo loader look)."""
    return db.info.setdefault(_PENDING, [])


@event.listens_for(Session, "after_commit")
def _enqueue_committed_jobs(session: Session) -> None:
    # A failed enqueue loses nothing: periodic sweeps pick up work whose job never ran.
    for name, args in session.info.pop(_PENDING, []):
        try:
            task = job_named(name)
            if isinstance(task, TaskWrapper):
                task(*args, **{REQUEST_ID_KWARG: request_id.get()})
            else:
                task(*args)
        except Exception:
            logger.exception("could not enqueue %s%r; the periodic sweep will pick the work up", name, args)


@event.listens_for(Session, "after_rollback")
def _drop_jobs_of_rolled_back_work(session: Session) -> None:
    session.info.pop(_PENDING, None)


def carry_request_id(task: Task) -> None:
    """Huey pre-execute hook: the id of the request that enqueued this job, for its log lines."""
    request_id.set(task.kwargs.pop(REQUEST_ID_KWARG, None) if task.kwargs else None)
