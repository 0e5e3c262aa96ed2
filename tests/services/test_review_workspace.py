"""Response → theme → finding → published page: the loop, on both databases."""

import re

import pytest
from sqlalchemy import func, select

from app.errors import NotFound
from app.jobs import analysis_work
from app.models.analysis import Bucket, RunMode, RunStatus, Theme, ThemeAssignment, ThemeStatus
from app.models.audit import AuditEvent
from app.models.consultation import ConsultationState
from app.models.consultation_response import Answer
from app.models.finding import EvidenceKind
from app.models.user import Role
from app.services import themes
from app.services.reviews import access as review_access
from app.services.reviews import findings
from app.services.reviews import team as review_team
from app.services.themes import runs as analysis_runs
from tests import factories
from tests.factories.evidence import add_response, consultation_with_answers


@pytest.fixture
def officer(db):
    return factories.user(db, Role.OFFICER)


def analysed(db, database, officer, **kwargs):
    consultation, agree, free = consultation_with_answers(db, **kwargs)
    run = analysis_runs.start_run(db, free, officer)
    db.flush()
    analysis_work.execute_run(database, run.id)
    db.expire_all()
    return consultation, agree, free, run


class TestAnalysisRun:
    def test_every_answer_ends_in_exactly_one_place(self, db, database, officer):
        _, _, free, run = analysed(db, database, officer)
        assert db.get(type(run), run.id).status == RunStatus.SUCCEEDED
        answers = db.scalar(select(func.count(Answer.id)).where(Answer.question_id == free.id))
        assigned = db.scalar(
            select(func.count(ThemeAssignment.id)).where(ThemeAssignment.question_id == free.id)
        )
        assert answers == assigned == 120
        counts = analysis_runs.bucket_counts(db, free.id)
        assert sum(counts.values()) == 120
        assert counts["no_comment"] > 0  # the sample has "Nothing." style answers
        live = themes.live_themes(db, free.id)
        assert 1 < len(live) <= 15
        assert sum(t.size for t in live) == counts["theme"] + counts["campaign"]
        assert all(t.status == ThemeStatus.PROPOSED for t in live)

    def test_run_records_model_and_parameters(self, db, database, officer):
        _, _, _, run = analysed(db, database, officer)
        run = db.get(type(run), run.id)
        assert run.model_name.startswith("fake") and run.mode == RunMode.FULL
        assert run.summary["accounting"]["total"] == 120
        assert run.finished_at and run.started_at

    def test_themes_split_by_the_closed_question_before(self, db, database, officer):
        _, _, free, _ = analysed(db, database, officer)
        stance_totals = {}
        for theme in themes.live_themes(db, free.id):
            for answer, n in theme.stance_counts.items():
                stance_totals[answer] = stance_totals.get(answer, 0) + n
        assert set(stance_totals) <= {"Yes", "No"} and stance_totals

    def test_quotes_never_contain_contact_details(self, db, database, officer):
        texts = ["Call me on 07700 900123 or write to jo.bloggs@example.com about the carers visits"] * 3
        texts += [f"The carers were late again on visit {i} and nobody told us" for i in range(40)]
        texts += [f"Lovely staff, kind and patient every morning {i}" for i in range(40)]
        analysed(db, database, officer, texts=texts)
        quotes = " ".join(q["text"] for t in db.scalars(select(Theme)) for q in t.quotes)
        assert "@example.com" not in quotes and "07700" not in quotes

    def test_a_failed_run_saves_nothing(self, db, database, officer, monkeypatch):
        _, _, free = consultation_with_answers(db, n=30)
        run = analysis_runs.start_run(db, free, officer)
        db.flush()
        monkeypatch.setattr(
            analysis_work, "_full", lambda *a, **k: (_ for _ in ()).throw(RuntimeError("boom"))
        )
        with pytest.raises(RuntimeError):
            analysis_work.execute_run(database, run.id)
        db.expire_all()
        assert db.get(type(run), run.id).status == RunStatus.FAILED
        assert db.scalar(select(func.count(Theme.id))) == 0

    def test_a_worker_killed_mid_run_is_marked_failed(self, db, officer):
        from datetime import timedelta

        _, _, free = consultation_with_answers(db, n=10)
        run = analysis_runs.start_run(db, free, officer)
        run.status, run.heartbeat_at = RunStatus.RUNNING, run.created_at - timedelta(minutes=10)
        db.flush()
        assert analysis_runs.fail_stale_runs(db) == 1
        db.refresh(run)
        assert run.status == RunStatus.FAILED and "nothing from it was saved" in run.error

    def test_only_one_run_at_a_time(self, db, officer):
        from app.errors import Conflict

        _, _, free = consultation_with_answers(db, n=10)
        analysis_runs.start_run(db, free, officer)
        with pytest.raises(Conflict):
            analysis_runs.start_run(db, free, officer)


class TestCuration:
    def test_rename_merge_move_are_recorded(self, db, database, officer):
        _, _, free, _ = analysed(db, database, officer)
        first, second = themes.live_themes(db, free.id)[:2]
        themes.rename(db, first, "Care workers arrive late", officer)
        total = first.size + second.size
        themes.merge(db, first, second, officer)
        db.expire_all()
        assert db.get(Theme, first.id).size == total
        assert db.get(Theme, second.id).status == ThemeStatus.MERGED
        moved = db.scalars(select(ThemeAssignment).where(ThemeAssignment.theme_id == first.id)).first()
        themes.move_answer(db, moved.answer_id, free.id, "other", officer)
        db.expire_all()
        assert db.get(Theme, first.id).size == total - 1
        actions = set(db.scalars(select(AuditEvent.action)))
        assert {"theme.rename", "theme.merge", "theme.move_answer"} <= actions

    def test_curated_themes_survive_a_later_run(self, db, database, officer):
        consultation, agree, free, _ = analysed(db, database, officer)
        keep = themes.live_themes(db, free.id)[0]
        themes.rename(db, keep, "Named by an officer", officer)
        themes.approve(db, keep, officer)
        before = dict(db.execute(select(ThemeAssignment.answer_id, ThemeAssignment.theme_id)).all())
        new_answers = [
            add_response(db, consultation, agree, free, text).id
            for text in ["The carers were rushed and late"] * 6
        ]
        run = analysis_runs.start_run(db, free, officer)
        assert run.mode == RunMode.INCREMENTAL
        db.flush()
        analysis_work.execute_run(database, run.id)
        db.expire_all()
        assert db.get(Theme, keep.id).label == "Named by an officer"
        assert db.get(Theme, keep.id).status == ThemeStatus.APPROVED
        after = dict(db.execute(select(ThemeAssignment.answer_id, ThemeAssignment.theme_id)).all())
        assert {a: after[a] for a in before} == before  # nobody's earlier placement changed
        assert all(a in after for a in new_answers)

    def test_answers_page_shows_campaigns_once(self, db, database, officer):
        letter = (
            "We the undersigned residents oppose any outsourcing of the in-house home care "
            "service and ask the council to keep it."
        )
        texts = [letter] * 25 + [f"The carers were late on visit number {i} this month" for i in range(40)]
        _, _, free, _ = analysed(db, database, officer, texts=texts)
        page = themes.answers_in(db, free, bucket=Bucket.CAMPAIGN)
        assert page.total == 0
        assert [size for _, size, _ in page.campaigns] == [25]


class TestFindings:
    def test_finding_cites_a_theme_and_warns_when_it_changes(self, db, database, officer):
        consultation, _, free, _ = analysed(db, database, officer)
        theme = themes.live_themes(db, free.id)[0]
        finding = findings.write_finding(
            db,
            review_id=consultation.review_id,
            stage="consult",
            statement="Users value continuity of carers.",
            evidence_refs=[(EvidenceKind.THEME, theme.id)],
            officer=officer,
        )
        db.flush()
        item = findings.evidence_items(db, finding)[0]
        size_when_written = theme.size
        assert not item.changed and item.now.figures["answers"] == size_when_written
        moved = db.scalars(select(ThemeAssignment).where(ThemeAssignment.theme_id == theme.id)).first()
        themes.move_answer(db, moved.answer_id, free.id, "other", officer)
        db.expire_all()
        item = findings.evidence_items(db, db.get(type(finding), finding.id))[0]
        assert item.changed and item.now.figures["answers"] == size_when_written - 1

    def test_team_members_comment_and_only_officers_publish(self, db, database, officer):
        consultation, _, _, _ = analysed(db, database, officer, n=30)
        rep = factories.user(db, Role.ORGANISER)
        review_team.add_member(
            db, review_id=consultation.review_id, email=rep.email, role="member", officer=officer
        )
        finding = findings.write_finding(
            db,
            review_id=consultation.review_id,
            stage="challenge",
            statement="The service is needed.",
            evidence_refs=[],
            officer=officer,
        )
        findings.comment(db, finding, rep, "Agree, and the union has figures on turnover.")
        from app.errors import Forbidden

        with pytest.raises(Forbidden):
            findings.publish(db, finding, rep)
        findings.publish(db, finding, officer)
        assert finding.status.value == "published"

    def test_a_member_of_review_a_cannot_see_review_b(self, db, database, officer):
        review_a, _, _ = consultation_with_answers(db, n=5)
        review_b, _, _ = consultation_with_answers(db, n=5)
        rep = factories.user(db, Role.ORGANISER)
        review_team.add_member(
            db, review_id=review_a.review_id, email=rep.email, role="member", officer=officer
        )
        hidden = findings.write_finding(
            db,
            review_id=review_b.review_id,
            stage="consult",
            statement="Draft for B only",
            evidence_refs=[],
            officer=officer,
        )
        assert review_access.can_read(db, rep, review_a.review_id)
        assert not review_access.can_read(db, rep, review_b.review_id)
        with pytest.raises(NotFound):
            findings.readable_finding(db, rep, hidden.id)
        with pytest.raises(NotFound):
            review_access.readable_review(db, rep, review_b.review_id)


def test_published_results_never_show_equalities_or_contact_details(db, database, officer):
    from app.services.reviews import outcomes

    consultation, agree, free = consultation_with_answers(db, n=60)
    add_response(
        db, consultation, agree, free, "Ring 020 7946 0018 about the late visits", ethnicity="ZZEQUALITIES"
    )
    run = analysis_runs.start_run(db, free, officer)
    db.flush()
    analysis_work.execute_run(database, run.id)
    db.expire_all()
    for theme in themes.live_themes(db, free.id):
        themes.approve(db, theme, officer)
    consultation.state = ConsultationState.PUBLISHED
    db.flush()
    results = outcomes.public_results(db, consultation)
    text = repr(results)
    assert "ZZEQUALITIES" not in text
    assert not re.search(
        r"020 ?7946",
        " ".join(q["text"] for _, s in results.questions for v in s.themes for q in v.theme.quotes),
    )
