"""Routes open no transactions of their own (issue 18): what they used to open one for still works."""

import pytest

from app.models.petition import PetitionState
from app.models.user import Role
from app.services import petitions
from tests import factories
from tests.helpers import text_of
from tests.services import test_petitions_factories as make


@pytest.fixture(autouse=True)
def fresh_caches(app):
    app.state.petition_caches = petitions.new_caches(count_ttl=0, settings_ttl=0)


def test_the_staff_home_says_how_many_petitions_wait_and_warns_when_that_is_many(client, db):
    factories.user(db, Role.OFFICER, email="mod@example.org")
    client.sign_in("mod@example.org", factories.PASSWORD)
    make.petition(db, PetitionState.SPONSORED)
    make.petition(db, PetitionState.SPONSORED, title="Light the towpath")
    petitions.update_settings(db, actor_id=None, moderation_queue_alert=3)
    calm = text_of(client.get("/officer"))
    assert "Moderation queue (2 waiting)" in calm and "petitions are waiting for moderation" not in calm
    petitions.update_settings(db, actor_id=None, moderation_queue_alert=2)
    assert "2 petitions are waiting for moderation." in text_of(client.get("/officer"))


def test_people_who_are_not_staff_see_no_petitions_section(client, db):
    factories.user(db, Role.ORGANISER, email="org@example.org")
    client.sign_in("org@example.org", factories.PASSWORD)
    response = client.get("/officer")
    assert response.status_code == 200 and "Moderation queue" not in text_of(response)
