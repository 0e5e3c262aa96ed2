"""The security baseline: headers, CSRF, cookies."""

from tests.helpers import page

CSP_PARTS = ["default-src 'self'", "script-src 'self'", "frame-ancestors 'none'", "object-src 'none'"]


class TestHeaders:
    def test_home_page_sends_security_headers(self, client):
        response = client.get("/")
        assert response.status_code == 200
        csp = response.headers["content-security-policy"]
        for part in CSP_PARTS:
            assert part in csp
        assert "unsafe-inline" not in csp
        assert response.headers["x-content-type-options"] == "nosniff"
        assert response.headers["referrer-policy"] == "same-origin"
        assert response.headers["x-frame-options"] == "DENY"

    def test_pages_have_no_inline_script(self, client):
        html = page(client.get("/"))
        for script in html.find_all("script"):
            assert script.get("src"), "inline <script> would break the CSP"
            assert not script.string
        assert not html.find_all(attrs={"onclick": True})

    def test_csrf_cookie_is_httponly_and_lax(self, client):
        cookie = client.get("/").headers["set-cookie"]
        assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
        assert "Secure" not in cookie  # test environment; production adds Secure

    def test_production_cookies_are_secure(self, settings, database):
        from app.main import create_app
        from tests.helpers import Browser

        production = settings.model_copy(update={"environment": "production"})
        with Browser(create_app(production, database)) as browser:
            response = browser.get("/")
        assert "Secure" in response.headers["set-cookie"]
        assert "max-age" in response.headers["strict-transport-security"]

    def test_htmx_is_served_locally(self, client):
        html = page(client.get("/"))
        sources = [s["src"] for s in html.find_all("script")]
        assert any("/static/vendor/htmx-" in src for src in sources)
        assert all(src.startswith("/static/") for src in sources)
        assert client.get(sources[0]).status_code == 200


class TestCsrf:
    def test_post_without_token_is_refused(self, client):
        client.get("/")
        response = client.post("/sign-in", data={"email": "a@example.org", "password": "x"})
        assert response.status_code == 403
        assert "could not be sent" in response.text

    def test_post_without_any_cookie_is_refused(self, app):
        from fastapi.testclient import TestClient

        with TestClient(app) as bare:
            response = bare.post("/sign-in", data={"email": "a@example.org", "password": "x"})
        assert response.status_code == 403

    def test_post_with_wrong_token_is_refused(self, client):
        client.get("/")
        response = client.post("/sign-in", data={"email": "a", "password": "x", "csrf_token": "0" * 64})
        assert response.status_code == 403

    def test_post_from_foreign_origin_is_refused_even_with_token(self, client):
        token = client.csrf_token()
        response = client.post(
            "/sign-in",
            data={"email": "a@example.org", "password": "x", "csrf_token": token},
            headers={"Origin": "https://evil.example"},
        )
        assert response.status_code == 403

    def test_post_with_token_and_same_origin_is_accepted(self, client):
        token = client.csrf_token()
        response = client.post(
            "/sign-in",
            data={"email": "nobody@example.org", "password": "wrong password", "csrf_token": token},
            headers={"Origin": "http://testserver"},
        )
        assert response.status_code == 422  # reached the handler: a failed sign-in, not a 403

    def test_token_in_header_works_for_htmx(self, client):
        token = client.csrf_token()
        response = client.post("/sign-out", headers={"X-CSRF-Token": token, "HX-Request": "true"})
        assert response.status_code == 303

    def test_every_form_on_a_page_carries_the_token(self, client):
        for form in page(client.get("/sign-in")).find_all("form"):
            if form.get("method", "get").lower() == "post":
                assert form.find("input", attrs={"name": "csrf_token"})


class TestApiSkipsTheCsrfCookie:
    """The JSON API neither needs nor draws a CSRF token; pages still do, and still check it."""

    def test_api_response_sets_no_csrf_cookie_but_keeps_the_security_headers(self, app):
        from fastapi.testclient import TestClient

        with TestClient(app) as bare:
            response = bare.get("/api/v1/consultations")
        assert response.status_code == 200
        assert "set-cookie" not in response.headers
        assert response.headers["x-content-type-options"] == "nosniff"
        assert "frame-ancestors 'none'" in response.headers["content-security-policy"]

    def test_a_page_after_api_calls_still_gets_its_cookie_and_token(self, client):
        client.get("/api/v1/consultations")
        assert "chorus_csrf" not in client.cookies
        html = page(client.get("/sign-in"))
        token = html.find("input", attrs={"name": "csrf_token"})["value"]
        assert token == client.csrf_token()

    def test_a_form_post_outside_the_api_still_needs_the_token(self, client):
        client.get("/api/v1/consultations")
        client.get("/")  # the visitor has a cookie, but sends no token
        response = client.post("/sign-in", data={"email": "a@example.org", "password": "x"})
        assert response.status_code == 403
        assert "could not be sent" in response.text

    def test_a_form_post_to_the_api_is_refused(self, client):
        response = client.post("/api/v1/consultations/1/responses", data={"respondent_type": "individual"})
        assert response.status_code == 415
