"""Index the text of free-text answers for searching (pg_trgm on PostgreSQL, FTS5 trigram on SQLite)

Revision ID: consultations_search
Revises: analysis_forum_evidence
Create Date: 2026-11-23 16:40:00

See app/services/consultations/search.py for how the search uses them. Only free-text answers
(`option_index IS NULL`) are indexed, so recording choice answers costs nothing more.

SQLite keeps its index with triggers on consultation_answer. A later migration that rebuilds that
table (batch "move and copy") drops them with the old table and must recreate them: the search
tests on SQLite fail if it does not.
"""

from collections.abc import Sequence

from alembic import op
from sqlalchemy.exc import DBAPIError

revision: str = "consultations_search"
down_revision: str | Sequence[str] | None = "analysis_forum_evidence"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

FTS = "consultation_answer_search"
TRIGRAM_INDEX = "ix_consultation_answer_text_trgm"


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        create_trigram_extension(op.get_bind())
        op.execute(f"CREATE INDEX {TRIGRAM_INDEX} ON consultation_answer "
                   "USING gin (value_text gin_trgm_ops) WHERE option_index IS NULL")
    else:
        _create_fts_table()


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        # The extension stays: other databases objects may use it, and dropping it needs rights.
        op.execute(f"DROP INDEX IF EXISTS {TRIGRAM_INDEX}")
    else:
        for name in ("ai", "ad", "au"):
            op.execute(f"DROP TRIGGER IF EXISTS {FTS}_{name}")
        op.execute(f"DROP TABLE IF EXISTS {FTS}")


def create_trigram_extension(bind) -> None:
    """pg_trgm, or a RuntimeError that tells the administrator what to do."""
    if bind.exec_driver_sql("SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm'").scalar():
        return
    try:
        with bind.begin_nested():
            bind.exec_driver_sql("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    except DBAPIError as error:
        raise RuntimeError(
            "Chorus needs the PostgreSQL extension pg_trgm (in the contrib package) to search answers, "
            "and this database user could not create it: "
            f"{str(error.orig).strip().splitlines()[0]}. Ask the database administrator to run "
            "`CREATE EXTENSION pg_trgm;` in this database (as a superuser, or as its owner on "
            "PostgreSQL 13 or later), then run `python -m app migrate` again."
        ) from error


def _create_fts_table() -> None:
    bind = op.get_bind()
    try:
        bind.exec_driver_sql(
            f"CREATE VIRTUAL TABLE {FTS} USING fts5(value_text, content='consultation_answer', "
            "content_rowid='id', tokenize='trigram')")
    except DBAPIError as error:
        raise RuntimeError(
            "Chorus needs SQLite 3.34 or later with FTS5 (its trigram tokenizer) to search answers; "
            f"this SQLite said: {error.orig}. Use a Python built with a newer SQLite, or PostgreSQL."
        ) from error
    op.execute("""CREATE TRIGGER consultation_answer_search_ai AFTER INSERT ON consultation_answer
        WHEN new.option_index IS NULL BEGIN
            INSERT INTO consultation_answer_search(rowid, value_text) VALUES (new.id, new.value_text);
        END""")
    op.execute("""CREATE TRIGGER consultation_answer_search_ad AFTER DELETE ON consultation_answer
        WHEN old.option_index IS NULL BEGIN
            INSERT INTO consultation_answer_search(consultation_answer_search, rowid, value_text)
                VALUES ('delete', old.id, old.value_text);
        END""")
    op.execute("""CREATE TRIGGER consultation_answer_search_au
        AFTER UPDATE OF value_text, option_index ON consultation_answer BEGIN
            INSERT INTO consultation_answer_search(consultation_answer_search, rowid, value_text)
                SELECT 'delete', old.id, old.value_text WHERE old.option_index IS NULL;
            INSERT INTO consultation_answer_search(rowid, value_text)
                SELECT new.id, new.value_text WHERE new.option_index IS NULL;
        END""")
    op.execute("INSERT INTO consultation_answer_search(rowid, value_text) "
               "SELECT id, value_text FROM consultation_answer WHERE option_index IS NULL")
