"""A test browser that behaves like a real one: keeps cookies, sends the CSRF token on forms."""

import re
from urllib.parse import urlencode

from bs4 import BeautifulSoup
from fastapi.testclient import TestClient

from app.security import CSRF_COOKIE, csrf_token_for


class Browser(TestClient):
    def __init__(self, app, **kwargs):
        kwargs.setdefault("base_url", "http://testserver")
        kwargs.setdefault("follow_redirects", False)
        super().__init__(app, **kwargs)
        self._secret = app.state.settings.secret_key

    def csrf_token(self) -> str:
        if CSRF_COOKIE not in self.cookies:
            self.get("/healthz")
        return csrf_token_for(self._secret, self.cookies[CSRF_COOKIE])

    def submit(self, url: str, data: dict | list | None = None, **kwargs):
        """POST a form as a browser would: with the page's CSRF token."""
        token = self.csrf_token()
        if isinstance(data, list):  # repeated fields (checkboxes) go as an encoded body
            headers = {"content-type": "application/x-www-form-urlencoded", **kwargs.pop("headers", {})}
            body = urlencode([*data, ("csrf_token", token)])
            return self.post(url, content=body, headers=headers, **kwargs)
        else:
            data = {**(data or {}), "csrf_token": token}
        return self.post(url, data=data, **kwargs)

    def sign_in(self, email: str, password: str):
        response = self.submit("/sign-in", {"email": email, "password": password})
        assert response.status_code == 303, response.text
        return response


def page(response) -> BeautifulSoup:
    return BeautifulSoup(response.text, "html.parser")


def text_of(response) -> str:
    return re.sub(r"\s+", " ", page(response).get_text(" ")).strip()
