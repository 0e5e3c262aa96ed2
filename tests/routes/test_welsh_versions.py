"""Officers write the Welsh of what they publish; residents who chose Cymraeg read it (issue 28)."""

import pytest
from sqlalchemy import select

from app.models.audit import AuditEvent
from app.models.consultation import Question
from app.models.user import Role
from app.services import reviews, welsh_versions
from tests import factories
from tests.forms import submit_form
from tests.helpers import page
from tests.services import consultation_helpers as make
from tests.services.test_panels import make_panel


@pytest.fixture
def officer(db, client):
    account = factories.user(db, Role.OFFICER)
    db.flush()
    client.sign_in(account.email, factories.PASSWORD)
    return account


def _welsh_page(client, consultation_id):
    return client.get(f"/officer/consultations/{consultation_id}/welsh")


def test_the_builder_says_which_texts_lack_welsh_and_the_officer_fills_them_in(client, db, officer):
    made, qs = make.consultation(db, title="Home care")
    overview = client.get(f"/officer/consultations/{made.id}")
    assert "still have no Welsh version" in overview.text and f"/officer/consultations/{made.id}/welsh" in overview.text

    listed = page(_welsh_page(client, made.id))
    missing = [item.get_text(" ", strip=True) for item in listed.select("#missing-welsh li")]
    assert "Title" in missing and "Question 1: question" in missing

    keep = qs["keep"]
    sent = submit_form(client, f"/officer/consultations/{made.id}/welsh", f"/officer/consultations/{made.id}/welsh", {
        "Title": "Gofal cartref",
        "Summary": "Beth sy’n bwysig i chi.",
        f"Question {_number(db, made.id, keep.id)}: question": "Cadw’r gwasanaeth mewnol?",
        f"Question {_number(db, made.id, keep.id)}: option 1": "Ie",
        f"Question {_number(db, made.id, keep.id)}: option 2": "Na",
    })
    assert sent.status_code == 303 and sent.headers["location"].endswith("/welsh?saved=1")
    db.expire_all()
    consultation = made.__class__
    stored = db.get(consultation, made.id)
    assert stored.welsh["title"] == "Gofal cartref" and stored.title == "Home care"
    question = db.get(Question, keep.id)
    assert question.welsh["options"][:2] == ["Ie", "Na"] and question.options == ["Yes", "No", "Not sure"]
    assert db.scalar(select(AuditEvent).where(AuditEvent.action == "welsh.saved",
                                              AuditEvent.object_id == made.id)) is not None
    again = page(_welsh_page(client, made.id))
    still = [item.get_text(" ", strip=True) for item in again.select("#missing-welsh li")]
    assert "Title" not in still and f"Question {_number(db, made.id, keep.id)}: option 3" in still


def _number(db, consultation_id, question_id) -> int:
    ids = db.scalars(select(Question.id).where(Question.consultation_id == consultation_id)
                     .order_by(Question.page, Question.position, Question.id)).all()
    return ids.index(question_id) + 1


def test_a_reader_in_welsh_sees_the_welsh_and_english_marked_where_there_is_none(client, db):
    made, qs = make.consultation(db, title="Home care")
    made.welsh = {"title": "Gofal cartref"}
    qs["keep"].welsh = {"text": "Cadw’r gwasanaeth mewnol?", "options": ["Ie", "Na", ""]}
    db.flush()
    client.get("/language/cy")  # the switch, as a reader would
    start = page(client.get(f"/consultations/{made.id}"))
    assert start.html["lang"] == "cy"
    assert start.h1.get_text(strip=True) == "Gofal cartref"
    summary = start.find(lambda tag: tag.name == "div" and tag.get("lang") == "en" and "What matters" in tag.text)
    assert summary is not None, "the summary has no Welsh, so it is shown in English marked lang=en"
    assert "Rydym yn cadw eich atebion" in start.text, "Chorus's default words come from the catalogue"

    english = page(client.get("/language/en?next=/", follow_redirects=True))
    assert english.html["lang"] == "en"
    assert page(client.get(f"/consultations/{made.id}")).h1.get_text(strip=True) == "Home care"


def test_an_answer_chosen_in_welsh_is_stored_as_the_english_option(client, db):
    made, qs = make.consultation(db, about_you=False)
    qs["keep"].welsh = {"text": "Cadw’r gwasanaeth mewnol?", "options": ["Ie", "Na", "Ddim yn siŵr"]}
    db.flush()
    client.get("/language/cy")
    base = f"/consultations/{made.id}/respond"
    assert client.submit(f"/consultations/{made.id}/start").status_code == 303
    client.submit(f"{base}/who", {"respondent_type": "resident"})
    client.submit(f"{base}/page-1", {qs["rating"].field: "5"})
    shown = page(client.get(f"{base}/page-2"))
    assert shown.find("legend").get_text(" ", strip=True).startswith("Cadw’r gwasanaeth mewnol?")
    label = shown.find("label", string=lambda text: text and text.strip() == "Ie")
    assert label is not None and shown.find(id=label["for"])["value"] == "Yes"
    client.submit(f"{base}/page-2", {qs["keep"].field: "Yes", qs["why"].field: "Mae’r staff yn garedig."})
    check = page(client.get(f"{base}/check"))
    assert "Ie" in [dd.get_text(strip=True) for dd in check.select("dd")], "the check page shows the Welsh option"


def test_too_long_welsh_is_refused_and_what_was_typed_is_kept(client, db, officer):
    made, _qs = make.consultation(db, title="Home care")
    typed = "G" * 700
    sent = submit_form(client, f"/officer/consultations/{made.id}/welsh", f"/officer/consultations/{made.id}/welsh",
                       {"Title": typed})
    assert sent.status_code == 422
    assert "Enter Welsh of 600 characters or fewer" in sent.text and typed in sent.text
    db.expire_all()
    assert db.get(made.__class__, made.id).welsh == {}


def test_a_review_in_welsh(client, db, officer):
    review = reviews.create_review(db, title="Review of libraries", service="Libraries", summary="Opening hours")
    db.flush()
    sent = submit_form(client, f"/officer/reviews/{review.id}/welsh", f"/officer/reviews/{review.id}/welsh", {
        "Title": "Adolygiad o lyfrgelloedd", "Service": "Llyfrgelloedd", "Summary": "Oriau agor"})
    assert sent.status_code == 303
    db.expire_all()
    stored = reviews.get_review(db, review.id)
    assert stored.welsh["service"] == "Llyfrgelloedd" and stored.service == "Libraries"


def test_residents_and_organisers_may_not_write_the_welsh(client, db):
    made, _qs = make.consultation(db)
    organiser = factories.user(db, Role.ORGANISER)
    db.flush()
    client.sign_in(organiser.email, factories.PASSWORD)
    assert _welsh_page(client, made.id).status_code == 403
    assert client.submit(f"/officer/consultations/{made.id}/welsh", {"consultation-1-title": "x"}).status_code == 403


def test_the_switch_remembers_the_choice_on_the_account(client, db, officer):
    switched = client.get("/language/cy?next=/officer", headers={"sec-fetch-site": "same-origin"})
    assert switched.status_code == 303 and switched.headers["location"] == "/officer"
    assert "chorus_lang=cy" in switched.headers["set-cookie"]
    db.expire_all()
    assert db.get(officer.__class__, officer.id).language == "cy"
    client.get("/language/en?next=/", headers={"sec-fetch-site": "cross-site"})
    db.expire_all()
    assert db.get(officer.__class__, officer.id).language == "cy", "another site's link never changes the account"
    assert client.get("/language/fr").status_code == 404
    assert client.get("/language/cy?next=https://evil.example/").headers["location"] == "/"


def test_welsh_written_after_the_consultation_opened_reaches_the_questions_at_once(client, db):
    made, qs = make.consultation(db, about_you=False)
    client.get("/language/cy")
    base = f"/consultations/{made.id}/respond"
    assert client.submit(f"/consultations/{made.id}/start").status_code == 303
    client.submit(f"{base}/who", {"respondent_type": "resident"})
    client.submit(f"{base}/page-1", {qs["rating"].field: "5"})
    before = page(client.get(f"{base}/page-2"))
    assert before.find("legend").find(attrs={"lang": "en"}) is not None, "no Welsh yet: English, marked"
    texts = welsh_versions.consultation_texts(db, made)
    key = next(text.key for text in texts if text.record is qs["keep"] and text.field == "text")
    welsh_versions.save(db, texts, {key: "Cadw’r gwasanaeth mewnol?"}, actor_id=None, subject=made)
    db.flush()
    after = page(client.get(f"{base}/page-2"))
    assert after.find("legend").get_text(" ", strip=True).startswith("Cadw’r gwasanaeth mewnol?")


def test_a_panels_sign_up_page_in_welsh_keeps_the_english_answers(client, db, officer):
    panel = make_panel(db)
    db.flush()
    url = f"/officer/panels/{panel.id}/welsh"
    sent = submit_form(client, url, url, {
        "Name": "Panel prawf",
        "About you: Your age: question": "Eich oed",
        "About you: Your age: answer “Under 45”": "O dan 45",
        "About you: Your age: answer “45 or over”": "45 neu hŷn",
    })
    assert sent.status_code == 303
    client.get("/language/cy")
    join = page(client.get(f"/panels/{panel.id}/join"))
    assert "Panel prawf" in join.h1.get_text()
    younger = join.find("label", string=lambda text: text and text.strip() == "O dan 45")
    assert younger is not None and join.find(id=younger["for"])["value"] == "Under 45"
    sex = join.find("label", string=lambda text: text and text.strip() == "Female")
    assert sex.find("span", attrs={"lang": "en"}) is not None, "an answer with no Welsh yet is marked English"
