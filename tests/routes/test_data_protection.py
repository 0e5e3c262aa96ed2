"""The data-protection role, on both databases: subject access (page and JSON), erasure, equalities exports."""

import json
from urllib.parse import urlencode

import pytest
from sqlalchemy import func, select

from app.models.audit import AuditEvent
from app.models.consultation_response import Answer, Response
from app.models.finding import ResultsSubscriber
from app.models.outbox import OutboxEmail
from app.models.petition import PetitionSignature
from app.models.user import Role, User
from app.services.email import queue_email
from app.services.reviews import outcomes
from tests import factories
from tests.forms import fill, find_form, submit_form
from tests.services import consultation_helpers as make
from tests.services import test_petitions_factories as petition_factories

RESIDENT = "ada.resident@example.org"


@pytest.fixture
def dpo(db, client):
    user = factories.user(db, Role.DATA_PROTECTION)
    db.flush()
    client.sign_in(user.email, factories.PASSWORD)
    return user


def _resident_everywhere(db):
    made, qs = make.consultation(db)
    reference, _ = make.submit(db, made, qs, "ada", equalities={"age_band": "16 to 24"})
    queue_email(db, "consultation_receipt", to=RESIDENT, concerns=f"consultation:{made.id}", title=made.title,
                reference=reference, answers=[("Why?", "They know my mum.")], link="http://x/consultations/1")
    outcomes.subscribe(db, made, RESIDENT)
    target = petition_factories.petition(db)
    petition_factories.signed(db, target, RESIDENT)
    account = factories.user(db, Role.OFFICER, email=RESIDENT)
    db.flush()
    return made, reference, account


def _post(client, response, action, values):
    form = find_form(response.text, action)
    return client.post(form.get("action"), content=urlencode(fill(form, values)),
                       headers={"content-type": "application/x-www-form-urlencoded"})


def test_find_export_and_erase_everything_about_an_address(db, client, dpo):
    _made, reference, account = _resident_everywhere(db)
    found = submit_form(client, "/officer/data-protection", "/officer/data-protection/search",
                        {"Email address": RESIDENT.upper()})
    assert found.status_code == 200
    for shown in (reference, "They know my mum.", "Accounts (1)", "Petition signatures (1)",
                  "Sign-ups for results (1)", "Consultation responses (1)"):
        assert shown in found.text

    exported = _post(client, found, "/officer/data-protection/export", {})
    assert exported.status_code == 200 and exported.headers["cache-control"] == "no-store"
    data = json.loads(exported.text)
    assert data["held"]["responses"][0]["reference"] == reference
    assert {a["value_text"] for a in data["held"]["responses"][0]["answers"]} >= {"They know my mum."}

    refused = _post(client, found, "/officer/data-protection/erase", {})
    assert refused.status_code == 422 and "Tick the box" in refused.text
    assert db.scalar(select(func.count()).select_from(Response).where(Response.reference == reference)) == 1

    erased = _post(client, found, "/officer/data-protection/erase", {
        f"Erase everything listed above about {RESIDENT}. This cannot be undone.": True})
    assert erased.status_code == 200 and "Erased" in erased.text
    db.expire_all()
    assert db.scalar(select(func.count()).select_from(Response).where(Response.reference == reference)) == 0
    assert not db.scalars(select(Answer.value_text).where(Answer.value_text == "They know my mum.")).all()
    assert not db.scalars(select(OutboxEmail).where(func.lower(OutboxEmail.to_address) == RESIDENT)).all()
    assert not db.scalars(select(ResultsSubscriber)).all()
    assert not db.scalars(select(PetitionSignature).where(PetitionSignature.email == RESIDENT)).all()
    assert db.get(User, account.id).email.endswith("@erased.invalid")
    record = db.scalar(select(AuditEvent).where(AuditEvent.action == "subject_access.erase"))
    assert record.actor_id == dpo.id and RESIDENT not in json.dumps(record.detail)
    assert record.detail["responses"] == 1 and record.detail["signatures"] == 1

    # asked again: nothing is left but the audit of the erasure (and of this search)
    again = subject_access_json(client, found)
    held = {k: v for k, v in again["held"].items() if v}
    assert set(held) == {"audit"}
    assert {e["action"] for e in held["audit"]} <= {"subject_access.erase", "subject_access.search",
                                                    "subject_access.export"}
    assert "subject_access.erase" in {e["action"] for e in held["audit"]}


def subject_access_json(client, page):
    return json.loads(_post(client, page, "/officer/data-protection/export", {}).text)


def test_equalities_exports_are_for_the_data_protection_role_only_and_audited(db, client):
    made, qs = make.consultation(db)
    make.submit(db, made, qs, "eq", equalities={"age_band": "16 to 24"})
    officer = factories.user(db, Role.OFFICER)
    dpo = factories.user(db, Role.DATA_PROTECTION)
    db.flush()
    client.sign_in(officer.email, factories.PASSWORD)
    assert client.get(f"/officer/consultations/{made.id}/equalities.csv").status_code == 403
    assert client.get("/officer/data-protection").status_code == 403
    client.cookies.clear()
    client.sign_in(dpo.email, factories.PASSWORD)
    page = client.get("/officer/data-protection")
    assert f"/officer/consultations/{made.id}/equalities.csv" in page.text
    download = client.get(f"/officer/consultations/{made.id}/equalities.csv")
    assert download.status_code == 200 and "16 to 24" in download.text
    assert db.scalar(select(AuditEvent.actor_id).where(AuditEvent.action == "consultation.equalities_export",
                                                       AuditEvent.object_id == made.id)) == dpo.id
    # and nothing else of an officer's
    assert client.get(f"/officer/consultations/{made.id}/results").status_code == 403


def test_an_invalid_address_is_refused_with_the_form(client, dpo):
    response = submit_form(client, "/officer/data-protection", "/officer/data-protection/search",
                           {"Email address": "not an address"})
    assert response.status_code == 422 and 'aria-invalid="true"' in response.text
