import pytest
from sqlalchemy import select

from app.errors import Conflict, InvalidInput
from app.models.user import Role, User
from app.services import accounts
from tests import factories


class TestCreateUser:
    def test_password_is_stored_as_argon2id(self, db):
        user = factories.user(db)
        assert user.password_hash.startswith("$argon2id$")
        assert factories.PASSWORD not in user.password_hash

    def test_duplicate_email_is_a_conflict(self, db):
        factories.user(db, email="same@example.org")
        with pytest.raises(Conflict):
            factories.user(db, email="SAME@example.org")

    def test_short_password_is_refused(self, db):
        with pytest.raises(InvalidInput) as error:
            factories.user(db, password="short")
        assert "password" in error.value.errors

    def test_organiser_needs_an_organisation(self, db):
        with pytest.raises(InvalidInput):
            accounts.create_user(db, email="o@example.org", password=factories.PASSWORD,
                                 role=Role.ORGANISER)

    def test_bad_email_is_refused(self, db):
        with pytest.raises(InvalidInput):
            factories.user(db, email="not an email")


class TestAuthenticate:
    def test_inactive_account_cannot_sign_in(self, db):
        user = factories.user(db, email="gone@example.org")
        user.is_active = False
        db.flush()
        assert accounts.authenticate(db, "gone@example.org", factories.PASSWORD) is None

    def test_right_password(self, db):
        factories.user(db, email="here@example.org")
        found = accounts.authenticate(db, "here@example.org", factories.PASSWORD)
        assert found is not None and found.last_sign_in_at is not None
        assert db.scalars(select(User)).all() == [found]
