"""The demo council loads on both databases and shows the whole loop on first start."""

from sqlalchemy import func, select

from app.demo import load_demo_data
from app.models.analysis import Theme, ThemeStatus
from app.models.consultation import Consultation, ConsultationState
from app.models.finding import Finding, FindingStatus
from app.models.user import User


def test_demo_data_loads_once_and_closes_the_loop(db):
    summary = load_demo_data(db)
    assert "chorus-demo-password" in summary
    assert db.scalar(select(func.count(User.id))) >= 4
    states = set(db.scalars(select(Consultation.state)))
    assert {ConsultationState.OPEN, ConsultationState.PUBLISHED} <= states
    assert db.scalar(select(func.count(Theme.id)).where(Theme.status == ThemeStatus.APPROVED)) >= 1
    assert db.scalar(select(func.count(Finding.id)).where(Finding.status == FindingStatus.PUBLISHED)) >= 1
    assert load_demo_data(db, only_if_empty=True) == ""


def test_demo_pages_render(client, db):
    load_demo_data(db)
    db.flush()
    published = db.scalars(select(Consultation).where(Consultation.state == ConsultationState.PUBLISHED)).one()
    assert client.get("/").status_code == 200
    page = client.get(f"/consultations/{published.id}/you-said-we-did")
    assert page.status_code == 200 and "What the review found" in page.text
