"""Background work through Huey: SQLite storage on one machine, Redis for any number of workers.

Run a worker with `python -m app worker` (make run starts one). Jobs open their own transactions.
Services enqueue jobs by name through `app.job_queue`; only this package imports services.
"""

import importlib
import pkgutil
from pathlib import Path

from huey import Huey, RedisHuey, SqliteHuey

from app.config import get_settings
from app.db import Database, get_database
from app.job_queue import carry_request_id

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
        Path(settings.queue_url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
    return make_queue(settings.queue_url, immediate=settings.queue_immediate)


queue: Huey = _default_queue()


def use_database(database: Database) -> None:
    """The database jobs write to (the app sets this; a worker uses DATABASE_URL)."""
    global _database
    _database = database


def database() -> Database:
    return _database or get_database()


queue.pre_execute(name="carry_request_id")(carry_request_id)


def load_tasks() -> None:
    """Import every job module so the worker knows all tasks."""
    for module in pkgutil.iter_modules(__path__):
        importlib.import_module(f"{__name__}.{module.name}")
