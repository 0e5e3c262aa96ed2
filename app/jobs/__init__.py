"""Background work through Huey: SQLite storage on one machine, Redis for any number of workers.

Run a worker with `python -m app worker` (make run starts one). Jobs open their own transactions.
"""

import logging
from collections.abc import Callable
from typing import Any

from huey import Huey, RedisHuey, SqliteHuey
from huey.api import Task, TaskWrapper
from sqlalchemy import event
from sqlalchemy.orm import Session

from app.config import get_settings
from app.db import Database, get_database
from app.observability import request_id

logger = logging.getLogger(__name__)
REQUEST_ID_KWARG = "_request_id"
_database: Database | None = None


def make_queue(url: str, *, immediate: bool = False) -> Huey:
    if url.startswith("redis"):
        queue = RedisHuey("chorus", url=url, immediate=immediate)
    else:
        path = url.removeprefix("sqlite:///")
        queue = SqliteHuey("chorus", filename=path, immediate=immediate, timeout=30)
    return queue


def _default_queue() -> Huey:
    settings = get_settings()
    if not settings.queue_immediate and not settings.queue_url.startswith("redis"):
        from pathlib import Path

        Path(settings.queue_url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
    return make_queue(settings.queue_url, immediate=settings.queue_immediate)


queue: Huey = _default_queue()


def use_database(database: Database) -> None:
    """The database jobs write to (the app sets this; a worker uses DATABASE_URL)."""
    global _database
    _database = database


def database() -> Database:
    return _database or get_database()


def enqueue_after_commit(db: Session, task: Callable[..., Any], *args: Any) -> None:
    """Enqueue only once the change that caused the job is committed (never for a rollback)."""
    db.info.setdefault("jobs_after_commit", []).append((task, args))


@event.listens_for(Session, "after_commit")
def _enqueue_committed_jobs(session: Session) -> None:
    # A failed enqueue loses nothing: periodic sweeps pick up work whose job never ran.
    for task, args in session.info.pop("jobs_after_commit", []):
        try:
            if isinstance(task, TaskWrapper):
                task(*args, **{REQUEST_ID_KWARG: request_id.get()})
            else:
                task(*args)
        except Exception:
            logger.exception("could not enqueue %s%r; the periodic sweep will pick the work up",
                             getattr(task, "__name__", task), args)


@queue.pre_execute()
def _carry_request_id(task: Task) -> None:
    """The id of the request that enqueued this job, so its log lines can be tied together."""
    request_id.set(task.kwargs.pop(REQUEST_ID_KWARG, None) if task.kwargs else None)


@event.listens_for(Session, "after_rollback")
def _drop_jobs_of_rolled_back_work(session: Session) -> None:
    session.info.pop("jobs_after_commit", None)


def load_tasks() -> None:
    """Import every job module so the worker knows all tasks."""
    import importlib
    import pkgutil

    for module in pkgutil.iter_modules(__path__):
        importlib.import_module(f"{__name__}.{module.name}")
