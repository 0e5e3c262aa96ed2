"""Petitions as residents meet them: the per-address limit explained and never losing the form, the
progress bar to the response and debate thresholds, the similar-petitions check before starting,
and the Open filter."""

import pytest

from app.models.base import utcnow
from app.models.petition import PetitionState
from app.services import petitions
from tests.forms import submit_form
from tests.helpers import page, text_of
from tests.services import test_petitions_factories as make


@pytest.fixture(autouse=True)
def fresh_counts(app):
    app.state.petition_caches = petitions.new_caches(count_ttl=0, settings_ttl=0)


ADA = {"Full name": "Ada Resident", "Email address": "ada@example.org", "Postcode or ward": "RV1 2AB"}


class TestAddressLimit:
    def test_the_form_explains_the_limit(self, client, db):
        target = make.petition(db)
        note = text_of(client.get(f"/petitions/{target.id}"))
        assert "one connection (a home's wifi, a library or a mobile network) can send 5 signatures a minute and " \
               "30 an hour to one petition" in note

    def test_two_people_at_one_address_both_sign_within_a_minute(self, client, db):
        target = make.petition(db)
        url = f"/petitions/{target.id}"
        for email in ("ada@example.org", "bo@example.org"):
            response = submit_form(client, url, f"{url}/signatures",
                                   {**ADA, "Email address": email} | _consent(client, url),
                                   press="Sign this petition")
            assert response.status_code == 303, text_of(response)

    def test_starting_too_often_keeps_the_typed_petition(self, client, db, app):
        for _ in range(5):
            app.state.rate_limiter.allow("petition-start", "5/hour", "testclient")
        response = client.submit("/petitions", {
            "title": "Light the towpath", "action_text": "Put lights on the towpath.", "background": "Dark.",
            "review_id": "", "name": "Ada", "email": "ada@example.org", "location": "RV1 2AB", "consent": "1"})
        assert response.status_code == 429
        html = page(response)
        assert html.select_one(".error-summary-list a")["href"] == "#start-limit"
        assert html.find(id="title")["value"] == "Light the towpath"
        assert html.find(id="action_text").get_text() == "Put lights on the towpath."


def _consent(client, url):
    label = page(client.get(url)).find("label", attrs={"for": "consent"}).get_text(" ", strip=True)
    return {label: True}


class TestProgress:
    def test_the_bar_runs_to_the_response_then_the_debate_threshold(self, client, db):
        petitions.update_settings(db, actor_id=None, response_threshold=2, debate_threshold=4)
        target = make.petition(db)
        bar = page(client.get(f"/petitions/{target.id}")).find("progress", class_="signature-progress")
        assert (bar["max"], bar["value"]) == ("2", "0")
        assert "0 of 2 signatures for a written response from the council" in text_of(
            client.get(f"/petitions/{target.id}"))
        for _ in range(3):
            make.confirmed(db, target)
        fragment = page(client.get(f"/petitions/{target.id}/count", headers={"HX-Request": "true"}))
        bar = fragment.find("progress")
        assert (bar["max"], bar["value"]) == ("4", "3")
        assert "3 of 4 signatures for a debate at full council" in fragment.get_text(" ")
        make.confirmed(db, target)
        assert "enough for a debate" in text_of(client.get(f"/petitions/{target.id}"))


class TestSimilarPetitions:
    def test_similar_open_petitions_are_offered_before_starting(self, client, db):
        library = make.petition(db, title="Save Northgate library from closure")
        make.petition(db, title="Fix the potholes on Mill Lane")
        first = page(client.get("/petitions/new"))
        form = first.find("form")
        assert form["method"] == "get" and form.find("input")["name"] == "title"
        similar = client.get("/petitions/new", params={"title": "Keep Northgate library open"})
        body = text_of(similar)
        assert "We found some similar petitions" in body and library.title in body and "Mill Lane" not in body
        onward = page(similar).find("a", string="Continue with my petition")["href"]
        full = page(client.get(onward))
        assert full.find(id="title")["value"] == "Keep Northgate library open"
        assert full.find("form", action="/petitions") is not None

    def test_an_empty_title_is_explained(self, client):
        response = client.get("/petitions/new", params={"title": " "})
        assert response.status_code == 422
        assert page(response).select_one(".error-summary-list a")["href"] == "#title"

    def test_no_similar_petition_goes_straight_to_the_form(self, client, db):
        make.petition(db, title="Fix the potholes on Mill Lane")
        full = page(client.get("/petitions/new", params={"title": "Plant trees in the park"}))
        assert full.find(id="title")["value"] == "Plant trees in the park"


class TestOpenFilter:
    def test_open_lists_only_petitions_still_short_of_a_response(self, client, db):
        plain = make.petition(db, title="Plain open petition")
        waiting = make.petition(db, title="Waiting for a response")
        waiting.response_threshold_reached_at = utcnow()
        answered = make.petition(db, title="Answered already")
        answered.response_threshold_reached_at = answered.responded_at = utcnow()
        answered.response_text = "We will."
        closed = make.petition(db, PetitionState.CLOSED, title="Closed one")
        db.flush()
        listed = text_of(client.get("/petitions?status=open"))
        assert plain.title in listed
        assert waiting.title not in listed and answered.title not in listed and closed.title not in listed
        assert waiting.title in text_of(client.get("/petitions?status=awaiting_response"))
        assert answered.title in text_of(client.get("/petitions?status=responded"))
