"""Sign-in, accounts, admin and organisation pages in Welsh (issue 28), and emails in the reader's
language: a visitor who chose Cymraeg reads these pages and their form errors in Welsh under
<html lang="cy">; an email goes in its recipient's language, or in the language of the page that
asked for it."""

import pytest
from sqlalchemy import select

from app.i18n import LOCALE_COOKIE
from app.models.consultation import Audience
from app.models.outbox import OutboxEmail
from app.models.user import Role
from tests import factories
from tests.helpers import page, text_of
from tests.services import consultation_helpers as make_consultation


@pytest.fixture
def welsh(client):
    client.cookies.set(LOCALE_COOKIE, "cy")
    return client


def _lang(response) -> str:
    return page(response).html["lang"]


def _emails_to(db, address: str) -> list[OutboxEmail]:
    return list(db.scalars(select(OutboxEmail).where(OutboxEmail.to_address == address)
                           .order_by(OutboxEmail.id)))


def test_the_staff_sign_in_page_and_its_errors_are_in_welsh(welsh, db):
    response = welsh.get("/sign-in")
    assert response.status_code == 200 and _lang(response) == "cy"
    text = text_of(response)
    assert "Ar gyfer staff y cyngor a threfnwyr cymunedol." in text and "Wedi anghofio eich cyfrinair?" in text
    assert page(response).find("a", href="/sign-in/email") is not None  # the link kept inside the sentence
    empty = welsh.submit("/sign-in", {"email": "", "password": ""})
    assert empty.status_code in (200, 422) and _lang(empty) == "cy"
    assert "Rhowch eich cyfeiriad e-bost" in text_of(empty) and "Rhowch eich cyfrinair" in text_of(empty)
    factories.user(db, Role.OFFICER, email="swyddog@example.org")
    db.flush()
    wrong = welsh.submit("/sign-in", {"email": "swyddog@example.org", "password": "not the password"})
    assert "Nid yw’r cyfeiriad e-bost neu’r cyfrinair yn gywir" in text_of(wrong)


def test_english_stays_the_default(client):
    response = client.get("/sign-in")
    assert _lang(response) == "en" and "Forgotten your password?" in text_of(response)


def test_password_reset_pages_in_welsh_and_the_email_in_the_account_s_language(client, welsh, db):
    response = welsh.get("/password-reset")
    assert _lang(response) == "cy" and "Ailosod eich cyfrinair" in text_of(response)
    assert "Rhowch eich cyfeiriad e-bost" in text_of(welsh.submit("/password-reset", {"email": " "}))
    officer = factories.user(db, Role.OFFICER, email="rhian@example.org")
    officer.language = "cy"
    db.flush()
    welsh.cookies.set(LOCALE_COOKIE, "en")  # asked from an English page: the account's language wins
    assert welsh.submit("/password-reset", {"email": "rhian@example.org"}).status_code == 303
    [email] = _emails_to(db, "rhian@example.org")
    assert email.subject == "Ailosod eich cyfrinair Chorus" and "mae’r ddolen yn gweithio unwaith" in email.body_text
    assert '<html lang="cy">' in email.body_html


def test_a_resident_s_sign_in_link_comes_in_the_language_of_the_page_that_asked(welsh, db):
    response = welsh.submit("/sign-in/email", {"email": "preswylydd@example.org"})
    assert response.status_code in (200, 303)
    [email] = _emails_to(db, "preswylydd@example.org")
    assert email.subject == "Eich dolen i fewngofnodi i Chorus" and "munud" in email.body_text
    assert "minutes" not in email.body_text


@pytest.fixture
def welsh_admin(welsh, db):
    admin = factories.user(db, Role.ADMIN, email="gweinyddwr@example.org")
    admin.language = "cy"  # signing in restores the account's language
    db.flush()
    welsh.sign_in("gweinyddwr@example.org", factories.PASSWORD)
    return welsh


def test_the_admin_pages_are_in_welsh_with_roles_and_types_named_in_welsh(welsh_admin, db):
    factories.organisation(db, name="Tenantiaid Glan-yr-afon")
    db.flush()
    users = welsh_admin.get("/admin/users")
    assert users.status_code == 200 and _lang(users) == "cy"
    assert "Staff a threfnwyr" in text_of(users) and "Gweinyddwr" in text_of(users)
    assert "Swyddog (staff y cyngor)" in text_of(users)
    invalid = welsh_admin.submit("/admin/users/invite", {"email": "newydd@example.org", "role": ""})
    assert invalid.status_code == 422 and "Dewiswch rôl" in text_of(invalid)
    organisations = welsh_admin.get("/admin/organisations")
    assert "Ychwanegu sefydliad" in text_of(organisations) and "Undeb llafur" in text_of(organisations)
    missing_type = welsh_admin.submit("/admin/organisations", {"name": "Grŵp", "type": ""})
    assert missing_type.status_code == 422 and "Dewiswch y math o sefydliad" in text_of(missing_type)


def test_an_invitation_email_is_in_the_language_chosen_for_it(welsh_admin, db):
    response = welsh_admin.submit("/admin/users/invite", {
        "email": "cynghorydd@example.org", "role": "councillor", "language": "cy"})
    assert response.status_code == 303
    [email] = _emails_to(db, "cynghorydd@example.org")
    assert email.subject == "Rydych wedi cael gwahoddiad i Chorus" and "gyda’r rôl: Cynghorydd." in email.body_text


def test_an_organisation_page_is_in_welsh(welsh, db):
    organisation = factories.organisation(db, name="Undeb y Gweithwyr")
    db.flush()
    response = welsh.get(f"/organisations/{organisation.slug}")
    assert response.status_code == 200 and _lang(response) == "cy"
    assert "Cyflwyniadau" in text_of(response) and "Fforymau cyhoeddus" in text_of(response)


def test_the_unsubscribe_page_is_in_welsh(welsh):
    response = welsh.get("/unsubscribe/abc/def")
    assert _lang(response) == "cy" and "Peidio â chael y negeseuon e-bost hyn" in text_of(response)


def test_a_form_sent_from_an_expired_page_is_refused_in_welsh(welsh):
    welsh.get("/sign-in")  # the CSRF cookie, but no token in the form
    refused = welsh.post("/sign-in", data={"email": "a@example.org", "password": "x"})
    assert refused.status_code == 403 and _lang(refused) == "cy"
    assert "Nid oedd modd anfon eich ffurflen" in text_of(refused)
    assert "Your form could not be sent" not in text_of(refused)


def test_an_officer_working_in_welsh_still_invites_in_the_invitation_s_language(welsh_admin, db):
    made, _questions = make_consultation.consultation(db)
    made.audience = Audience.PANEL
    db.flush()
    sent = welsh_admin.submit(f"/officer/consultations/{made.id}/invitations", {"emails": "ada@example.org"})
    assert sent.status_code == 303
    [email] = _emails_to(db, "ada@example.org")
    assert email.subject.startswith("You are invited to take part") and '<html lang="en">' in email.body_html
