"""The officer's workspace in Welsh (issue 28): an officer who chose Cymraeg reads the consultations,
petitions, reviews and data-protection pages in Welsh, under <html lang="cy">, with form errors raised
in Python in Welsh and the equalities download's header row in Welsh; English stays the default."""

import pytest

from app.i18n import LOCALE_COOKIE, gettext, use_locale
from app.models.user import Role
from app.services import petitions
from app.services.consultations import exports
from tests import factories
from tests.helpers import page, text_of
from tests.services import consultation_helpers as make
from tests.services import test_petitions_factories as make_petition


def _signed_in_in_welsh(db, client, role):
    account = factories.user(db, role)
    db.flush()
    client.sign_in(account.email, factories.PASSWORD)
    client.cookies.set(LOCALE_COOKIE, "cy")  # after signing in, which restores the account's language
    return account


@pytest.fixture
def officer(db, client):
    return _signed_in_in_welsh(db, client, Role.OFFICER)


@pytest.fixture(autouse=True)
def fresh_counts(app):
    app.state.petition_caches = petitions.new_caches(count_ttl=0, settings_ttl=0)


def _lang(response) -> str:
    return page(response).html["lang"]


def test_the_consultation_builder_and_results_are_in_welsh(client, db, officer):
    made, _qs = make.consultation(db, open_it=False)
    overview = client.get(f"/officer/consultations/{made.id}")
    assert overview.status_code == 200 and _lang(overview) == "cy"
    words = text_of(overview)
    for welsh in ("Cwestiynau", "Manylion", "Agor yr ymgynghoriad", "Ychwanegu cwestiwn", "drafft",
                  "Unrhyw un (dolen gyhoeddus)"):
        assert welsh in words
    assert "Add a question" not in words and "Save details" not in words
    results = client.get(f"/officer/consultations/{made.id}/results")
    assert "Lawrlwytho’r ymatebion (CSV)" in text_of(results) and _lang(results) == "cy"
    filtered = client.get(f"/officer/consultations/{made.id}/results?q=mum&respondent_type=carer",
                          headers={"HX-Request": "true"})
    assert "gan gofalwr neu aelod o deulu" in text_of(filtered) and "sy’n cynnwys “mum”." in text_of(filtered)
    listing = text_of(client.get("/officer/consultations"))
    assert "Creu ymgynghoriad" in listing and "Tocynnau API ar gyfer sianeli eraill" in listing


def test_a_form_error_raised_in_python_is_in_welsh(client, db, officer):
    refused = client.submit("/officer/consultations/new", {"review_id": "", "title": "Llyfrgelloedd",
                                                           "audience": "anyone"})
    assert refused.status_code == 422
    english = "Choose the review this consultation belongs to, or none"
    with use_locale("cy"):
        welsh = gettext(english)  # whichever part of the catalogue says it first
    summary = page(refused).select_one(".error-summary").get_text()
    assert welsh.startswith("Dewiswch yr adolygiad") and welsh in summary and english not in summary


def test_a_notice_after_saving_is_in_welsh_and_only_a_known_one_is_shown(client, db, officer):
    made, _qs = make.consultation(db, open_it=False)
    saved = client.get(f"/officer/consultations/{made.id}?notice=details_saved")
    assert "Manylion wedi’u cadw" in text_of(saved)
    invited = client.get(f"/officer/consultations/{made.id}?notice=invitations_sent&sent=3")
    assert "Anfonwyd 3 gwahoddiad" in text_of(invited)
    spoofed = client.get(f"/officer/consultations/{made.id}?notice=Your+account+is+closed")
    assert "Your account is closed" not in spoofed.text


def test_the_petition_tools_are_in_welsh(client, db, officer):
    target = make_petition.petition(db)
    db.flush()
    queue = client.get("/officer/petitions")
    assert _lang(queue) == "cy"
    assert "Rhestrau caniatáu a rhwystro" in text_of(queue) and "Deisebau ar agor" in text_of(queue)
    shown = text_of(client.get(f"/officer/petitions/{target.id}"))
    assert "Llofnodion a gyfrifwyd" in shown and "ar agor" in shown
    refused = client.submit("/officer/petitions/rules", {"kind": "", "value": "203.0.113.7", "action": "block"})
    assert refused.status_code == 422 and "Dewiswch gyfeiriad neu barth e-bost" in text_of(refused)


def test_a_review_workspace_and_its_date_error_are_in_welsh(client, db, officer):
    made, _qs = make.consultation(db)
    review_id = made.review_id
    workspace = client.get(f"/officer/reviews/{review_id}")
    assert _lang(workspace) == "cy"
    words = text_of(workspace)
    for welsh in ("Tîm yr adolygiad", "Amserlen", "Cwmpasu", "Ysgrifennu canfyddiad", "Herio"):
        assert welsh in words
    refused = client.submit(f"/officer/reviews/{review_id}/conclude", {"decision": "Cadw’r gwasanaeth",
                                                                       "decided_on": "31/03/2027"})
    assert refused.status_code == 422
    assert "Rhaid i’r maes ‘Dyddiad y penderfyniad’ fod yn ddyddiad go iawn" in text_of(refused)


def test_data_protection_and_the_equalities_header_are_in_welsh(client, db):
    made, qs = make.consultation(db)
    make.submit(db, made, qs, "eq", equalities={"age_band": "16 to 24"})
    _signed_in_in_welsh(db, client, Role.DATA_PROTECTION)
    shown = client.get("/officer/data-protection")
    assert _lang(shown) == "cy" and "Atebion cydraddoldeb" in text_of(shown)
    download = client.get(f"/officer/consultations/{made.id}/equalities.csv")
    header = download.text.lstrip("\ufeff").splitlines()[0].split(",")
    with use_locale("cy"):
        expected = [gettext(column) for column in exports.EQUALITIES_COLUMNS]
    assert header == expected and header[:2] == ["Math o ymatebydd", "Band oedran"]


def test_english_stays_the_default_for_officers(client, db):
    account = factories.user(db, Role.OFFICER)
    made, _qs = make.consultation(db, open_it=False)
    db.flush()
    client.sign_in(account.email, factories.PASSWORD)
    overview = client.get(f"/officer/consultations/{made.id}")
    assert _lang(overview) == "en" and "Add a question" in text_of(overview)
