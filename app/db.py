"""Engine, session factories and the request-scoped session (one request, one transaction)."""

import fcntl
import os
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import lru_cache
from typing import Annotated, TypeVar

from fastapi import Depends, Request
from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.exc import DisconnectionError, SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker
from starlette.concurrency import run_in_threadpool

from app.config import get_settings

T = TypeVar("T")
SQLITE_BUSY_TIMEOUT_MS = 30_000
SQLITE_READONLY = 8
UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


def _configure_sqlite(engine: Engine) -> None:
    path = engine.url.database or ""
    on_disk = path not in ("", ":memory:")

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, record):
        # SQLite opens a file it cannot write read-only, and the connection stays so: remember it.
        record.info["read_only"] = on_disk and not os.access(path, os.W_OK)
        # We emit BEGIN ourselves so that write transactions can take the lock up front.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "checkout")
    def _reopen_once_writable(_dbapi_connection, record, _proxy):
        # Writes work again as soon as the file is writable, without restarting the app.
        if record.info.get("read_only") and os.access(path, os.W_OK):
            raise DisconnectionError("the database file is writable again")  # the pool reconnects

    @event.listens_for(engine, "handle_error")
    def _drop_read_only_connections(context):
        if getattr(context.original_exception, "sqlite_errorcode", 0) & 0xFF == SQLITE_READONLY:
            context.is_disconnect = True  # its connections are replaced, as after a lost server

    @event.listens_for(engine, "begin")
    def _on_begin(connection):
        # BEGIN IMMEDIATE waits (busy_timeout) for the write lock instead of failing later
        # with "database is locked" when a deferred reader tries to upgrade.
        immediate = connection.get_execution_options().get("sqlite_immediate", False)
        connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


# Connections kept open per process. It must cover the requests one process runs at once (the
# thread pool runs up to 40 sync endpoints), or every busy moment opens connections only to close
# them again when they come back to a full pool: on PostgreSQL that is a new server process, a
# TCP handshake and authentication per request, several times the cost of the request's queries.
POOL_SIZE = 20
MAX_OVERFLOW = 10


def make_engine(url: str, **kwargs) -> Engine:
    if url.startswith("sqlite"):
        if url.removeprefix("sqlite://").removeprefix("/") not in ("", ":memory:"):
            # A file: pooled like PostgreSQL (each new connection runs four PRAGMAs).
            kwargs.setdefault("pool_size", POOL_SIZE)
            kwargs.setdefault("max_overflow", MAX_OVERFLOW)
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30}, **kwargs)
        _configure_sqlite(engine)
        return engine
    if url.startswith("postgresql://"):
        url = url.replace("postgresql://", "postgresql+psycopg://", 1)
    # No ping (a SELECT 1 round trip) on every checkout: a dropped connection fails the request
    # using it (a 503 page) and SQLAlchemy then replaces every pooled connection, so the app
    # recovers by itself; recycling replaces connections before a server or proxy idle timeout.
    kwargs.setdefault("pool_pre_ping", False)
    kwargs.setdefault("pool_recycle", 300)
    kwargs.setdefault("pool_size", POOL_SIZE)
    kwargs.setdefault("max_overflow", MAX_OVERFLOW)  # at most 30 per process, as before
    kwargs.setdefault("pool_timeout", 10)
    return create_engine(url, **kwargs)


class Database:
    """Holds the engine and the two session factories: readers, and writers that lock up front."""

    def __init__(self, url: str, **engine_kwargs):
        self.url = url
        self.engine = make_engine(url, **engine_kwargs)
        self.is_sqlite = self.engine.dialect.name == "sqlite"
        writer_bind = self.engine.execution_options(sqlite_immediate=True)
        self.read_session = sessionmaker(self.engine, expire_on_commit=False)
        self.write_session = sessionmaker(writer_bind, expire_on_commit=False)

    @contextmanager
    def transaction(self, *, write: bool = True) -> Iterator[Session]:
        """A unit of work outside a request (jobs, CLI): commit on success, roll back on error."""
        factory = self.write_session if write else self.read_session
        with factory() as session, session.begin():
            yield session

    @contextmanager
    def write_transaction(self) -> Iterator[Session]:
        """A write transaction for a hot path (signing): on SQLite, writers first queue on a lock.

        SQLite's own busy handler polls with sleeps of up to 100 ms, which made p99 seconds long
        under a burst of signatures; a thread lock plus a file lock (threads and processes) wakes
        the next writer as soon as the last one commits. PostgreSQL needs nothing.
        """
        with self._sqlite_writer_turn(), self.transaction() as session:
            yield session

    @contextmanager
    def _sqlite_writer_turn(self) -> Iterator[None]:
        path = self.engine.url.database if self.is_sqlite else None
        if not path or path == ":memory:":
            yield
            return
        in_this_process = _SQLITE_WRITER_LOCKS.setdefault(path, threading.Lock())
        with in_this_process, open(f"{path}.writer-lock", "a") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)

    def answers(self) -> bool:
        """Whether the database answers a trivial query now (for /healthz)."""
        try:
            with self.engine.connect() as connection:
                return connection.execute(text("SELECT 1")).scalar_one() == 1
        except SQLAlchemyError:
            return False

    def dispose(self) -> None:
        self.engine.dispose()


_SQLITE_WRITER_LOCKS: dict[str, threading.Lock] = {}


@lru_cache
def get_database() -> Database:
    return Database(get_settings().database_url)


def request_session(request: Request) -> Iterator[Session]:
    """The request's one transaction: committed before the response is sent, rolled back on error."""
    database: Database = request.app.state.database
    factory = database.write_session if request.method in UNSAFE_METHODS else database.read_session
    with factory() as session:
        try:
            yield session
            session.commit()
        except BaseException:
            # Detach first so the error page can still show what was loaded (rollback expires it).
            session.expunge_all()
            session.rollback()
            raise


def hot_write_session(request: Request) -> Iterator[Session]:
    """The request's one transaction on a hot write path (an API that takes answers in bursts): on
    SQLite the writer first waits for its turn (Database.write_transaction), then as request_session."""
    with request.app.state.database.write_transaction() as session:
        yield session


HotWriteSession = Annotated[Session, Depends(hot_write_session, scope="function")]


async def read_in_thread(request: Request, work: Callable[[Session], T]) -> T:
    """For an async handler's slower branch (a form shown again with its errors): `work(db)` in one
    worker-thread hop, inside one read transaction, the request's only one."""

    def run() -> T:
        with request.app.state.database.transaction(write=False) as session:
            return work(session)

    return await run_in_threadpool(run)


def read_stream(database: Database, produce: Callable[[Session], Iterator[T]]) -> Iterator[T]:
    """A download streamed after its handler has returned (the request's session is closed by then):
    `produce(db)` reads inside a read transaction of its own while the response is sent."""
    with database.transaction(write=False) as session:
        yield from produce(session)
