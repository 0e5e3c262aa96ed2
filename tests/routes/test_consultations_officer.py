"""Officer pages: who may see them, the builder with and without HTMX, documents, results, exports, entry."""

import csv
import io
from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select

from app.models.consultation import ConsultationState, Question
from app.models.consultation_response import Response
from app.models.user import Role
from app.services import reviews
from tests import factories
from tests.helpers import page, text_of
from tests.services import consultation_helpers as make


@pytest.fixture
def officer(db, client):
    account = factories.user(db, Role.OFFICER)
    db.flush()
    client.sign_in(account.email, factories.PASSWORD)
    return account


class TestAccess:
    def test_anonymous_is_sent_to_sign_in(self, client, db):
        made, _ = make.consultation(db)
        response = client.get(f"/officer/consultations/{made.id}/results")
        assert response.status_code == 303 and response.headers["location"].startswith("/sign-in")

    @pytest.mark.parametrize("path", ["", "/results", "/export.csv", "/equalities.csv", "/responses/new"])
    def test_organisers_may_not(self, client, db, path):
        organiser = factories.user(db, Role.ORGANISER)
        made, _ = make.consultation(db)
        db.flush()
        client.sign_in(organiser.email, factories.PASSWORD)
        assert client.get(f"/officer/consultations/{made.id}{path}").status_code == 403


class TestBuilder:
    def test_create_add_questions_and_open(self, client, db, officer):
        review = reviews.create_review(db, title="Review of libraries", service="Libraries")
        db.flush()
        created = client.submit("/officer/consultations/new", {"review_id": str(review.id), "title": "Libraries",
                                                               "summary": "Opening hours", "audience": "anyone"})
        assert created.status_code == 303
        base = created.headers["location"]
        added = client.submit(f"{base}/questions", {"kind": "single_choice", "text": "Open on Sundays?",
                                                    "options": "Yes\nNo", "required": "1", "page": "1"})
        assert added.status_code == 303
        htmx = client.submit(f"{base}/questions", {"kind": "long_text", "text": "Why?", "page": "1",
                                                   "max_length": "500"}, headers={"HX-Request": "true"},
                             follow_redirects=True)
        assert htmx.status_code == 200 and htmx.text.lstrip().startswith("<section id=\"questions\"")
        assert "Open on Sundays?" in htmx.text and "Why?" in htmx.text
        assert client.submit(f"{base}/state/open").status_code == 303
        overview = client.get(base)
        assert "Questions cannot change" in overview.text

    def test_invalid_question_keeps_what_was_typed(self, client, db, officer):
        made, _ = make.consultation(db, open_it=False)
        response = client.submit(f"/officer/consultations/{made.id}/questions",
                                 {"kind": "ranking", "text": "Rank my typed words", "options": "Only one"})
        assert response.status_code == 422
        assert 'href="#options"' in response.text and "Rank my typed words" in response.text

    def test_htmx_error_swaps_only_the_section(self, client, db, officer):
        made, _ = make.consultation(db, open_it=False)
        response = client.submit(f"/officer/consultations/{made.id}/questions", {"kind": "", "text": ""},
                                 headers={"HX-Request": "true"})
        assert response.status_code == 422 and response.text.lstrip().startswith("<section")

    def test_move_and_delete(self, client, db, officer):
        made, qs = make.consultation(db, open_it=False)
        client.submit(f"/officer/consultations/{made.id}/questions/{qs['decide'].id}/move", {"direction": "up"})
        client.submit(f"/officer/consultations/{made.id}/questions/{qs['why'].id}/delete")
        db.expire_all()
        page_two = db.scalars(select(Question.text).where(Question.consultation_id == made.id, Question.page == 2)
                              .order_by(Question.position)).all()
        assert page_two == ["Keep the in-house service?", "What would help you decide?"]

    def test_edit_question(self, client, db, officer):
        made, qs = make.consultation(db, open_it=False)
        url = f"/officer/consultations/{made.id}/questions/{qs['why'].id}"
        assert "Why do you say that?" in client.get(url).text
        client.submit(url, {"kind": "long_text", "text": "Tell us why", "page": "2"})
        db.expire_all()
        assert db.get(Question, qs["why"].id).text == "Tell us why"

    def test_transitions_refuse_the_wrong_state(self, client, db, officer):
        made, _ = make.consultation(db, open_it=False)
        assert client.submit(f"/officer/consultations/{made.id}/state/publish").status_code == 409


class TestDocuments:
    def test_pdf_upload_and_safe_download(self, client, db, officer, settings, tmp_path, app):
        app.state.settings = settings.model_copy(update={"upload_dir": tmp_path})
        made, _ = make.consultation(db)
        uploaded = client.post(f"/officer/consultations/{made.id}/documents",
                               data={"csrf_token": client.csrf_token(), "document_title": "Options paper"},
                               files={"document": ("options.pdf", b"%PDF-1.4 real enough", "application/pdf")})
        assert uploaded.status_code == 303
        link = page(client.get(f"/consultations/{made.id}")).find("a", string="Options paper")["href"]
        download = client.get(link)
        assert download.content == b"%PDF-1.4 real enough"
        assert download.headers["content-disposition"].startswith("attachment")
        assert download.headers["x-content-type-options"] == "nosniff"

    def test_html_pretending_to_be_pdf_is_refused(self, client, db, officer, settings, tmp_path, app):
        app.state.settings = settings.model_copy(update={"upload_dir": tmp_path})
        made, _ = make.consultation(db)
        response = client.post(f"/officer/consultations/{made.id}/documents",
                               data={"csrf_token": client.csrf_token(), "document_title": "x"},
                               files={"document": ("x.pdf", b"<script>alert(1)</script>", "application/pdf")})
        assert response.status_code == 422 and "must be a PDF" in response.text

    def test_oversize_upload_is_refused(self, client, db, officer, settings, tmp_path, app):
        app.state.settings = settings.model_copy(update={"upload_dir": tmp_path, "max_upload_bytes": 100})
        made, _ = make.consultation(db)
        response = client.post(f"/officer/consultations/{made.id}/documents",
                               data={"csrf_token": client.csrf_token(), "document_title": "x"},
                               files={"document": ("x.pdf", b"%PDF-" + b"0" * 500, "application/pdf")})
        assert response.status_code == 422 and "smaller than" in response.text


class TestResultsAndExports:
    def test_results_page_charts_are_accessible_svg(self, client, db, officer):
        made, qs = make.consultation(db)
        make.submit(db, made, qs, "a")
        make.submit(db, made, qs, "b", respondent_type="carer")
        response = client.get(f"/officer/consultations/{made.id}/results")
        assert response.status_code == 200
        chart = page(response).find("svg", attrs={"role": "img"})
        assert chart.find("title") and chart.find("desc") and chart["aria-labelledby"]
        assert "They know my mum." in response.text and "Borda" in response.text

    def test_free_text_fragment_for_htmx(self, client, db, officer):
        made, qs = make.consultation(db)
        make.submit(db, made, qs, "a")
        response = client.get(f"/officer/consultations/{made.id}/results?q=mum&respondent_type=service_user",
                              headers={"HX-Request": "true"})
        assert response.text.lstrip().startswith('<section id="free-text"')
        assert "They know my mum." in response.text

    def test_csv_export_streams_and_is_escaped(self, client, db, officer):
        made, qs = make.consultation(db)
        form_answers = make.answers(qs, why="@SUM(A1:A9)")
        from app.services.consultations import answering

        answering.record_response(db, answering.load_form(db, made.id),
                                  answering.Submission(respondent_type="resident", answers=form_answers), "k")
        response = client.get(f"/officer/consultations/{made.id}/export.csv")
        assert response.headers["content-disposition"].startswith("attachment")
        rows = list(csv.reader(io.StringIO(response.text.lstrip("\ufeff"))))
        assert "'@SUM(A1:A9)" in rows[1]
        assert client.get(f"/officer/consultations/{made.id}/export.json").json()["responses"][0]["reference"]


class TestOtherChannels:
    def test_officer_types_in_a_paper_response(self, client, db, officer):
        made, qs = make.consultation(db)
        form = page(client.get(f"/officer/consultations/{made.id}/responses/new"))
        key = form.find("input", {"name": "idempotency_key"})["value"]
        data = {"idempotency_key": key, "channel": "paper", "respondent_type": "carer",
                qs["rating"].field: "2", qs["keep"].field: "No", qs["why"].field: "Written on paper",
                f"{qs['rank'].field}-0": "1", "age_band": "75 or over"}
        first = client.submit(f"/officer/consultations/{made.id}/responses/new", data)
        again = client.submit(f"/officer/consultations/{made.id}/responses/new", data)
        assert first.status_code == again.status_code == 303
        assert first.headers["location"] == again.headers["location"]
        response = db.scalar(select(Response).where(Response.consultation_id == made.id))
        assert response.channel.value == "paper" and response.entered_by_id == officer.id

    def test_entry_errors_are_linked(self, client, db, officer):
        made, qs = make.consultation(db)
        response = client.submit(f"/officer/consultations/{made.id}/responses/new",
                                 {"idempotency_key": "k", "channel": "paper", "respondent_type": ""})
        assert response.status_code == 422
        assert 'href="#respondent_type"' in response.text and f'href="#{qs["rating"].field}"' in response.text

    def test_csv_import_page(self, client, db, officer):
        made, qs = make.consultation(db)
        content = f"respondent_type,q{qs['rating'].id},q{qs['keep'].id}\ncarer,5,Yes\nresident,1,No\n".encode()
        response = client.post(f"/officer/consultations/{made.id}/import",
                               data={"csrf_token": client.csrf_token(), "channel": "focus_group"},
                               files={"file": ("responses.csv", content, "text/csv")})
        assert response.status_code == 200 and "2 responses imported" in text_of(response)
        assert db.scalar(select(func.count()).where(Response.consultation_id == made.id)) == 2

    def test_api_token_is_shown_once(self, client, db, officer):
        response = client.submit("/officer/api-tokens", {"name": "Scanning bureau"})
        token = page(response).find("input", id="new-token")["value"]
        assert token.startswith("chorus_")
        assert token not in client.get("/officer/api-tokens").text


def test_published_results_are_public(client, db):
    from app.services import consultations as service

    made, qs = make.consultation(db)
    make.submit(db, made, qs, "p")
    service.close_consultation(db, made)
    service.publish_consultation(db, made)
    made.you_said_we_did = "You said visits were late; we are changing rotas."
    db.flush()
    assert made.state == ConsultationState.PUBLISHED
    response = client.get(f"/consultations/{made.id}")
    assert "we are changing rotas" in response.text and "They know my mum." not in response.text


class TestLocalTimes:
    """Officers type UK local times; UTC is stored; the form and public pages show the zone."""

    def _details(self, made, **times):
        return {"title": made.title, "summary": made.summary, "confidentiality": made.confidentiality,
                "audience": made.audience.value, "about_you_enabled": "1", **times}

    def test_bst_and_gmt_times_are_stored_in_utc_and_shown_back_as_typed(self, client, db, officer):
        made, _ = make.consultation(db)
        db.flush()
        saved = client.submit(f"/officer/consultations/{made.id}/details",
                              self._details(made, opens_at="2026-03-01T09:00", closes_at="2027-07-01T00:30"))
        assert saved.status_code == 303
        db.expire_all()
        assert made.opens_at == datetime(2026, 3, 1, 9, 0, tzinfo=UTC)       # GMT
        assert made.closes_at == datetime(2027, 6, 30, 23, 30, tzinfo=UTC)   # BST
        form = page(client.get(f"/officer/consultations/{made.id}"))
        assert form.find("input", id="opens_at")["value"] == "2026-03-01T09:00"
        assert form.find("input", id="closes_at")["value"] == "2027-07-01T00:30"
        assert "UK time" in form.find("label", attrs={"for": "closes_at"}).get_text()
        assert "1 July 2027, 00:30 BST" in text_of(client.get(f"/officer/consultations/{made.id}"))

    def test_public_pages_show_the_local_closing_time_and_zone(self, client, db):
        made, _ = make.consultation(db, closes_at=datetime(2027, 6, 30, 23, 30, tzinfo=UTC))
        db.flush()
        start = text_of(client.get(f"/consultations/{made.id}"))
        assert "Open until 1 July 2027, 00:30 BST" in start and "UTC" not in start
        assert "closes 1 July 2027" in text_of(client.get("/"))

    def test_a_time_the_clocks_skip_is_refused_and_kept_in_the_form(self, client, db, officer):
        made, _ = make.consultation(db)
        db.flush()
        refused = client.submit(f"/officer/consultations/{made.id}/details",
                                self._details(made, closes_at="2027-03-28T01:30"))
        assert refused.status_code == 422
        assert "does not exist in UK time" in text_of(refused)
        assert page(refused).find("input", id="closes_at")["value"] == "2027-03-28T01:30"
