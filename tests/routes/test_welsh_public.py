"""The resident's public pages in Welsh (issue 28): a visitor who chose Cymraeg (the switch's cookie)
reads the home page, a consultation journey, a petition and the panel sign-up in Welsh, under
<html lang="cy">, with form errors in Welsh; English stays the default."""

import pytest

from app.i18n import LOCALE_COOKIE
from app.services import petitions
from tests.helpers import page, text_of
from tests.services import consultation_helpers as make_consultation
from tests.services import test_petitions_factories as make_petition
from tests.services.test_panels import make_panel


@pytest.fixture
def welsh(client):
    client.cookies.set(LOCALE_COOKIE, "cy")
    return client


@pytest.fixture(autouse=True)
def fresh_counts(app):
    app.state.petition_caches = petitions.new_caches(count_ttl=0, settings_ttl=0)


def _lang(response) -> str:
    return page(response).html["lang"]


def test_the_home_page_is_in_welsh(welsh):
    response = welsh.get("/")
    assert response.status_code == 200
    assert _lang(response) == "cy"
    assert "Dweud eich dweud" in text_of(response)
    assert "Ymgynghoriadau sydd ar agor nawr" in text_of(response)


def test_english_stays_the_default(client):
    response = client.get("/")
    assert _lang(response) == "en"
    assert "Consultations open now" in text_of(response)


class TestConsultationInWelsh:
    def test_start_who_and_a_question_page_are_in_welsh(self, welsh, db):
        made, _ = make_consultation.consultation(db)
        start = welsh.get(f"/consultations/{made.id}")
        assert _lang(start) == "cy"
        assert "Beth sy’n digwydd i’ch atebion" in text_of(start) and "Dechrau nawr" in text_of(start)
        assert welsh.submit(f"/consultations/{made.id}/start").status_code == 303
        who = welsh.get(f"/consultations/{made.id}/respond/who")
        assert "Ym mha rinwedd rydych chi’n ymateb?" in text_of(who)
        assert "Rhywun sy’n defnyddio’r gwasanaeth" in text_of(who)  # the respondent types too
        assert "Cam 1 o" in text_of(who)

    def test_a_form_error_is_in_welsh(self, welsh, db):
        made, _ = make_consultation.consultation(db)
        welsh.submit(f"/consultations/{made.id}/start")
        refused = welsh.submit(f"/consultations/{made.id}/respond/who", {"respondent_type": ""})
        assert refused.status_code == 422
        assert _lang(refused) == "cy"
        text = text_of(refused)
        assert "Mae problem" in text or "Gwall:" in text
        assert "Dewiswch ym mha rinwedd rydych yn ymateb" in text

    def test_the_character_counter_takes_its_words_from_the_page(self, welsh, db):
        made, _questions = make_consultation.consultation(db)
        welsh.submit(f"/consultations/{made.id}/start")
        welsh.submit(f"/consultations/{made.id}/respond/who", {"respondent_type": "carer"})
        pages = [welsh.get(f"/consultations/{made.id}/respond/page-{n}") for n in range(1, 5)]
        counters = [c for p in pages for c in page(p).select(".char-count")]
        assert counters, "no long-text question in the demo consultation"
        assert counters[0]["data-remaining"] == "Mae gennych {count} nod ar ôl"
        assert counters[0].get_text(strip=True).startswith("Gallwch roi hyd at")


class TestPetitionInWelsh:
    def test_the_petition_page_and_its_errors_are_in_welsh(self, welsh, db):
        target = make_petition.petition(db)
        shown = welsh.get(f"/petitions/{target.id}")
        assert _lang(shown) == "cy"
        assert "Llofnodi’r ddeiseb hon" in text_of(shown)
        assert "llofnod y funud" in text_of(shown)  # the per-address limit, in words, in Welsh
        refused = welsh.submit(f"/petitions/{target.id}/signatures", {"name": "", "email": "", "location": ""})
        assert refused.status_code == 422
        assert "Rhowch eich enw" in text_of(refused)

    def test_the_petitions_list_is_in_welsh(self, welsh, db):
        make_petition.petition(db)
        listed = welsh.get("/petitions")
        assert "Deisebau" in text_of(listed) and "Chwilio deisebau" in text_of(listed)


def test_the_panel_sign_up_is_in_welsh(welsh, db):
    panel = make_panel(db)
    db.flush()
    shown = welsh.get(f"/panels/{panel.id}/join")
    assert _lang(shown) == "cy"
    assert "Eich manylion cyswllt" in text_of(shown) and "Ymuno â’r panel" in text_of(shown)
