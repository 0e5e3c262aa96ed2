import pytest
from sqlalchemy import select

from app.demo import DEMO_PASSWORD
from app.models.user import Role, User
from tests import factories


@pytest.fixture
def accounts(demo_db):
    """One account per role on the demo council, plus a second organisation's organiser."""
    by_email = {u.email: u for u in demo_db.scalars(select(User))}
    other = factories.user(demo_db, Role.ORGANISER, email="organiser-b@example.org", password=DEMO_PASSWORD)
    # a resident's light account (issue 27): no password; tests sign it in with a session (sign_in_resident)
    resident = User(email="resident@residents.example", display_name="Rhian", password_hash="!",
                    role=Role.RESIDENT)
    demo_db.add(resident)
    demo_db.flush()
    return {
        "data_protection": by_email["dpo@riverside.example"],
        "admin": by_email["admin@riverside.example"],
        "officer": by_email["officer@riverside.example"],
        "organiser_a": by_email["organiser@tenants.example"],
        "councillor": by_email["councillor@riverside.example"],  # scrutiny, in the demo review's team
        "organiser_b": other,
        "resident": resident,
    }


def sign_in_resident(client, db, user) -> None:
    """A resident signs in by an emailed link (tested in tests/routes/test_residents.py): here, a session."""
    from app.auth import SESSION_COOKIE
    from app.services.accounts import start_session

    client.cookies.set(SESSION_COOKIE, start_session(db, user))
    db.flush()
