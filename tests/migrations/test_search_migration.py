"""The search migration on PostgreSQL: a user who may not create pg_trgm gets a clear message."""

import importlib.util
import uuid
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from tests.conftest import _pg_admin_url

MIGRATION = Path(__file__).resolve().parents[2] / "migrations/versions/2026_11_23_consultations_search.py"


def _migration():
    spec = importlib.util.spec_from_file_location("consultations_search_migration", MIGRATION)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def database_without_trgm(template):
    if template.backend != "postgresql":
        pytest.skip("pg_trgm is PostgreSQL's")
    name, role = f"no_trgm_{uuid.uuid4().hex[:8]}", f"chorus_limited_{uuid.uuid4().hex[:8]}"
    admin = create_engine(_pg_admin_url(), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
        connection.execute(text(f'CREATE ROLE "{role}" LOGIN NOSUPERUSER NOCREATEDB'))
    url = make_url(_pg_admin_url()).set(database=name)
    yield url, url.set(username=role)
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        connection.execute(text(f'DROP ROLE IF EXISTS "{role}"'))
    admin.dispose()


def test_a_user_who_may_not_create_the_extension_is_told_what_to_do(database_without_trgm):
    _admin_url, limited_url = database_without_trgm
    engine = create_engine(limited_url)
    with engine.connect() as connection, pytest.raises(RuntimeError) as error:
        _migration().create_trigram_extension(connection)
    engine.dispose()
    message = str(error.value)
    assert "pg_trgm" in message and "CREATE EXTENSION pg_trgm;" in message and "python -m app migrate" in message
    assert "permission denied" in message


def test_an_extension_already_there_is_enough(database_without_trgm):
    admin_url, limited_url = database_without_trgm
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text("CREATE EXTENSION pg_trgm"))
    admin.dispose()
    engine = create_engine(limited_url)
    with engine.connect() as connection:
        _migration().create_trigram_extension(connection)  # no error: nothing to create
        assert connection.execute(text("SELECT similarity('rushed', 'rush')")).scalar() > 0
    engine.dispose()
