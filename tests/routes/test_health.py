from app.db import Database
from app.main import create_app
from tests.helpers import Browser


def test_healthz_runs_a_real_query(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}


def test_healthz_is_503_when_the_database_is_unreachable(settings):
    unreachable = Database("postgresql+psycopg://postgres@127.0.0.1:1/nothing", pool_timeout=1,
                           connect_args={"connect_timeout": 1})
    with Browser(create_app(settings, unreachable)) as browser:
        response = browser.get("/healthz")
        page = browser.get("/")
    assert response.status_code == 503
    assert response.json()["database"] == "unreachable"
    assert page.status_code == 503
    assert "Sorry, there is a problem with the service" in page.text
    assert page.headers["retry-after"]


def test_unknown_page_is_a_friendly_404(client):
    response = client.get("/no-such-page")
    assert response.status_code == 404
    assert "Page not found" in response.text
