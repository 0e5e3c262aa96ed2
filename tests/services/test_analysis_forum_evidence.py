"""Forum posts, meeting notes and organisations' submissions in a question's analysis, on both databases."""

import pytest
from sqlalchemy import func, select

from app.jobs import analysis_work
from app.models.analysis import Theme, ThemeAssignment
from app.models.organisation import Organisation
from app.services import themes
from app.services.forums import meetings as forums_meetings
from app.services.forums import moderation as forums_moderation
from app.services.forums import posting as forums_posting
from app.services.forums import submissions as forums_submissions
from app.services.forums.posting import Poster
from app.services.forums.visibility import get_forum
from app.services.themes import runs as analysis_runs
from app.services.themes import summary as themes_summary
from app.services.themes.sources import texts_for_question
from tests.factories.evidence import consultation_with_answers
from tests.services.test_forums_visibility import SECRET, build_world

VISITS = "Home care visits are too short for my mother and the carers are always rushed {}"
SECRET_TEXT = "Members-only view: the union wants the rota published weekly {}"


@pytest.fixture
def world(db):
    return build_world(db)


@pytest.fixture
def officer(world):
    return world.users["officer"]


def _forum(db, world, name):
    return get_forum(db, world.users["admin"], world.forums[name].id)


def _evidence(db, world):
    """Ten public posts, four members-only posts, one anonymous staff post, a meeting, a submission."""
    public = _forum(db, world, "public")
    thread, _ = forums_posting.start_thread(db, Poster(world.users["member_a"], SECRET), public,
                                            title="Visit length", body=VISITS.format(0))
    posts = [forums_posting.reply(db, Poster(world.users["organiser_a"], SECRET), thread, body=VISITS.format(i))
             for i in range(1, 10)]
    members = _forum(db, world, "members_b")
    other, _ = forums_posting.start_thread(db, Poster(world.users["member_b"], SECRET), members,
                                           title="Rota", body=SECRET_TEXT.format(0))
    for i in range(1, 4):
        forums_posting.reply(db, Poster(world.users["organiser_b"], SECRET), other, body=SECRET_TEXT.format(i))
    staff = _forum(db, world, "staff")
    forums_posting.start_thread(db, Poster(world.users["member_c"], SECRET), staff, title="Out of turn",
                                body="Staff cannot finish visits in fifteen minutes and nobody listens")
    forums_meetings.record_meeting(db, world.users["organiser_a"], public, held_on="2026-10-01",
                                   title="Tenants' meeting", notes="Residents said visits are rushed and late",
                                   organisation_ids=[])
    union = db.get(Organisation, world.users["organiser_b"].organisation_id)
    submission = forums_submissions.draft(db, world.users["member_b"], union, review_id=world.review.id,
                                          title="Union response", body="Visits must be at least 30 minutes")
    submission = forums_submissions.get_submission(db, world.users["organiser_b"], union, submission.id)
    forums_submissions.sign_off(db, world.users["organiser_b"], submission)
    db.flush()
    return posts


def _run(db, database, question, officer):
    run = analysis_runs.start_run(db, question, officer)
    db.flush()
    analysis_work.execute_run(database, run.id)
    db.expire_all()
    return run


def _placed(db, question_id, column):
    return db.scalar(select(func.count(ThemeAssignment.id)).where(
        ThemeAssignment.question_id == question_id, column.is_not(None)))


def test_evidence_is_left_out_until_the_officer_includes_it(db, world, officer):
    _, _, free = consultation_with_answers(db, review=world.review, n=40)
    _evidence(db, world)
    status = themes_summary.evidence_status(db, free)
    assert (status.included, status.posts, status.meetings, status.submissions) == (False, 15, 1, 1)
    assert all(item.source == "answer" for item in texts_for_question(db, free))
    themes.set_forum_evidence(db, free, True, officer)
    sources = [item.source for item in texts_for_question(db, free)]
    assert sources.count("post") == 15 and sources.count("meeting") == 1 and sources.count("submission") == 1


def test_a_run_places_every_answer_and_every_piece_of_evidence_once(db, database, world, officer):
    _, _, free = consultation_with_answers(db, review=world.review, n=40)
    _evidence(db, world)
    themes.set_forum_evidence(db, free, True, officer)
    _run(db, database, free, officer)
    assert _placed(db, free.id, ThemeAssignment.answer_id) == 40
    assert _placed(db, free.id, ThemeAssignment.post_id) == 15
    assert _placed(db, free.id, ThemeAssignment.meeting_id) == 1
    assert _placed(db, free.id, ThemeAssignment.submission_id) == 1
    assert sum(analysis_runs.bucket_counts(db, free.id).values()) == 57
    assert analysis_runs.unanalysed_count(db, free.id) == 0
    columns = {cell.column for view in themes_summary.summarise(db, free).themes for cell in view.cells}
    assert "channel" in columns


def test_anonymous_staff_posts_carry_no_organisation_and_are_counted_as_staff(db, world, officer):
    _, _, free = consultation_with_answers(db, review=world.review, n=10)
    _evidence(db, world)
    themes.set_forum_evidence(db, free, True, officer)
    staff = [i for i in texts_for_question(db, free) if i.forum == "Staff forum"]
    assert len(staff) == 1
    assert staff[0].respondent_type == "staff" and staff[0].organisation_type is None
    assert not staff[0].is_public
    union = [i for i in texts_for_question(db, free) if i.source == "submission"]
    assert union[0].organisation_type == "trade_union" and union[0].channel == "organisation submission"


def test_new_evidence_is_placed_by_the_next_run_and_curation_is_kept(db, database, world, officer):
    _, _, free = consultation_with_answers(db, review=world.review, n=40)
    posts = _evidence(db, world)
    _run(db, database, free, officer)  # answers only
    biggest = themes.live_themes(db, free.id)[0]
    themes.rename(db, biggest, "Rushed visits", officer)
    themes.set_forum_evidence(db, free, True, officer)
    assert analysis_runs.unanalysed_count(db, free.id) == 17
    run = _run(db, database, free, officer)
    assert run.mode.value == "incremental"
    assert _placed(db, free.id, ThemeAssignment.post_id) == 15
    assert db.get(Theme, biggest.id).label == "Rushed visits"
    themes.move_text(db, free.id, "post", posts[0].id, "other", officer)
    moved = db.scalar(select(ThemeAssignment).where(ThemeAssignment.post_id == posts[0].id))
    assert moved.bucket.value == "other" and moved.assigned_by_id == officer.id


def test_a_hidden_post_leaves_themes_lists_and_quotes_at_once(db, database, world, officer):
    _, _, free = consultation_with_answers(db, review=world.review, n=20)
    posts = _evidence(db, world)
    themes.set_forum_evidence(db, free, True, officer)
    _run(db, database, free, officer)
    target = posts[3]
    before = sum(analysis_runs.bucket_counts(db, free.id).values())
    forums_moderation.hide(db, officer, _forum(db, world, "public"), target, reason="Personal details")
    db.flush()
    assert db.scalar(select(func.count()).where(ThemeAssignment.post_id == target.id)) == 0
    assert sum(analysis_runs.bucket_counts(db, free.id).values()) == before - 1
    hidden_text = VISITS.format(4)
    for theme in themes.live_themes(db, free.id):
        listed = themes.answers_in(db, free, theme_id=theme.id, search="", page=1)
        assert hidden_text not in [row.text for row in listed.rows]
        assert all(q.get("source_id") != target.id or q.get("source") != "post" for q in theme.quotes)


def test_stopping_inclusion_takes_evidence_out_of_the_themes(db, database, world, officer):
    _, _, free = consultation_with_answers(db, review=world.review, n=30)
    _evidence(db, world)
    themes.set_forum_evidence(db, free, True, officer)
    _run(db, database, free, officer)
    themes.set_forum_evidence(db, free, False, officer)
    db.flush()
    assert db.scalar(select(func.count()).where(ThemeAssignment.question_id == free.id,
                                                ThemeAssignment.answer_id.is_(None))) == 0
    assert sum(analysis_runs.bucket_counts(db, free.id).values()) == 30
    assert all(q.get("source", "answer") == "answer" for t in themes.live_themes(db, free.id) for q in t.quotes)


def test_theme_lists_show_evidence_first_then_answers_and_search_both(db, database, world, officer):
    _, _, free = consultation_with_answers(db, review=world.review, n=60)
    _evidence(db, world)
    themes.set_forum_evidence(db, free, True, officer)
    _run(db, database, free, officer)
    everything = []
    for theme in themes.live_themes(db, free.id):
        page, seen = 1, []
        while True:
            listed = themes.answers_in(db, free, theme_id=theme.id, page=page)
            seen += listed.rows
            if page >= listed.pages:
                break
            page += 1
        assert len(seen) == listed.total
        sources = [row.source for row in seen]
        assert sources == sorted(sources, key=lambda s: s == "answer")  # evidence, then answers
        everything += seen
    found = [row for row in everything if "rota published weekly" in row.text]
    assert found and all(row.source == "post" for row in found)
    theme_id = next(t.id for t in themes.live_themes(db, free.id)
                    if any(r.text in [f.text for f in found] for r in themes.answers_in(
                        db, free, theme_id=t.id, search="rota published").rows))
    searched = themes.answers_in(db, free, theme_id=theme_id, search="ROTA PUBLISHED")
    assert searched.rows and all("rota published" in row.text for row in searched.rows)
