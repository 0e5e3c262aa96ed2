"""A resident answers on a phone: start, who, pages, save, resume elsewhere, check, send, confirmation."""

import re

import pytest
from sqlalchemy import func, select

from app.models.consultation import Audience
from app.models.consultation_response import Answer, Draft, EqualitiesAnswer, Response
from app.models.outbox import OutboxEmail
from app.services import consultations as service
from app.services.consultations import building
from tests.helpers import Browser, page, text_of
from tests.services import consultation_helpers as make


@pytest.fixture
def open_consultation(db):
    return make.consultation(db)


def start(client, consultation_id):
    response = client.submit(f"/consultations/{consultation_id}/start")
    assert response.status_code == 303
    assert response.headers["location"].endswith("/respond/who")
    return response


def idempotency_key(response) -> str:
    return page(response).find("input", {"name": "idempotency_key"})["value"]


def answer_everything(client, made, qs):
    base = f"/consultations/{made.id}/respond"
    assert client.submit(f"{base}/who", {"respondent_type": "carer"}).headers["location"] == f"{base}/page-1"
    assert client.submit(f"{base}/page-1", {qs["rating"].field: "2"}).headers["location"] == f"{base}/page-2"
    client.submit(f"{base}/page-2", {qs["keep"].field: "Not sure", qs["why"].field: "Hard to say."})
    client.submit(f"{base}/page-3", {qs["seen"].field: ["Missed visits", "Late visits"]})
    rank = qs["rank"]
    client.submit(f"{base}/page-4", {f"{rank.field}-0": "2", f"{rank.field}-1": "1", f"{rank.field}-2": "3"})
    response = client.submit(f"{base}/about-you", {"age_band": "45 to 54", "ward": "Riverside North"})
    assert response.headers["location"] == f"{base}/check"


class TestStartPage:
    def test_states_confidentiality_and_offers_a_start_button(self, client, open_consultation):
        made, _ = open_consultation
        response = client.get(f"/consultations/{made.id}")
        assert response.status_code == 200
        assert "What happens to your answers" in response.text and "Start now" in response.text

    def test_draft_consultations_are_not_found(self, client, db):
        made, _ = make.consultation(db, open_it=False)
        assert client.get(f"/consultations/{made.id}").status_code == 404

    def test_home_page_links_to_open_consultations(self, client, open_consultation):
        made, _ = open_consultation
        assert f'href="/consultations/{made.id}"' in client.get("/").text


class TestJourney:
    def test_whole_journey_records_one_response(self, client, db, open_consultation):
        made, qs = open_consultation
        start(client, made.id)
        answer_everything(client, made, qs)
        check = client.get(f"/consultations/{made.id}/respond/check")
        assert check.status_code == 200
        body = text_of(check)
        assert "Not sure" in body and "1. On time" in body and "Missed visits" in body
        key = idempotency_key(check)
        sent = client.submit(f"/consultations/{made.id}/respond/submit", {"idempotency_key": key})
        assert sent.status_code == 303
        confirmation = client.get(sent.headers["location"])
        reference = re.search(r"RBC-\w{4}-\w{4}", confirmation.text).group(0)
        response = db.scalar(select(Response).where(Response.reference == reference))
        assert response.respondent_type == "carer" and response.channel == "online"
        rows = db.scalars(select(Answer).where(Answer.response_id == response.id)).all()
        assert {(a.value_text, a.number) for a in rows if a.question_id == qs["rank"].id} == {
            ("On time", 1), ("Same carers", 2), ("Longer visits", 3)}
        equalities = select(EqualitiesAnswer.age_band).where(EqualitiesAnswer.response_id == response.id)
        assert db.scalar(equalities) == "45 to 54"
        assert db.scalar(select(func.count()).select_from(Draft).where(Draft.consultation_id == made.id)) == 0

    def test_double_submit_gives_the_same_confirmation_and_one_row(self, client, db, open_consultation):
        made, qs = open_consultation
        start(client, made.id)
        answer_everything(client, made, qs)
        key = idempotency_key(client.get(f"/consultations/{made.id}/respond/check"))
        first = client.submit(f"/consultations/{made.id}/respond/submit", {"idempotency_key": key})
        second = client.submit(f"/consultations/{made.id}/respond/submit", {"idempotency_key": key})
        assert first.headers["location"] == second.headers["location"]
        assert db.scalar(select(func.count()).where(Response.consultation_id == made.id)) == 1

    def test_a_follow_up_on_the_same_page_is_revealed_under_its_option(self, client, db, open_consultation):
        made, qs = open_consultation
        start(client, made.id)
        base = f"/consultations/{made.id}/respond"
        client.submit(f"{base}/who", {"respondent_type": "resident"})
        client.submit(f"{base}/page-1", {qs["rating"].field: "3"})
        html = page(client.get(f"{base}/page-2"))
        not_sure = html.find("input", {"name": qs["keep"].field, "value": "Not sure"})
        box = html.find(id=not_sure["data-aria-controls"])
        assert box.find("input", {"name": qs["decide"].field}) is not None  # under "Not sure"
        assert "conditional-hidden" in box["class"]  # hidden by script until chosen, shown without it
        # Without JavaScript the box is on show; what is typed counts only with its option.
        client.submit(f"{base}/page-2", {qs["keep"].field: "Yes", qs["decide"].field: "More facts"})
        draft = db.scalar(select(Draft).where(Draft.consultation_id == made.id))
        assert str(qs["decide"].id) not in draft.answers
        client.submit(f"{base}/page-2", {qs["keep"].field: "Not sure", qs["decide"].field: "More facts"})
        db.expire_all()
        draft = db.scalar(select(Draft).where(Draft.consultation_id == made.id))
        assert draft.answers[str(qs["decide"].id)] == "More facts"
        again = page(client.get(f"{base}/page-2"))
        assert "conditional-hidden" not in again.find(id=not_sure["data-aria-controls"])["class"]
        client.submit(f"{base}/page-2", {qs["keep"].field: "No", qs["decide"].field: "More facts"})
        db.expire_all()
        assert str(qs["decide"].id) not in db.scalar(select(Draft).where(Draft.consultation_id == made.id)).answers

    def test_back_link_keeps_answers(self, client, open_consultation):
        made, qs = open_consultation
        start(client, made.id)
        client.submit(f"/consultations/{made.id}/respond/who", {"respondent_type": "resident"})
        client.submit(f"/consultations/{made.id}/respond/page-1", {qs["rating"].field: "5"})
        page_two = page(client.get(f"/consultations/{made.id}/respond/page-2"))
        assert page_two.find("a", class_="back-link")["href"].endswith("/respond/page-1")
        page_one = page(client.get(f"/consultations/{made.id}/respond/page-1"))
        assert page_one.find("input", {"value": "5"}).has_attr("checked")


class TestValidation:
    def test_errors_link_to_fields_and_keep_what_was_typed(self, client, open_consultation):
        made, qs = open_consultation
        start(client, made.id)
        client.submit(f"/consultations/{made.id}/respond/who", {"respondent_type": "resident"})
        too_long = "x" * 301
        response = client.submit(f"/consultations/{made.id}/respond/page-2", {qs["why"].field: too_long})
        assert response.status_code == 422
        assert f'href="#{qs["keep"].field}"' in response.text
        assert f'href="#{qs["why"].field}"' in response.text
        assert too_long in response.text

    def test_organisation_needs_a_name(self, client, open_consultation):
        made, _ = open_consultation
        start(client, made.id)
        response = client.submit(f"/consultations/{made.id}/respond/who", {"respondent_type": "organisation"})
        assert response.status_code == 422 and 'href="#organisation_name"' in response.text

    def test_ranking_with_repeated_ranks_is_refused(self, client, open_consultation):
        made, qs = open_consultation
        start(client, made.id)
        client.submit(f"/consultations/{made.id}/respond/who", {"respondent_type": "resident"})
        rank = qs["rank"]
        response = client.submit(f"/consultations/{made.id}/respond/page-4",
                                 {f"{rank.field}-0": "1", f"{rank.field}-1": "1"})
        assert response.status_code == 422 and "different rank" in response.text

    def test_malformed_choice_is_refused(self, client, open_consultation):
        made, qs = open_consultation
        start(client, made.id)
        client.submit(f"/consultations/{made.id}/respond/who", {"respondent_type": "resident"})
        response = client.submit(f"/consultations/{made.id}/respond/page-1", {qs["rating"].field: "99"})
        assert response.status_code == 422

    def test_oversize_form_field_is_refused(self, client, open_consultation):
        made, _ = open_consultation
        start(client, made.id)
        response = client.submit(f"/consultations/{made.id}/respond/who",
                                 {"respondent_type": "organisation", "organisation_name": "x" * 5000})
        assert response.status_code == 422


class TestSaveAndResume:
    def test_resume_on_another_device(self, app, client, db, open_consultation):
        made, qs = open_consultation
        start(client, made.id)
        client.submit(f"/consultations/{made.id}/respond/who", {"respondent_type": "staff"})
        saved = client.submit(f"/consultations/{made.id}/respond/page-1",
                              {qs["rating"].field: "1", "action": "save"})
        assert saved.headers["location"].endswith("/respond/saved")
        link = page(client.get(saved.headers["location"])).find("input", id="resume-link")["value"]
        emailed = client.submit(f"/consultations/{made.id}/respond/email-link", {"email": "me@example.org"})
        assert emailed.status_code == 303
        email = select(OutboxEmail.body_text).where(OutboxEmail.to_address == "me@example.org")
        assert link in db.scalar(email)
        with Browser(app) as phone:
            resumed = phone.get(link.replace("http://testserver", ""))
            assert resumed.headers["location"].endswith("/respond/check")
            check = phone.get(resumed.headers["location"])
            assert "Very poor" in check.text and "A member of staff" in check.text

    def test_drafts_are_deleted_when_the_consultation_closes(self, client, db, open_consultation):
        made, _ = open_consultation
        start(client, made.id)
        service.close_consultation(db, made)
        db.flush()
        assert db.scalar(select(func.count()).select_from(Draft).where(Draft.consultation_id == made.id)) == 0


class TestClosed:
    def test_closed_consultation_refuses_answers_with_a_clear_page(self, client, db, open_consultation):
        made, _qs = open_consultation
        start(client, made.id)
        service.close_consultation(db, made)
        db.flush()
        response = client.submit(f"/consultations/{made.id}/respond/who", {"respondent_type": "resident"})
        assert response.status_code == 409 and "has closed" in response.text
        assert "has closed" in client.get(f"/consultations/{made.id}").text


class TestInvitations:
    def test_panel_invitation_link_works_once(self, client, db, app):
        made, qs = make.consultation(db, audience=Audience.PANEL)
        (_invitation, token), = building.invite(db, made, emails="panel@example.org")
        db.flush()
        assert "invitation only" in client.get(f"/consultations/{made.id}").text
        assert client.submit(f"/consultations/{made.id}/start").status_code == 409
        assert client.get(f"/consultations/{made.id}/invited/{token}").status_code == 200
        client.submit(f"/consultations/{made.id}/start", {"invitation": token})
        answer_everything(client, made, qs)
        key = idempotency_key(client.get(f"/consultations/{made.id}/respond/check"))
        sent = client.submit(f"/consultations/{made.id}/respond/submit", {"idempotency_key": key})
        assert sent.status_code == 303
        assert db.scalar(select(Response.is_panel).where(Response.consultation_id == made.id)) is True
        with Browser(app) as other:
            assert other.get(f"/consultations/{made.id}/invited/{token}").status_code == 409
            assert other.submit(f"/consultations/{made.id}/start", {"invitation": token}).status_code == 409
