"""Alembic is the only way a schema is made: it round-trips, and it agrees with the models."""

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect

from app.migrations_runner import downgrade_to_base, upgrade_to_head
from app.models import Base
from app.services.consultations.search import made_by_migration_only


def _not_search_index(name, type_, parent_names) -> bool:
    return not made_by_migration_only(name)


def _diff(engine):
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True,
                                                               "include_name": _not_search_index})
        return compare_metadata(context, Base.metadata)


def test_upgrade_downgrade_upgrade(template, make_engine_for):
    url = template.copy()
    engine = make_engine_for(url)
    downgrade_to_base(url)
    assert set(inspect(engine).get_table_names()) <= {"alembic_version"}
    upgrade_to_head(url)
    assert set(Base.metadata.tables) <= set(inspect(engine).get_table_names())


def test_models_and_migrations_agree(template, make_engine_for):
    engine = make_engine_for(template.shared_url)
    assert _diff(engine) == []
