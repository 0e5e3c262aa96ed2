"""Public pages a fresh install needs: the list of consultations, the accessibility statement and the
privacy notice (from settings, editable by the admin), clickable outbox links, BASE_URL following PORT."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from app.config import Settings
from app.models.audit import AuditEvent
from app.models.base import utcnow
from app.models.consultation import ConsultationState
from app.models.user import Role
from app.services import consultations, reviews
from app.services.email import queue_email
from tests import factories
from tests.conftest import test_settings as settings_for
from tests.helpers import Browser, page, text_of


@pytest.fixture
def listed(db):
    review = reviews.create_review(db, title="Review of libraries", service="Libraries")
    made = {}
    for key, title, state in [("open", "Library opening hours", ConsultationState.OPEN),
                              ("late", "Mobile library stops", ConsultationState.OPEN),
                              ("closed", "Parking charges", ConsultationState.CLOSED),
                              ("results", "Christmas lights", ConsultationState.PUBLISHED),
                              ("draft", "Secret draft", ConsultationState.DRAFT)]:
        made[key] = consultations.create_consultation(db, review_id=None if key == "results" else review.id,
                                                      title=title, summary=f"About {title.lower()}.")
        made[key].state = state
    made["late"].closes_at = utcnow() - timedelta(hours=1)  # open, but past its closing time: closed
    db.flush()
    return made


def _titles(response) -> list[str]:
    return [a.get_text(strip=True) for a in page(response).select(".card-list h2 a")]


def test_the_list_filters_by_status_and_searches(client, listed):
    assert sorted(_titles(client.get("/consultations"))) == [
        "Christmas lights", "Library opening hours", "Mobile library stops", "Parking charges"]
    assert _titles(client.get("/consultations?status=open")) == ["Library opening hours"]
    assert sorted(_titles(client.get("/consultations?status=closed"))) == ["Mobile library stops", "Parking charges"]
    results = client.get("/consultations?status=results")
    assert _titles(results) == ["Christmas lights"]
    assert page(results).find("a", href=f"/consultations/{listed['results'].id}/you-said-we-did") is not None
    assert "A stand-alone consultation" in text_of(results)
    assert sorted(_titles(client.get("/consultations?q=LIBRARY"))) == ["Library opening hours", "Mobile library stops"]
    assert _titles(client.get("/consultations?q=100%25")) == []
    assert "No consultations match" in client.get("/consultations?q=swimming").text
    home_footer = page(client.get("/")).select_one("footer")
    assert home_footer.find("a", href="/consultations") is not None


def test_accessibility_and_privacy_come_from_settings_and_the_admin_edits_them(database, db):
    from app.main import create_app

    settings = settings_for(str(database.url), COUNCIL_NAME="Northfield District Council",
                             COUNCIL_CONTACT_EMAIL="haveyoursay@northfield.example")
    factories.user(db, Role.ADMIN, email="admin@example.org")
    db.flush()
    with Browser(create_app(settings, database)) as client:
        for path in ("/accessibility", "/privacy"):
            shown = text_of(client.get(path))
            assert "Northfield District Council" in shown and "haveyoursay@northfield.example" in shown
        assert "removed 182 days after the petition closes" in text_of(client.get("/privacy"))
        assert client.get("/admin/pages/privacy").status_code == 303  # sign in first

        client.sign_in("admin@example.org", factories.PASSWORD)
        form = page(client.get("/admin/pages/accessibility"))
        assert "Northfield District Council" in form.find("textarea", id="body").get_text()
        assert client.submit("/admin/pages/accessibility", {"body": "  "}).status_code == 422
        response = client.submit("/admin/pages/accessibility", {
            "body": "We test <b>every</b> page.\n\n## Problems\n\n- Call 01234 567890\n- Or write to us"})
        assert response.status_code == 303 and response.headers["location"] == "/accessibility"
        html = page(client.get("/accessibility"))
        assert html.find("h2", string="Problems") is not None
        assert [li.get_text() for li in html.select("main ul.list li")] == ["Call 01234 567890", "Or write to us"]
        assert "We test <b>every</b> page." in html.get_text() and html.find("b") is None  # escaped
        assert client.submit("/admin/pages/accessibility", {"action": "reset"}).status_code == 303
        assert "Northfield District Council" in client.get("/accessibility").text
        actions = db.scalars(select(AuditEvent.action).where(AuditEvent.object_type == "site_page")).all()
        assert actions == ["site_page.update", "site_page.reset"]


def test_outbox_links_are_clickable_in_development(database, db):
    from app.main import create_app

    queue_email(db, "consultation_resume_link", to="someone@example.org", title="Library hours",
                link="http://127.0.0.1:18080/consultations/1/resume/abc?x=1&y=<2>")
    db.flush()
    with Browser(create_app(settings_for(str(database.url), CHORUS_ENV="development"), database)) as client:
        html = page(client.get("/dev/outbox"))
    link = html.select_one("pre.email-body a")
    assert link["href"] == "http://127.0.0.1:18080/consultations/1/resume/abc?x=1&y="
    assert "keep it to yourself" in html.select_one("pre.email-body").get_text()


def test_base_url_follows_port_in_development_only(monkeypatch):
    monkeypatch.delenv("BASE_URL", raising=False)
    monkeypatch.setenv("PORT", "18080")
    assert Settings(CHORUS_ENV="development").base_url == "http://127.0.0.1:18080"
    assert Settings(CHORUS_ENV="development", BASE_URL="https://consult.example.gov.uk").base_url == (
        "https://consult.example.gov.uk")
    assert Settings(CHORUS_ENV="test").base_url == "http://127.0.0.1:8000"
    monkeypatch.delenv("PORT")
    assert Settings(CHORUS_ENV="development").base_url == "http://127.0.0.1:8000"
