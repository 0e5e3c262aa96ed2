"""One set of equalities questions: a consultation's "About you" page and a citizens' panel's join
form ask the same harmonised questions with the same answers, ward from the council's ward list, and
gender identity written in under its option."""

import pytest
from sqlalchemy import select

from app.models.consultation_response import Draft, EqualitiesAnswer, Response
from app.services import equalities, panels
from tests.forms import submit_form
from tests.helpers import page
from tests.routes.test_consultations_journey import idempotency_key, start
from tests.services import consultation_helpers as make

WARDS = ["Northgate", "Riverside Central", "Old Town"]


@pytest.fixture
def open_consultation(db):
    return make.consultation(db)


@pytest.fixture
def panel(db):
    made = panels.create_panel(db, name="Riverside Citizens' Panel", wards=WARDS, council_name="Riverside")
    db.flush()
    return made


def answer_everything(client, made, qs):
    """Every question page, up to "About you"."""
    base = f"/consultations/{made.id}/respond"
    client.submit(f"{base}/who", {"respondent_type": "carer"})
    client.submit(f"{base}/page-1", {qs["rating"].field: "2"})
    client.submit(f"{base}/page-2", {qs["keep"].field: "Yes"})
    client.submit(f"{base}/page-3", {qs["seen"].field: ["Late visits"]})
    rank = qs["rank"]
    response = client.submit(f"{base}/page-4", {f"{rank.field}-0": "1", f"{rank.field}-1": "2",
                                                f"{rank.field}-2": "3"})
    assert response.headers["location"] == f"{base}/about-you"


def _questions(html):
    """legend or label text -> the answers offered, for every question on a page."""
    asked = {}
    for fieldset in html.find_all("fieldset"):
        legend = fieldset.find("legend").get_text(" ", strip=True)
        asked[legend] = [label.get_text(" ", strip=True) for label in fieldset.find_all("label", class_="choice-label")]
    for select_box in html.find_all("select"):
        label = html.find("label", attrs={"for": select_box["id"]}).get_text(" ", strip=True)
        asked[label] = [o.get_text(strip=True) for o in select_box.find_all("option") if o.get("value")]
    return asked


def test_consultation_and_panel_ask_the_same_questions(client, db, open_consultation, panel):
    made, qs = open_consultation
    start(client, made.id)
    answer_everything(client, made, qs)
    consultation = _questions(page(client.get(f"/consultations/{made.id}/respond/about-you")))
    joining = _questions(page(client.get(f"/panels/{panel.id}/join")))
    for question in (equalities.SEX, equalities.ETHNICITY, equalities.DISABILITY_QUESTION):
        assert consultation[question.text] == joining[question.text] == [*question.options, "Prefer not to say"]
    assert consultation[equalities.AGE.text] == ["Under 16", *joining[equalities.AGE.text]]
    assert joining[equalities.AGE.text][0] == "16 to 24"
    assert consultation[equalities.WARD.text] == [*WARDS, "Prefer not to say"]
    assert joining[equalities.WARD.text] == [*WARDS, "Prefer not to say"]


def test_gender_identity_is_written_in_under_its_option_and_kept(client, db, open_consultation, panel):
    made, qs = open_consultation
    start(client, made.id)
    answer_everything(client, made, qs)
    url = f"/consultations/{made.id}/respond/about-you"
    html = page(client.get(url))
    option = html.find("input", {"name": "gender_identity", "value": equalities.GENDER_DIFFERENT})
    assert html.find(id=option["data-aria-controls"]).find("input", {"name": "gender_identity_text"})
    response = submit_form(client, url, url, {
        "16 to 24": True, "Female": True, equalities.GENDER_DIFFERENT: True,
        "Gender identity (optional)": "Non-binary", "Which ward do you live in?": "Old Town"}, press="Continue")
    assert response.status_code == 303, page(response).select_one(".error-summary")
    draft = db.scalar(select(Draft).where(Draft.consultation_id == made.id))
    assert draft.about_you == {"age_band": "16 to 24", "sex": "Female", "gender_identity": "Non-binary",
                               "ward": "Old Town"}
    again = page(client.get(url))
    assert again.find("input", {"value": equalities.GENDER_DIFFERENT}).has_attr("checked")
    assert again.find(id="gender_identity_text")["value"] == "Non-binary"
    key = idempotency_key(client.get(f"/consultations/{made.id}/respond/check"))
    sent = client.submit(f"/consultations/{made.id}/respond/submit", {"idempotency_key": key})
    assert sent.status_code == 303
    stored = db.scalar(select(EqualitiesAnswer).join(Response, Response.id == EqualitiesAnswer.response_id)
                       .where(Response.consultation_id == made.id))
    assert (stored.gender_identity, stored.ward, stored.age_band) == ("Non-binary", "Old Town", "16 to 24")


def test_a_ward_off_the_list_is_refused(client, db, open_consultation, panel):
    made, qs = open_consultation
    start(client, made.id)
    answer_everything(client, made, qs)
    response = client.submit(f"/consultations/{made.id}/respond/about-you", {"ward": "Riverside North"})
    assert response.status_code == 422
    assert page(response).select_one(".error-summary-list a")["href"] == "#ward"


def test_without_a_ward_list_the_ward_is_typed_with_no_made_up_example(client, db, open_consultation):
    made, qs = open_consultation
    start(client, made.id)
    answer_everything(client, made, qs)
    html = page(client.get(f"/consultations/{made.id}/respond/about-you"))
    box = html.find("input", id="ward")
    assert box is not None and "For example" not in html.find(id="ward-hint").get_text()
