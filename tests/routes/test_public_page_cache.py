"""Public pages from the per-process cache, on the real app and both databases (app/page_cache.py)."""

import re

import pytest
from sqlalchemy import select

from app.models.petition import PetitionSignature
from app.models.user import Role
from app.services import petitions
from tests import factories
from tests.conftest import test_settings as settings_for
from tests.helpers import Browser
from tests.services import test_petitions_factories as make


@pytest.fixture
def settings(template):
    return settings_for(template.shared_url, PAGE_CACHE_SECONDS=60)


@pytest.fixture(autouse=True)
def fresh_counts(app):
    app.state.petition_caches = petitions.new_caches(count_ttl=0, settings_ttl=0)


def token_in(html: str) -> str:
    return re.search(r'name="csrf_token" value="([0-9a-f]{64})"', html).group(1)


def test_a_second_visitor_gets_the_cached_page_with_a_token_that_signs(app, client, db):
    target = make.petition(db)
    first = client.get(f"/petitions/{target.id}")
    target.title = "A new title nobody has rendered yet"
    db.flush()
    with Browser(app) as other:
        page = other.get(f"/petitions/{target.id}")
        assert "A new title" not in page.text and "Keep the in-house home-care service" in page.text
        token = token_in(page.text)
        assert token != token_in(first.text)
        signed = other.post(f"/petitions/{target.id}/signatures", data={
            "name": "Bo Resident", "email": "bo@example.org", "location": "RV1 2AB", "consent": "1",
            "csrf_token": token})
    assert signed.status_code == 303
    assert db.scalar(select(PetitionSignature.id).where(PetitionSignature.normalised_email == "bo@example.org"))


def test_signed_in_people_always_get_a_fresh_page(client, db):
    target = make.petition(db)
    client.get(f"/petitions/{target.id}")
    factories.user(db, Role.OFFICER, email="mod@example.org")
    client.sign_in("mod@example.org", factories.PASSWORD)
    target.title = "Renamed by an officer"
    db.flush()
    page = client.get(f"/petitions/{target.id}")
    assert "Renamed by an officer" in page.text and "Sign out" in page.text
    assert page.headers["cache-control"] == "no-store"


def test_the_home_page_and_the_petition_list_are_cached_for_anonymous_visitors(app, client, db):
    target = make.petition(db, title="The first open petition")
    assert target.title in client.get("/").text and target.title in client.get("/petitions").text
    target.title = "Renamed since"
    db.flush()
    with Browser(app) as other:
        assert "Renamed since" not in other.get("/").text
        assert "Renamed since" not in other.get("/petitions").text
        assert "Renamed since" in other.get("/petitions?q=Renamed").text  # another query, another page


def test_pages_that_are_not_listed_are_never_cached(client, db):
    target = make.petition(db)
    client.get(f"/petitions/{target.id}/signed")
    target.title = "Renamed since"
    db.flush()
    assert "Renamed since" in client.get(f"/petitions/{target.id}/signed").text
