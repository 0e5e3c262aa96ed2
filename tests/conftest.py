"""Test fixtures: every database test runs on SQLite and on PostgreSQL, on schemas built by Alembic.

PostgreSQL comes from TEST_DATABASE_URL (default: the local server). Where it is unreachable the
PostgreSQL half is skipped with a loud warning, unless CHORUS_REQUIRE_POSTGRES=1 (CI), which fails.
"""

import os
import shutil
import tempfile
import uuid
import warnings
from collections.abc import Iterator
from pathlib import Path

os.environ.setdefault("QUEUE_IMMEDIATE", "1")
os.environ.setdefault("CHORUS_ENV", "test")
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("ANALYSIS_EMBEDDER", "fake")
os.environ.setdefault("LOG_LEVEL", "WARNING")
os.environ.setdefault(
    "EMBEDDING_CACHE_PATH", os.path.join(tempfile.gettempdir(), f"chorus-test-embeddings-{os.getpid()}.db")
)

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

from app import clock
from app.config import Settings
from app.db import Database, make_engine
from app.migrations_runner import upgrade_to_head

DEFAULT_PG = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
TEST_SECRET = "test-secret-key-that-is-long-enough-for-production-checks"
BACKENDS = ["sqlite", "postgresql"]


def _pg_admin_url() -> str:
    url = os.environ.get("TEST_DATABASE_URL", DEFAULT_PG)
    return url.replace("postgresql://", "postgresql+psycopg://", 1)


def _postgres_reachable() -> str | None:
    try:
        engine = create_engine(_pg_admin_url(), connect_args={"connect_timeout": 3})
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
        engine.dispose()
        return None
    except Exception as error:  # any failure means "not reachable" here
        return str(error).splitlines()[0]


_PG_PROBLEM = _postgres_reachable()
if _PG_PROBLEM:
    banner = (
        "\n" + "!" * 78 + "\n"
        f"!! PostgreSQL is NOT reachable at {make_url(_pg_admin_url()).render_as_string()}\n"
        f"!! ({_PG_PROBLEM})\n"
        "!! The PostgreSQL half of the suite will be SKIPPED. Set TEST_DATABASE_URL to run it.\n"
        + "!" * 78 + "\n"
    )
    print(banner)
    if os.environ.get("CHORUS_REQUIRE_POSTGRES") == "1":
        raise SystemExit("CHORUS_REQUIRE_POSTGRES=1 but PostgreSQL is unreachable: " + _PG_PROBLEM)


def pytest_terminal_summary(terminalreporter):
    if _PG_PROBLEM:
        terminalreporter.write_line(
            "WARNING: the PostgreSQL half of the suite was SKIPPED (no server reachable).",
            red=True, bold=True,
        )


def test_settings(database_url: str, **overrides) -> Settings:
    values = {
        "CHORUS_ENV": "test",
        "SECRET_KEY": TEST_SECRET,
        "DATABASE_URL": database_url,
        "QUEUE_IMMEDIATE": True,
        "BASE_URL": "http://testserver",
    }
    values.update(overrides)
    return Settings(**values)


class _Template:
    """A migrated database that tests can copy cheaply when they need real commits."""

    def __init__(self, backend: str, tmp_root: Path, worker: str):
        self.backend = backend
        self.tmp_root = tmp_root
        self.created: list[str] = []
        if backend == "sqlite":
            self.path = tmp_root / "template.db"
            self.url = f"sqlite:///{self.path}"
        else:
            self.name = f"chorus_test_{worker}_{uuid.uuid4().hex[:8]}"
            self.url = str(make_url(_pg_admin_url()).set(database=self.name).render_as_string(False))
            self._admin(f'CREATE DATABASE "{self.name}"')
            self.created.append(self.name)
        upgrade_to_head(self.url)
        # PostgreSQL copies a template only while nobody is connected to it: tests use a copy.
        self.shared_url = self.copy()

    def _admin(self, statement: str) -> None:
        engine = create_engine(_pg_admin_url(), isolation_level="AUTOCOMMIT")
        with engine.connect() as connection:
            connection.execute(text(statement))
        engine.dispose()

    def copy(self) -> str:
        """A fresh, migrated database of its own (file copy, or CREATE DATABASE ... TEMPLATE)."""
        if self.backend == "sqlite":
            path = self.tmp_root / f"copy-{uuid.uuid4().hex[:8]}.db"
            shutil.copyfile(self.path, path)
            return f"sqlite:///{path}"
        name = f"{self.name}_{uuid.uuid4().hex[:6]}"
        self._admin(f'CREATE DATABASE "{name}" TEMPLATE "{self.name}"')
        self.created.append(name)
        return str(make_url(self.url).set(database=name).render_as_string(False))

    def drop_all(self) -> None:
        if self.backend == "postgresql":
            for name in reversed(self.created):
                self._admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="session", params=BACKENDS)
def template(request, tmp_path_factory) -> Iterator[_Template]:
    backend = request.param
    if backend == "postgresql" and _PG_PROBLEM:
        pytest.skip(f"PostgreSQL unreachable: {_PG_PROBLEM}")
    worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
    made = _Template(backend, tmp_path_factory.mktemp(f"db-{backend}"), worker)
    yield made
    made.drop_all()


@pytest.fixture(scope="session")
def backend(template) -> str:
    return template.backend


@pytest.fixture(scope="session")
def shared_database(template) -> Iterator[Database]:
    database = Database(template.shared_url)
    yield database
    database.dispose()


class ConnectionBoundDatabase(Database):
    """Every session the app opens joins one outer transaction that the test rolls back."""

    def __init__(self, base: Database, connection):
        self.url = base.url
        self.engine = base.engine
        self.is_sqlite = base.is_sqlite
        factory = sessionmaker(bind=connection, join_transaction_mode="create_savepoint",
                               expire_on_commit=False)
        self.read_session = factory
        self.write_session = factory

    def dispose(self) -> None:
        pass  # the shared engine outlives each test's app


@pytest.fixture(autouse=True)
def _real_clock() -> Iterator[None]:
    """A test that moves the one clock (app/clock.py) leaves it on real time for the next."""
    yield
    clock.reset()


@pytest.fixture
def database(shared_database) -> Iterator[Database]:
    with shared_database.engine.connect() as connection:
        transaction = connection.begin()
        yield ConnectionBoundDatabase(shared_database, connection)
        transaction.rollback()


@pytest.fixture
def db(database) -> Iterator[Session]:
    with database.read_session() as session:
        yield session
        session.flush()


@pytest.fixture
def committed_database(template) -> Iterator[Database]:
    """A database of its own where commits are real (concurrency and fault tests)."""
    url = template.copy()
    database = Database(url)
    yield database
    database.dispose()


@pytest.fixture(scope="session")
def demo_database(template) -> Iterator[Database]:
    """A database holding the demo council, loaded once per backend; tests roll back on top of it."""
    from app import jobs
    from app.demo import load_demo_data

    database = Database(template.copy())
    jobs.use_database(database)
    with database.transaction() as session:
        load_demo_data(session)
    yield database
    database.dispose()


@pytest.fixture
def demo_db(demo_database) -> Iterator[Session]:
    with demo_database.engine.connect() as connection:
        transaction = connection.begin()
        bound = ConnectionBoundDatabase(demo_database, connection)
        with bound.read_session() as session:
            session.info["bound_database"] = bound
            yield session
            session.flush()
        transaction.rollback()


@pytest.fixture
def demo_client(demo_db, demo_database):
    from app.main import create_app
    from tests.helpers import Browser

    app = create_app(test_settings(demo_database.url), demo_db.info["bound_database"])
    with Browser(app) as browser:
        yield browser


@pytest.fixture
def settings(template) -> Settings:
    return test_settings(template.shared_url)


@pytest.fixture
def app(settings, database):
    from app.main import create_app

    return create_app(settings, database)


@pytest.fixture
def client(app):
    from tests.helpers import Browser

    with Browser(app) as browser:
        yield browser


@pytest.fixture
def make_engine_for():
    engines = []

    def _make(url):
        engine = make_engine(url)
        engines.append(engine)
        return engine

    yield _make
    for engine in engines:
        engine.dispose()


warnings.filterwarnings("ignore", category=DeprecationWarning, module="huey")
