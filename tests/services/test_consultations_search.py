"""Free-text search on both databases: the index (pg_trgm / FTS5 trigram) never changes the answer.

Every case is checked against the same search done in Python (`term.lower() in text.lower()`)
over what was stored, so a search that the index narrowed wrongly, or that an out-of-date index
(a lost trigger) misses, fails here.
"""

import pytest
from sqlalchemy import delete, select, text, update

from app.models.consultation_response import Answer, Response
from app.services.consultations import answering, results, search
from tests.services import consultation_helpers as make

TEXTS = [
    "The carers are kind but always RUSHED in the morning.",
    "100% of visits were late; nobody reads the care_plan.",
    'She said "same carers please" and meant it.',
    "Back\\slash and 50%_off are not wildcards.",
    "Straße: the café visits are fine.",
    "ok",
]


@pytest.fixture
def stored(db):
    made, qs = make.consultation(db)
    form = answering.load_form(db, made.id)
    for n, body in enumerate(TEXTS):
        answering.record_response(db, form, answering.Submission(
            respondent_type="resident", answers=make.answers(qs, why=body)), f"search-{n}")
    return qs


def _ascii_lower(value: str) -> str:
    """SQLite folds the case of ASCII letters only (the terms below agree on both databases)."""
    return "".join(c.lower() if c.isascii() else c for c in value)


def _found(db, question_id, term):
    rows = db.scalars(select(Answer.value_text).where(
        Answer.question_id == question_id, search.free_text_matches(db, term)))
    return sorted(rows)


@pytest.mark.parametrize("term", [
    "rushed", "RUSHED", "Rushed in", "care", "care_", "care_plan", "100%", "50%_", "%", "_", "\\",
    "slash", 'said "same', '"', "visits", "ok", "k", "or", "xyz", "café", "straße", "  carers  ",
])
def test_same_matches_as_a_case_insensitive_substring(db, stored, term):
    wanted = sorted(t for t in TEXTS if _ascii_lower(term.strip()) in _ascii_lower(t))
    assert _found(db, stored["why"].id, term) == wanted


def test_blank_term_matches_every_free_text_answer(db, stored):
    assert _found(db, stored["why"].id, "   ") == sorted(TEXTS)


def test_choice_answers_never_match(db, stored):
    assert _found(db, stored["keep"].id, "Yes") == []


def test_new_changed_and_deleted_answers_are_seen(db, stored):
    question_id = stored["why"].id
    answer_id = db.scalar(select(Answer.id).where(Answer.question_id == question_id,
                                                  Answer.value_text == TEXTS[0]))
    db.execute(update(Answer).where(Answer.id == answer_id).values(value_text="Punctual and patient."))
    assert _found(db, question_id, "rushed") == []
    assert _found(db, question_id, "punctual") == ["Punctual and patient."]
    response_id = db.scalar(select(Answer.response_id).where(Answer.id == answer_id))
    db.execute(delete(Response).where(Response.id == response_id))  # answers go by cascade
    assert _found(db, question_id, "punctual") == []
    assert _found(db, question_id, "visits") == sorted(t for t in TEXTS[1:] if "visits" in t)


def test_results_page_search_counts_and_pages(db, stored):
    page = results.free_text(db, stored["why"].id, search="CARE")
    assert page.total == 3 and {row.value_text for row in page.rows} == {TEXTS[0], TEXTS[1], TEXTS[2]}


def test_the_index_exists(db, backend):
    if backend == "postgresql":
        definition = db.scalar(text("SELECT indexdef FROM pg_indexes WHERE indexname = :name"),
                               {"name": search.TRIGRAM_INDEX})
        assert "gin_trgm_ops" in definition and "option_index IS NULL" in definition
    else:
        triggers = set(db.scalars(text("SELECT name FROM sqlite_master WHERE type = 'trigger' "
                                       "AND tbl_name = 'consultation_answer'")))
        assert {f"{search.FTS_TABLE}_{name}" for name in ("ai", "ad", "au")} <= triggers


def test_search_pages_are_newest_first_like_the_unsearched_list(db):
    made, qs = make.consultation(db)
    form = answering.load_form(db, made.id)
    for n in range(45):
        body = f"Visit number {n}" if n % 3 else f"Nothing to add {n}"
        answering.record_response(db, form, answering.Submission(
            respondent_type="carer", answers=make.answers(qs, why=body)), f"order-{n}")
    first = results.free_text(db, qs["why"].id, search="visit")
    second = results.free_text(db, qs["why"].id, search="visit", page=2)
    assert first.total == 30 and first.pages == 2
    assert [row.value_text for row in first.rows + second.rows] == [
        f"Visit number {n}" for n in range(44, 0, -1) if n % 3]
