"""GOV.UK patterns in the answering journey, done as a resident does them (forms filled by label):
"Change" returns to Check your answers, a steady step counter, an exclusive "None" option and the
organisation name revealed under its option."""

import pytest
from sqlalchemy import select

from app.models.consultation import QuestionKind
from app.models.consultation_response import Draft
from app.models.outbox import OutboxEmail
from app.services import consultations as service
from tests.forms import submit_form
from tests.helpers import page, text_of
from tests.routes.test_consultations_journey import answer_everything, start
from tests.services import consultation_helpers as make


@pytest.fixture
def open_consultation(db):
    return make.consultation(db)


def _draft(db, made):
    db.expire_all()
    return db.scalar(select(Draft).where(Draft.consultation_id == made.id))


def _base(made):
    return f"/consultations/{made.id}/respond"


class TestChangeReturnsToCheck:
    def test_change_an_answer_and_continue_back_to_check_your_answers(self, client, db, open_consultation):
        made, qs = open_consultation
        start(client, made.id)
        answer_everything(client, made, qs)
        check = page(client.get(f"{_base(made)}/check"))
        change = check.find(id=f"change-{qs['rating'].field}")["href"]
        assert change == f"{_base(made)}/page-1?change=check"
        changing = page(client.get(change))
        assert changing.find("a", class_="back-link")["href"] == f"{_base(made)}/check"
        response = submit_form(client, change, f"{_base(made)}/page-1", {"Very good": True}, press="Continue")
        assert response.headers["location"] == f"{_base(made)}/check"
        assert _draft(db, made).answers[str(qs["rating"].id)] == "5"
        assert "Very good" in text_of(client.get(f"{_base(made)}/check"))

    def test_change_who_and_about_you_return_to_check(self, client, db, open_consultation):
        made, qs = open_consultation
        start(client, made.id)
        answer_everything(client, made, qs)
        response = submit_form(client, f"{_base(made)}/who?change=check", f"{_base(made)}/who",
                               {"A resident": True}, press="Continue")
        assert response.headers["location"] == f"{_base(made)}/check"
        response = submit_form(client, f"{_base(made)}/about-you?change=check", f"{_base(made)}/about-you",
                               press="Continue")
        assert response.headers["location"] == f"{_base(made)}/check"

    def test_a_change_that_opens_a_required_question_goes_there_first(self, client, db):
        made, qs = make.consultation(db, open_it=False)
        extra = make.question(db, made, QuestionKind.LONG_TEXT, "What went wrong?", page=3, required=True,
                              show_if_question_id=str(qs["keep"].id), show_if_value="No")
        service.open_consultation(db, made)
        db.flush()
        start(client, made.id)
        answer_everything(client, made, qs)
        response = submit_form(client, f"{_base(made)}/page-2?change=check", f"{_base(made)}/page-2",
                               {"No": True}, press="Continue")
        assert response.headers["location"] == f"{_base(made)}/page-3"
        assert extra.text in client.get(response.headers["location"]).text

    def test_the_saved_button_still_saves_when_changing(self, client, open_consultation):
        made, qs = open_consultation
        start(client, made.id)
        answer_everything(client, made, qs)
        response = submit_form(client, f"{_base(made)}/page-1?change=check", f"{_base(made)}/page-1",
                               press="Save and come back later")
        assert response.headers["location"] == f"{_base(made)}/saved"


class TestStepCounter:
    def test_the_total_is_the_same_before_and_after_saying_who_you_are(self, client, open_consultation):
        made, _ = open_consultation
        start(client, made.id)
        assert "Step 1 of 7" in text_of(client.get(f"{_base(made)}/who"))
        submit_form(client, f"{_base(made)}/who", f"{_base(made)}/who", {"A resident": True}, press="Continue")
        assert "Step 2 of 7" in text_of(client.get(f"{_base(made)}/page-1"))
        progress = page(client.get(f"{_base(made)}/page-2")).find("progress")
        assert progress["max"] == "7" and progress["value"] == "2"


class TestExclusiveNone:
    def test_none_is_offered_apart_and_refused_alongside_other_options(self, client, db, open_consultation):
        made, qs = open_consultation
        start(client, made.id)
        answer_everything(client, made, qs)
        url = f"{_base(made)}/page-3"
        html = page(client.get(url))
        none = html.find("input", {"name": qs["seen"].field, "value": "None"})
        assert none["data-behaviour"] == "exclusive"
        assert none.find_parent("div").find_previous_sibling("p", class_="choice-divider").get_text() == "or"
        refused = submit_form(client, url, url, {"Missed visits": True, "None": True}, press="Continue")
        assert refused.status_code == 422
        assert "Select \u201cNone\u201d on its own, or only the options that apply" in text_of(refused)
        assert page(refused).find("input", {"value": "Missed visits"}).has_attr("checked")
        accepted = submit_form(client, url, url, {"Missed visits": False, "Late visits": False, "None": True},
                               press="Continue")
        assert accepted.status_code == 303
        assert _draft(db, made).answers[str(qs["seen"].id)] == ["None"]


class TestOrganisationReveal:
    def test_the_name_box_sits_under_the_organisation_option(self, client, db, open_consultation):
        made, _ = open_consultation
        start(client, made.id)
        url = f"{_base(made)}/who"
        html = page(client.get(url))
        option = html.find("input", {"name": "respondent_type", "value": "organisation"})
        reveal = html.find(id=option["data-aria-controls"])
        assert reveal.find("input", {"name": "organisation_name"}) is not None
        assert "conditional-hidden" in reveal["class"]
        refused = submit_form(client, url, url, {"Responding on behalf of an organisation": True},
                              press="Continue")
        assert refused.status_code == 422
        link = page(refused).select_one(".error-summary-list a")
        assert link["href"] == "#organisation_name" and link.get_text() == "Enter the name of the organisation"
        shown = page(refused).find(id="conditional-" + option["id"])
        assert "conditional-hidden" not in shown["class"]
        done = submit_form(client, url, url, {"Responding on behalf of an organisation": True,
                                              "Name of the organisation": "Riverside Tenants"}, press="Continue")
        assert done.status_code == 303
        assert _draft(db, made).organisation_name == "Riverside Tenants"

    def test_a_name_typed_then_left_behind_is_not_kept(self, client, db, open_consultation):
        made, _ = open_consultation
        start(client, made.id)
        url = f"{_base(made)}/who"
        submit_form(client, url, url, {"A resident": True, "Name of the organisation": "Typed by mistake"},
                    press="Continue")
        draft = _draft(db, made)
        assert draft.respondent_type == "resident" and draft.organisation_name == ""


class TestEmailedReceipt:
    def test_a_copy_of_the_answers_goes_through_the_outbox_when_asked_for(self, client, db, open_consultation):
        made, qs = open_consultation
        start(client, made.id)
        answer_everything(client, made, qs)
        check_url = f"{_base(made)}/check"
        option = page(client.get(check_url)).find("input", {"name": "receipt", "value": "yes"})
        assert page(client.get(check_url)).find(id=option["data-aria-controls"]).find(id="receipt_email")
        sent = submit_form(client, check_url, f"{_base(made)}/submit", {
            "Yes, email me a copy": True, "Email address": "ada@example.org"}, press="Send my response")
        assert sent.status_code == 303
        reference = sent.headers["location"].rsplit("/", 1)[1]
        [email] = db.scalars(select(OutboxEmail).where(OutboxEmail.to_address == "ada@example.org")).all()
        assert reference in email.subject and reference in email.body_text
        assert qs["keep"].text in email.body_text and "Not sure" in email.body_text
        assert "45 to 54" not in email.body_text  # answers about the person stay out of email
        assert len(db.scalars(select(OutboxEmail).where(OutboxEmail.to_address == "ada@example.org")).all()) == 1

    def test_no_copy_unless_asked_and_a_bad_address_is_explained(self, client, db, open_consultation):
        made, qs = open_consultation
        start(client, made.id)
        answer_everything(client, made, qs)
        check_url = f"{_base(made)}/check"
        refused = submit_form(client, check_url, f"{_base(made)}/submit", {
            "Yes, email me a copy": True, "Email address": "not an address"}, press="Send my response")
        assert refused.status_code == 422
        html = page(refused)
        assert html.select_one(".error-summary-list a")["href"] == "#receipt_email"
        assert html.find(id="receipt_email")["value"] == "not an address"
        sent = submit_form(client, check_url, f"{_base(made)}/submit", press="Send my response")
        assert sent.status_code == 303
        assert db.scalar(select(OutboxEmail.id).where(OutboxEmail.subject.like("Your response to%"))) is None


    def test_a_double_submit_sends_one_copy(self, client, db, open_consultation):
        made, qs = open_consultation
        start(client, made.id)
        answer_everything(client, made, qs)
        key = page(client.get(f"{_base(made)}/check")).find("input", {"name": "idempotency_key"})["value"]
        fields = {"idempotency_key": key, "receipt": "yes", "receipt_email": "ada@example.org"}
        first = client.submit(f"{_base(made)}/submit", fields)
        second = client.submit(f"{_base(made)}/submit", fields)
        assert first.headers["location"] == second.headers["location"]
        assert len(db.scalars(select(OutboxEmail).where(OutboxEmail.to_address == "ada@example.org")).all()) == 1
