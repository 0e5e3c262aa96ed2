"""Petition pages: signing end to end with real email over SMTP, no enumeration, live count, API, officers."""

import re

import pytest
from sqlalchemy import select

from app.models.petition import PetitionSignature, PetitionState
from app.models.user import Role
from app.services import petitions
from tests import factories
from tests.helpers import page, text_of
from tests.services import test_petitions_factories as make
from tests.smtp import html_part, plain_text, smtp_server  # noqa: F401 - fixture


@pytest.fixture(autouse=True)
def fresh_counts(app):
    app.state.petition_caches = petitions.new_caches(count_ttl=0, settings_ttl=0)


def sign_form(**overrides):
    return {"name": "Ada Resident", "email": "ada@example.org", "location": "RV1 2AB", "consent": "1",
            "notify": "1"} | overrides


def link_in(message) -> str:
    return re.search(r"http://\S+/petitions/signatures/\S+", plain_text(message)).group(0)


class TestSigning:
    def test_sign_confirm_by_real_email_and_see_the_count(self, client, db, smtp_server):  # noqa: F811
        target = make.petition(db)
        response = client.submit(f"/petitions/{target.id}/signatures", sign_form())
        assert response.status_code == 303 and response.headers["location"] == f"/petitions/{target.id}/signed"
        [message] = smtp_server.to("ada@example.org")
        assert message["Subject"] == f"Confirm your signature on “{target.title}”"
        body = plain_text(message)
        assert "Dear Ada Resident" in body and "expires in 72 hours" in body
        assert message.get_content_type() == "multipart/alternative"  # the HTML part came through the job
        assert f'href="{link_in(message)}"' in html_part(message) and "Dear Ada Resident" in html_part(message)
        path = link_in(message).removeprefix("http://testserver")
        assert "Confirm" in client.get(path).text  # a GET (mail scanners) counts nothing
        assert petitions.signature_count(db, target.id) == 0
        confirmed = client.submit(path)
        assert "Your signature is counted" in text_of(confirmed)
        assert "1 signature" in text_of(client.get(f"/petitions/{target.id}"))
        assert "already counted" in text_of(client.submit(path))

    def test_a_second_signature_gets_exactly_the_same_answer(self, client, db):
        petitions.update_settings(db, actor_id=None, signing_limit_per_address_short="10/minute")
        target = make.petition(db)
        first = client.submit(f"/petitions/{target.id}/signatures", sign_form())
        second = client.submit(f"/petitions/{target.id}/signatures", sign_form(email="ADA+again@example.org"))
        assert (first.status_code, first.headers["location"]) == (second.status_code, second.headers["location"])
        assert db.scalar(select(PetitionSignature.id).where(
            PetitionSignature.normalised_email == "ada@example.org")) is not None

    def test_errors_are_listed_and_the_form_keeps_what_was_typed(self, client, db):
        target = make.petition(db)
        response = client.submit(f"/petitions/{target.id}/signatures", sign_form(email="nope", consent=""))
        assert response.status_code == 422
        assert 'href="#email"' in response.text and 'href="#consent"' in response.text
        assert page(response).find("input", id="name")["value"] == "Ada Resident"

    def test_a_burst_from_one_address_is_told_to_wait_and_keeps_the_form(self, client, db):
        petitions.update_settings(db, actor_id=None, signing_limit_per_address_short="1/minute")
        target = make.petition(db)
        client.submit(f"/petitions/{target.id}/signatures", sign_form())
        response = client.submit(f"/petitions/{target.id}/signatures", sign_form(email="bo@example.org"))
        assert response.status_code == 429 and "Retry-After" in response.headers
        html = page(response)
        link = html.select_one(".error-summary-list a")
        assert link["href"] == "#sign-limit" and html.find(id="sign-limit") is not None
        assert "Wait 1 minute, then press the button again: what you typed is kept." in link.get_text()
        assert html.find("input", id="email")["value"] == "bo@example.org"
        assert html.find("input", id="consent").has_attr("checked")

    def test_a_petition_closed_while_cached_as_open_takes_no_signature(self, client, db, app):
        app.state.petition_caches = petitions.new_caches(count_ttl=0, settings_ttl=60)
        petitions.update_settings(db, actor_id=None, signing_limit_per_address_short="10/minute")
        target = make.petition(db)
        assert client.submit(f"/petitions/{target.id}/signatures", sign_form()).status_code == 303
        target.state = PetitionState.CLOSED  # the handler's cache still says "open"
        db.flush()
        response = client.submit(f"/petitions/{target.id}/signatures", sign_form(email="bo@example.org"))
        assert response.status_code == 409
        assert db.scalar(select(PetitionSignature.id).where(
            PetitionSignature.normalised_email == "bo@example.org")) is None

    def test_count_fragment_polls_on_a_real_link(self, client, db):
        target = make.petition(db)
        full = page(client.get(f"/petitions/{target.id}"))
        counter = full.find(id="signature-count")
        assert counter["hx-get"] == f"/petitions/{target.id}/count" and "every" in counter["hx-trigger"]
        assert counter.find("a")["href"] == f"/petitions/{target.id}/count"
        fragment = client.get(f"/petitions/{target.id}/count", headers={"HX-Request": "true"})
        assert fragment.text.lstrip().startswith('<div class="signature-count"') and "<html" not in fragment.text


class TestStarting:
    def test_start_confirm_and_share_with_supporters(self, client, db, smtp_server):  # noqa: F811
        response = client.submit("/petitions", {
            "title": "Keep the in-house home-care service", "action_text": "Keep it council-run.",
            "background": "", "review_id": "", **sign_form(email="creator@example.org")})
        assert response.status_code == 303
        [message] = smtp_server.to("creator@example.org")
        assert "start your petition" in message["Subject"]
        client.submit(link_in(message).removeprefix("http://testserver"))
        share = smtp_server.to("creator@example.org")[-1]
        support_path = re.search(r"/petitions/support/\S+", plain_text(share)).group(0)
        assert "Support this petition" in client.get(support_path).text

    def test_unmoderated_petitions_are_not_public(self, client, db):
        target = make.petition(db, PetitionState.SPONSORED)
        assert client.get(f"/petitions/{target.id}").status_code == 404
        assert client.get(f"/api/v1/petitions/{target.id}").status_code == 404

    def test_search_and_filters(self, client, db):
        make.petition(db, title="Save Northgate library")
        make.petition(db, title="Fix the potholes on Mill Lane")
        result = text_of(client.get("/petitions?q=library&status=all"))
        assert "Northgate library" in result and "Mill Lane" not in result


class TestApi:
    def test_list_and_detail_with_counts_in_the_schema(self, client, db):
        target = make.petition(db)
        make.confirmed(db, target)
        listed = client.get("/api/v1/petitions?status=open").json()["petitions"]
        assert {"id": target.id, "signature_count": 1, "state": "open"}.items() <= next(
            p for p in listed if p["id"] == target.id).items()
        assert client.get(f"/api/v1/petitions/{target.id}").json()["signature_count"] == 1
        schema = client.get("/openapi.json").json()
        assert "/api/v1/petitions/{petition_id}" in schema["paths"]
        assert "signature_count" in schema["components"]["schemas"]["PetitionDetail"]["properties"]


class TestOfficers:
    @pytest.fixture
    def officer(self, client, db):
        account = factories.user(db, Role.OFFICER, email="mod@example.org")
        client.sign_in("mod@example.org", factories.PASSWORD)
        return account

    def test_moderation_queue_publish_and_reject(self, client, db, officer):
        waiting, bad = make.petition(db, PetitionState.SPONSORED), make.petition(db, PetitionState.SPONSORED)
        assert waiting.title in client.get("/officer/petitions").text
        assert client.submit(f"/officer/petitions/{waiting.id}/publish").status_code == 303
        assert client.get(f"/petitions/{waiting.id}").status_code == 200
        missing = client.submit(f"/officer/petitions/{bad.id}/reject", {"rejection_code": "", "rejection_text": ""})
        assert missing.status_code == 422 and 'href="#rejection_code"' in missing.text
        client.submit(f"/officer/petitions/{bad.id}/reject",
                      {"rejection_code": "no_action", "rejection_text": "It asks for no action."})
        assert "It asks for no action." in text_of(client.get(f"/petitions/{bad.id}"))
        assert "publish" in text_of(client.get(f"/officer/petitions/{waiting.id}"))

    def test_invalidation_preview_run_and_undo(self, client, db, officer):
        target = make.petition(db)
        for n in range(2):
            make.confirmed(db, target, f"x{n}@bots.example")
        response = client.submit("/officer/petitions/invalidations", {"email_domain": "bots.example",
                                                                     "petition_id": str(target.id)})
        assert response.status_code == 303
        path = response.headers["location"]
        assert "remove 2 signatures" in text_of(client.get(path))
        client.submit(path + "/run")
        assert petitions.signature_count(db, target.id) == 0
        client.submit(path + "/undo")
        assert petitions.signature_count(db, target.id) == 2

    def test_residents_cannot_reach_officer_pages(self, client, db):
        assert client.get("/officer/petitions").status_code == 303
