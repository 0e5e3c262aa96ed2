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
    demo_db.flush()
    return {
        "data_protection": by_email["dpo@riverside.example"],
        "admin": by_email["admin@riverside.example"],
        "officer": by_email["officer@riverside.example"],
        "organiser_a": by_email["organiser@tenants.example"],
        "councillor": by_email["councillor@riverside.example"],  # scrutiny, in the demo review's team
        "organiser_b": other,
    }
