"""Consultation services on both databases: states, builder, recording, results, seam, exports, imports."""

import csv
import io
import json
import threading
from datetime import timedelta

import pytest
from sqlalchemy import func, select, update

from app.errors import Conflict, InvalidInput
from app.models.audit import AuditEvent
from app.models.base import utcnow
from app.models.consultation import Audience, Channel, ConsultationState, QuestionKind
from app.models.consultation_response import Answer, ApiToken, Draft, EqualitiesAnswer, Response
from app.services import consultations as service
from app.services.consultations import answering, building, channels, exports, results
from tests import factories
from tests.services import consultation_helpers as make


class TestTransitions:
    def test_draft_open_closed_published_each_audited(self, db):
        made, _ = make.consultation(db, open_it=False)
        service.open_consultation(db, made, actor_id=None)
        service.close_consultation(db, made)
        service.publish_consultation(db, made)
        assert made.state == ConsultationState.PUBLISHED
        actions = db.scalars(select(AuditEvent.action).where(AuditEvent.object_id == made.id,
                                                             AuditEvent.object_type == "consultation")).all()
        assert {"consultation.opened", "consultation.closed", "consultation.published"} <= set(actions)

    @pytest.mark.parametrize("verb", ["close_consultation", "publish_consultation"])
    def test_wrong_state_is_a_conflict(self, db, verb):
        made, _ = make.consultation(db, open_it=False)
        with pytest.raises(Conflict):
            getattr(service, verb)(db, made)

    def test_cannot_open_without_questions(self, db):
        made, qs = make.consultation(db, open_it=False)
        for question in qs.values():
            building.delete_question(db, made, question.id)
        with pytest.raises(Conflict):
            service.open_consultation(db, made)

    def test_questions_are_frozen_once_open(self, db):
        made, qs = make.consultation(db)
        with pytest.raises(Conflict):
            building.update_question(db, made, qs["why"].id, building.QuestionInput(kind="long_text", text="x"))

    def test_due_consultations_close_and_drafts_go(self, db):
        made, _ = make.consultation(db, closes_at=make.closing_soon())
        answering.start_draft(db, made.id)
        made.closes_at = utcnow() - timedelta(minutes=1)
        db.flush()
        assert service.close_due_consultations(db) == [made.id]
        assert made.state == ConsultationState.CLOSED
        assert db.scalar(select(func.count()).select_from(Draft)) == 0


class TestBuilder:
    def test_choice_question_needs_two_options(self, db):
        made, _ = make.consultation(db, open_it=False)
        with pytest.raises(InvalidInput) as error:
            building.add_question(db, made, building.QuestionInput(kind="single_choice", text="Pick", options="A"))
        assert "options" in error.value.errors

    def test_condition_must_name_an_option_of_an_earlier_question(self, db):
        made, qs = make.consultation(db, open_it=False)
        data = building.QuestionInput(kind="short_text", text="Why?", show_if_question_id=str(qs["keep"].id),
                                      show_if_value="Perhaps")
        with pytest.raises(InvalidInput) as error:
            building.add_question(db, made, data)
        assert "show_if_value" in error.value.errors

    def test_questionnaire_per_respondent_type(self, db):
        made, _qs = make.consultation(db, open_it=False)
        questionnaire = building.add_questionnaire(db, made, title="Organisations",
                                                   respondent_types=["organisation"])
        building.add_question(db, made, building.QuestionInput(
            kind="long_text", text="What does your organisation know?", page="5",
            questionnaire_id=str(questionnaire.id)))
        service.open_consultation(db, made)
        form = answering.load_form(db, made.id)
        assert len(answering.questions_for(form, "organisation")) == len(answering.questions_for(form, "carer")) + 1

    def test_documents_must_be_pdf_and_small(self, db, settings, tmp_path):
        settings = settings.model_copy(update={"upload_dir": tmp_path, "max_upload_bytes": 1000})
        made, _ = make.consultation(db)
        with pytest.raises(InvalidInput):
            building.add_document(db, settings, made, title="Plan", filename="plan.pdf", content=b"<html>")
        with pytest.raises(InvalidInput):
            building.add_document(db, settings, made, title="Plan", filename="plan.pdf", content=b"%PDF-" + b"x" * 2000)
        document = building.add_document(db, settings, made, title="", filename="../../Plan.pdf",
                                         content=b"%PDF-1.7 tiny")
        assert document.title == "Plan" and document.filename == "Plan.pdf"
        assert building.document_path(settings, document).read_bytes() == b"%PDF-1.7 tiny"
        assert document.stored_name != "Plan.pdf"


class TestRecording:
    def test_same_key_records_once(self, db):
        made, qs = make.consultation(db)
        first = make.submit(db, made, qs, "key-1")
        second = make.submit(db, made, qs, "key-1")
        assert first == (first[0], True) and second == (first[0], False)
        assert db.scalar(select(func.count()).where(Response.consultation_id == made.id)) == 1

    def test_the_form_sees_a_state_changed_but_not_yet_flushed_in_the_same_session(self, db):
        made, _qs = make.consultation(db)
        assert answering.load_form(db, made.id).accepting  # its questions are cached from here on
        made.state = ConsultationState.CLOSED
        form = answering.load_form(db, made.id)
        assert form.state == ConsultationState.CLOSED and not form.accepting
        assert form.questions  # the cached questions still come with it

    def test_invalid_answers_name_every_field(self, db):
        made, _qs = make.consultation(db)
        form = answering.load_form(db, made.id)
        submission = answering.Submission(respondent_type="alien", answers={"999": "x"})
        with pytest.raises(InvalidInput) as error:
            answering.record_response(db, form, submission, "bad")
        assert {"respondent_type", "q999"} <= set(error.value.errors)

    def test_closed_consultation_refuses(self, db):
        made, qs = make.consultation(db)
        service.close_consultation(db, made)
        with pytest.raises(Conflict):
            make.submit(db, made, qs, "late")

    def test_retry_after_closing_gets_the_first_reference(self, db):
        made, qs = make.consultation(db)
        reference, created = make.submit(db, made, qs, "before-close")
        service.close_consultation(db, made)
        assert make.submit(db, made, qs, "before-close") == (reference, False)
        assert created

    def test_key_of_another_consultation_is_a_conflict(self, db):
        made, qs = make.consultation(db)
        other, other_qs = make.consultation(db, title="Libraries")
        make.submit(db, made, qs, "shared-key")
        with pytest.raises(Conflict, match="another consultation"):
            make.submit(db, other, other_qs, "shared-key")

    def test_answers_are_stored_once_as_normalised_rows(self, db):
        made, qs = make.consultation(db)
        reference, _ = make.submit(db, made, qs, "rows")
        make.submit(db, made, qs, "rows")
        response_id = db.scalar(select(Response.id).where(Response.reference == reference))
        stored = set(db.execute(select(Answer.question_id, Answer.value_text, Answer.option_index,
                                       Answer.number).where(Answer.response_id == response_id)).all())
        assert stored == {
            (qs["rating"].id, "Good", 3, 4), (qs["keep"].id, "Yes", 0, None),
            (qs["why"].id, "They know my mum.", None, None), (qs["seen"].id, "Late visits", 1, None),
            (qs["rank"].id, "On time", 1, 1), (qs["rank"].id, "Same carers", 0, 2),
            (qs["rank"].id, "Longer visits", 2, 3),
        }

    def test_equalities_stored_apart_and_deleted_with_the_response(self, db):
        made, qs = make.consultation(db)
        reference, _ = make.submit(db, made, qs, "eq", equalities={"age_band": "16 to 24", "ward": "North"})
        response = db.scalar(select(Response).where(Response.reference == reference))
        assert db.scalar(select(EqualitiesAnswer.ward).where(EqualitiesAnswer.response_id == response.id)) == "North"
        db.delete(response)
        db.flush()
        assert db.scalar(select(func.count()).select_from(EqualitiesAnswer)) == 0
        assert db.scalar(select(func.count()).select_from(Answer).where(Answer.response_id == response.id)) == 0

    def test_invitation_is_single_use(self, db):
        made, qs = make.consultation(db, audience=Audience.PANEL)
        (invitation, _token), = building.invite(db, made, emails="a@example.org")
        make.submit(db, made, qs, "inv-1", invitation_id=invitation.id)
        with pytest.raises(Conflict):
            make.submit(db, made, qs, "inv-2", invitation_id=invitation.id)


def _submit_in_thread(database, consultation_id, qs_ids, key, outcomes):
    try:
        with database.transaction() as db:
            form = answering.load_form(db, consultation_id)
            submission = answering.Submission(respondent_type="resident", answers={
                str(qs_ids["rating"]): "3", str(qs_ids["keep"]): "No"})
            outcomes.append(answering.record_response(db, form, submission, key))
    except Exception as error:  # recorded for the assertion below
        outcomes.append(error)


def test_concurrent_double_submits_record_one_response(committed_database):
    with committed_database.transaction() as db:
        made, qs = make.consultation(db)
        consultation_id, qs_ids = made.id, {k: q.id for k, q in qs.items()}
    outcomes: list = []
    threads = [threading.Thread(target=_submit_in_thread,
                                args=(committed_database, consultation_id, qs_ids, key, outcomes))
               for key in ["same"] * 4 + [f"other-{n}" for n in range(4)]]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not [o for o in outcomes if isinstance(o, Exception)], outcomes
    assert len({ref for ref, _ in outcomes}) == 5
    assert sum(created for _, created in outcomes) == 5
    with committed_database.transaction(write=False) as db:
        assert db.scalar(select(func.count()).where(Response.consultation_id == consultation_id)) == 5


class TestResults:
    def test_summary_counts_and_charts(self, db):
        made, qs = make.consultation(db)
        make.submit(db, made, qs, "r1", respondent_type="carer")
        make.submit(db, made, qs, "r2", respondent_type="carer", channel=Channel.PAPER)
        make.submit(db, made, qs, "r3", respondent_type="staff")
        found = results.summary(db, service.get_consultation(db, made.id))
        assert found.total == 3
        assert {b.label: b.count for b in found.by_type}["A carer or family member of someone who uses the service"] == 2
        rating = next(r for r in found.questions if r.question.id == qs["rating"].id)
        assert rating.mean == 4.0 and rating.bars[3].count == 3 and rating.bars[3].percent == 100.0
        ranking = next(r for r in found.questions if r.question.id == qs["rank"].id)
        assert ranking.ranking[0].label == "On time" and ranking.ranking[0].first_choices == 3
        assert sum(b.count for b in found.timeline) == 3

    def test_free_text_filters_search_and_pages(self, db):
        made, qs = make.consultation(db)
        form = answering.load_form(db, made.id)
        for n in range(25):
            submission = answering.Submission(
                respondent_type="carer" if n % 2 else "resident",
                answers=make.answers(qs, why=f"Answer {n} about 100% of visits"))
            answering.record_response(db, form, submission, f"ft-{n}")
        page = results.free_text(db, qs["why"].id)
        assert page.total == 25 and len(page.rows) == results.PAGE_SIZE and page.pages == 2
        assert results.free_text(db, qs["why"].id, respondent_type="carer").total == 12
        assert results.free_text(db, qs["why"].id, search="answer 7 ").total == 1
        assert results.free_text(db, qs["why"].id, search="100%").total == 25
        assert results.free_text(db, qs["why"].id, search="_").total == 0

    def test_analysis_seam_has_attributes_and_stance_but_no_equalities(self, db):
        made, qs = make.consultation(db)
        organisation = factories.organisation(db)
        make.submit(db, made, qs, "seam", respondent_type="organisation", organisation_name=organisation.name,
                    equalities={"age_band": "16 to 24"}, is_panel=True)
        (item,) = results.free_text_answers(db, qs["why"].id)
        assert item.text == "They know my mum." and item.stance == "Yes"
        assert item.respondent_type == "organisation" and item.organisation_type == organisation.type.value
        assert item.is_panel and item.channel == "online"
        assert not any("16 to 24" in str(value) for value in vars(item).values())


class TestExports:
    def test_csv_is_safe_and_one_row_per_response(self, db):
        made, qs = make.consultation(db)
        form = answering.load_form(db, made.id)
        answering.record_response(db, form, answering.Submission(
            respondent_type="resident", answers=make.answers(qs, why='=HYPERLINK("http://evil")')), "x1")
        make.submit(db, made, qs, "x2")
        text = "".join(exports.responses_csv(db, made.id, list(service.get_consultation(db, made.id).questions)))
        rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
        assert len(rows) == 3
        assert "'=HYPERLINK(\"http://evil\")" in rows[1]
        assert "Same carers; On time; Longer visits" not in text and "On time; Same carers; Longer visits" in text

    def test_json_streams_valid_json_and_no_equalities(self, db):
        made, qs = make.consultation(db)
        make.submit(db, made, qs, "j1", equalities={"age_band": "16 to 24"})
        data = json.loads("".join(exports.responses_json(db, made.id, list(service.get_consultation(db, made.id).questions))))
        assert len(data["responses"]) == 1 and "16 to 24" not in json.dumps(data)
        assert data["responses"][0]["answers"][str(qs["rank"].id)] == ["On time", "Same carers", "Longer visits"]

    def test_equalities_export_has_no_reference(self, db):
        made, qs = make.consultation(db)
        reference, _ = make.submit(db, made, qs, "e1", equalities={"age_band": "16 to 24"})
        text = "".join(exports.equalities_csv(db, made.id))
        assert "16 to 24" in text and reference not in text


class TestImport:
    def _csv(self, qs, *rows):
        header = ["respondent_type", "organisation_name", f"q{qs['rating'].id}", qs["keep"].text,
                  f"q{qs['rank'].id}"]
        buffer = io.StringIO()
        csv.writer(buffer).writerows([header, *rows])
        return buffer.getvalue().encode()

    def test_import_tags_channel_and_is_idempotent(self, db):
        made, qs = make.consultation(db)
        user = factories.user(db)
        content = self._csv(qs, ["carer", "", "Good", "Yes", "On time; Same carers"],
                            ["organisation", "Tenants", "2", "No", ""])
        form = answering.load_form(db, made.id)
        report = channels.import_csv(db, form, content, channel=Channel.PAPER, actor_id=user.id)
        assert (report.imported, report.errors) == (2, [])
        again = channels.import_csv(db, form, content, channel=Channel.PAPER, actor_id=user.id)
        assert (again.imported, again.already_imported) == (0, 2)
        channels_seen = db.scalars(select(Response.channel).where(Response.consultation_id == made.id)).all()
        assert channels_seen == [Channel.PAPER, Channel.PAPER]

    def test_any_bad_row_imports_nothing(self, db):
        made, qs = make.consultation(db)
        user = factories.user(db)
        content = self._csv(qs, ["carer", "", "4", "Yes", ""], ["carer", "", "9", "Maybe", ""])
        report = channels.import_csv(db, answering.load_form(db, made.id), content, channel=Channel.PHONE,
                                     actor_id=user.id)
        assert report.imported == 0 and [line for line, _ in report.errors] == [3, 3]
        assert db.scalar(select(func.count()).where(Response.consultation_id == made.id)) == 0

    def test_not_a_csv(self, db):
        made, _ = make.consultation(db)
        with pytest.raises(InvalidInput):
            channels.import_csv(db, answering.load_form(db, made.id), b"\xff\xfe\x00", channel=Channel.PAPER,
                                actor_id=1)


class TestApiTokens:
    def test_tokens_are_hashed_and_revocable(self, db):
        user = factories.user(db)
        token, secret = channels.create_api_token(db, name="Phone team", actor_id=user.id)
        assert secret not in token.token_hash
        assert channels.find_api_token(db, secret) == token.id
        channels.revoke_api_token(db, token.id, actor_id=user.id)
        assert channels.find_api_token(db, secret) is None

    def test_revoked_elsewhere_stops_working_within_the_cache_time(self, db, monkeypatch):
        user = factories.user(db)
        token, secret = channels.create_api_token(db, name="Paper forms", actor_id=user.id)
        assert channels.find_api_token(db, secret) == token.id
        db.execute(update(ApiToken).where(ApiToken.id == token.id).values(revoked_at=utcnow()))
        assert channels.find_api_token(db, secret) == token.id  # another process's revocation
        later = channels.time.monotonic() + channels.TOKEN_CACHE_SECONDS + 1
        monkeypatch.setattr(channels.time, "monotonic", lambda: later)
        assert channels.find_api_token(db, secret) is None


def test_question_kinds_all_have_labels():
    assert all(kind.label for kind in QuestionKind)


class TestTallies:
    def _snapshot(self, db, made):
        found = results.summary(db, service.get_consultation(db, made.id))
        return (found.total, [(b.label, b.count) for b in found.by_type], [(b.label, b.count) for b in found.timeline],
                [(r.answered, [(b.label, b.count) for b in r.bars], r.mean, [vars(i) for i in r.ranking])
                 for r in found.questions])

    def test_folded_results_equal_live_results(self, db):
        from app.services.consultations import tallies

        made, qs = make.consultation(db)
        make.submit(db, made, qs, "t1")
        make.submit(db, made, qs, "t2", respondent_type="carer", channel=Channel.PHONE)
        live = self._snapshot(db, made)
        assert tallies.fold(db, made.id) == 0  # the first run only notes the newest id
        make.submit(db, made, qs, "t3", respondent_type="staff")  # arrives between runs
        live_three = self._snapshot(db, made)
        assert live_three != live
        assert tallies.fold(db, made.id) == 2  # folds up to the id seen on the previous run
        assert self._snapshot(db, made) == live_three
        assert tallies.fold(db, made.id) == 1
        assert self._snapshot(db, made) == live_three
        assert tallies.fold(db, made.id) == 0
        assert self._snapshot(db, made) == live_three

    def test_timeline_days_are_the_councils_days(self, db):
        """23:30 UTC is 00:30 the next day in a British summer and 23:30 the same day in winter;
        folded tallies and the live aggregate agree on it."""
        from datetime import UTC, datetime

        from app.services.consultations import tallies

        made, qs = make.consultation(db)
        moments = {"summer": datetime(2026, 7, 1, 23, 30, tzinfo=UTC),
                   "winter": datetime(2026, 12, 1, 23, 30, tzinfo=UTC),
                   "winter-morning": datetime(2026, 12, 1, 0, 15, tzinfo=UTC)}
        for key, moment in moments.items():
            reference, _ = make.submit(db, made, qs, key)
            db.execute(update(Response).where(Response.reference == reference).values(submitted_at=moment))
        expected = [("2026-07-02", 1), ("2026-12-01", 2)]
        assert self._snapshot(db, made)[2] == expected
        tallies.fold(db, made.id)
        tallies.fold(db, made.id)
        assert db.scalar(select(func.count()).select_from(tallies.ResultsTally)
                         .where(tallies.ResultsTally.dimension == "hour")) == 3
        assert self._snapshot(db, made)[2] == expected
