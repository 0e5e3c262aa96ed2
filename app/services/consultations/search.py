"""Searching free-text answers for words, with an index on both databases.

The meaning is always that of `ILIKE '%term%'`: a case-insensitive substring, with `%`, `_` and
`\\` in the term taken literally. The index only narrows the rows that condition is checked on:

- PostgreSQL: a pg_trgm GIN index on the text of free-text answers (`option_index IS NULL`), which
  the planner uses for the ILIKE itself when the term has three characters or more.
- SQLite: an FTS5 table with the trigram tokenizer (`consultation_answer_search`, kept up to date
  by triggers), asked for the answers holding the term as a phrase; the ILIKE then checks them.
  `searched` joins that table so it drives the query: it returns matches newest first (by rowid,
  the answer id) and a page or a capped count stops as soon as it has enough, whether the term is
  in half the answers or in three. Terms shorter than three characters cannot use a trigram index
  and fall back to the scan.

Both indexes hold free-text answers only (choice answers have an option index), so the search is
for free-text questions. A term of one or two characters has no trigram: the condition then leaves
out `option_index IS NULL`, which changes nothing for free-text answers but keeps PostgreSQL from
reading the whole partial index for a term it cannot narrow (five times slower than the scan).
"""

from sqlalchemy import ColumnElement, Select, and_, column, select, table, true
from sqlalchemy.orm import Session

from app.models.consultation_response import Answer

MAX_TERM = 200
TRIGRAM = 3
FTS_TABLE = "consultation_answer_search"
TRIGRAM_INDEX = "ix_consultation_answer_text_trgm"

_fts = table(FTS_TABLE, column("rowid"), column(FTS_TABLE))


def made_by_migration_only(name: str | None) -> bool:
    """The search tables and index no model describes: Alembic's autogenerate must leave them be."""
    return (name or "").startswith((FTS_TABLE, TRIGRAM_INDEX))


def clean_term(term: str) -> str:
    return term.strip()[:MAX_TERM]


def escape_like(term: str) -> str:
    return term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def free_text_matches(db: Session, term: str) -> ColumnElement[bool]:
    """A condition: Answer.value_text contains `term` (a blank term matches every answer).

    For queries that cannot take `searched`: on SQLite the index then filters but does not drive.
    """
    term = clean_term(term)
    conditions = _conditions(term)
    if _uses_fts(db, term):
        conditions.append(Answer.id.in_(select(_fts.c.rowid).where(_fts.c[FTS_TABLE].match(_phrase(term)))))
    return and_(true(), *conditions)


def searched(db: Session, statement: Select, term: str) -> Select:
    """`statement` (a SELECT over Answer) narrowed to the answers containing `term`."""
    term = clean_term(term)
    statement = statement.where(*_conditions(term))
    if _uses_fts(db, term):
        statement = (statement.join(_fts, _fts.c.rowid == Answer.id)
                     .where(_fts.c[FTS_TABLE].match(_phrase(term))))
    return statement


def _conditions(term: str) -> list[ColumnElement[bool]]:
    if not term:
        return []
    contains = Answer.value_text.ilike(f"%{escape_like(term)}%", escape="\\")
    return [Answer.option_index.is_(None), contains] if len(term) >= TRIGRAM else [contains]


def _uses_fts(db: Session, term: str) -> bool:
    return db.get_bind().dialect.name == "sqlite" and len(term) >= TRIGRAM


def newest_first(db: Session, term: str):
    """The order for `searched` results, newest response first.

    On SQLite a response and its answers are written one transaction at a time, so within a question
    the answer id rises with the response id, and ordering by the FTS rowid (the answer id) is the
    same order — one FTS5 can produce without sorting every match.
    """
    if _uses_fts(db, clean_term(term)):
        return _fts.c.rowid.desc()
    return Answer.response_id.desc()


def _phrase(term: str) -> str:
    return '"' + term.replace('"', '""') + '"'
