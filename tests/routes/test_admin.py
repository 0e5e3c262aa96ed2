"""Admins invite staff and organisers and create organisations; nobody else can."""

import re

import pytest
from sqlalchemy import select

from app.models.organisation import Organisation
from app.models.outbox import OutboxEmail
from app.models.user import Role, User
from tests import factories


@pytest.fixture
def admin(db):
    account = factories.user(db, Role.ADMIN, email="admin@example.org")
    db.flush()
    return account


class TestAccess:
    @pytest.mark.parametrize("role", [Role.OFFICER, Role.ORGANISER])
    def test_non_admins_get_403(self, client, db, role):
        account = factories.user(db, role)
        db.flush()
        client.sign_in(account.email, factories.PASSWORD)
        assert client.get("/admin/users").status_code == 403
        response = client.submit("/admin/organisations", {"name": "Sneaky", "type": "other"})
        assert response.status_code == 403
        assert db.scalar(select(Organisation).where(Organisation.name == "Sneaky")) is None


class TestOrganisations:
    def test_admin_creates_an_organisation(self, client, db, admin):
        client.sign_in("admin@example.org", factories.PASSWORD)
        response = client.submit("/admin/organisations", {
            "name": "Northside Tenants", "type": "tenants_residents",
            "speaks_for": "1,200 households", "description": "Tenants in Northside"})
        assert response.status_code == 303
        assert "Northside Tenants" in client.get("/admin/organisations").text

    def test_missing_type_re_renders_with_what_was_typed(self, client, admin):
        client.sign_in("admin@example.org", factories.PASSWORD)
        response = client.submit("/admin/organisations", {"name": "Keep <me>", "type": ""})
        assert response.status_code == 422
        assert 'value="Keep &lt;me&gt;"' in response.text
        assert 'href="#type"' in response.text


class TestInvitations:
    def test_invited_organiser_sets_a_password_and_signs_in(self, client, db, admin):
        org = factories.organisation(db, name="Carers Together")
        db.flush()
        client.sign_in("admin@example.org", factories.PASSWORD)
        response = client.submit("/admin/users/invite", {
            "email": "new.organiser@example.org", "role": "organiser", "organisation_id": str(org.id)})
        assert response.status_code == 303
        email = db.scalars(select(OutboxEmail)).one()
        assert email.to_address == "new.organiser@example.org"
        link = re.search(r"http://testserver(/invitations/\S+)", email.body_text).group(1)
        client.submit("/sign-out")
        assert client.get(link).status_code == 200
        response = client.submit(link, {"display_name": "Nia", "password": "a long enough password"})
        assert response.status_code == 303
        created = db.scalars(select(User).where(User.email == "new.organiser@example.org")).one()
        assert created.role == Role.ORGANISER and created.organisation_id == org.id
        # The link works once.
        assert client.get(link).status_code == 404

    def test_invited_member_joins_the_organisation_chosen_by_the_admin(self, client, db, admin):
        org = factories.organisation(db, name="Unison branch")
        db.flush()
        client.sign_in("admin@example.org", factories.PASSWORD)
        response = client.submit("/admin/users/invite", {
            "email": "rep@example.org", "role": "member", "organisation_id": str(org.id)})
        assert response.status_code == 303
        link = re.search(r"http://testserver(/invitations/\S+)", db.scalars(select(OutboxEmail)).one().body_text)
        client.submit("/sign-out")
        client.submit(link.group(1), {"display_name": "Sam", "password": "a long enough password"})
        created = db.scalars(select(User).where(User.email == "rep@example.org")).one()
        assert created.role == Role.MEMBER and created.organisation_id == org.id

    def test_member_invitation_needs_an_organisation(self, client, admin):
        client.sign_in("admin@example.org", factories.PASSWORD)
        response = client.submit("/admin/users/invite", {"email": "y@example.org", "role": "member"})
        assert response.status_code == 422
        assert "Choose the organisation this member belongs to" in response.text

    def test_organiser_invitation_needs_an_organisation(self, client, admin):
        client.sign_in("admin@example.org", factories.PASSWORD)
        response = client.submit("/admin/users/invite", {"email": "x@example.org", "role": "organiser"})
        assert response.status_code == 422
        assert "Choose the organisation" in response.text
