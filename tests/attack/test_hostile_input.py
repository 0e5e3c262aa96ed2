"""Every form a page offers, filled with hostile text: stored or refused cleanly, never executed, never 500.

The forms are found by crawling the demo council as a visitor and as an officer, so a new form is
covered the day it appears.
"""

from urllib.parse import urlencode, urljoin, urlsplit

import pytest

from app.demo import DEMO_PASSWORD
from tests.helpers import page

# The demo council is loaded once per worker and backend: keep its users on one worker.
pytestmark = pytest.mark.xdist_group("demo")

XSS = ('<script>alert("chorus")</script>"><img src=x onerror=alert(1)>'
       '<a href="javascript:alert(2)">x</a>{{7*7}}{% raw %}${7*7}\' OR 1=1; DROP TABLE review; --')
RAW_MARKERS = ('<script>alert("chorus")</script>', "<img src=x onerror=alert(1)>", 'href="javascript:alert(2)"')
MAX_PAGES = 45


def crawl(client, start="/"):
    seen, queue, forms = set(), [start], []
    while queue and len(seen) < MAX_PAGES:
        url = queue.pop(0)
        if url in seen:
            continue
        seen.add(url)
        response = client.get(url)
        assert response.status_code < 500, f"GET {url} -> {response.status_code}"
        if "text/html" not in response.headers.get("content-type", ""):
            continue
        html = page(response)
        for link in html.find_all("a", href=True):
            target = urljoin(url, link["href"]).split("#")[0]
            parts = urlsplit(target)
            if parts.netloc in ("", "testserver") and parts.path.startswith("/") and not _skip(parts.path):
                queue.append(parts.path + (f"?{parts.query}" if parts.query else ""))
        for form in html.find_all("form"):
            if form.get("method", "get").lower() == "post":
                forms.append((urljoin(url, form.get("action") or url), form))
    return seen, forms


def _skip(path: str) -> bool:
    return path.startswith(("/static/", "/sign-out", "/api/docs")) or path.endswith((".csv", ".json", ".pdf"))


def fill(form, text: str) -> list[tuple[str, str]]:
    data, chosen = [], set()
    for field in form.find_all(["input", "textarea", "select"]):
        name = field.get("name")
        if not name:
            continue
        kind = (field.get("type") or "text").lower()
        if field.name == "select":
            options = [o.get("value", "") for o in field.find_all("option") if o.get("value")]
            data.append((name, options[0] if options else text))
        elif kind in ("hidden", "submit"):
            data.append((name, field.get("value", "")))
        elif kind in ("radio", "checkbox"):
            if name not in chosen:
                chosen.add(name)
                data.append((name, field.get("value", "on")))
        elif kind == "file":
            continue
        else:
            data.append((name, text))
    return data


def attack_every_form(client, forms):
    results = []
    for action, form in forms:
        for text in (XSS,):
            response = client.post(action, content=urlencode(fill(form, text)),
                                   headers={"content-type": "application/x-www-form-urlencoded"})
            results.append((action, response.status_code))
            assert response.status_code < 500, f"POST {action} -> {response.status_code}"
            for marker in RAW_MARKERS:
                assert marker not in response.text, f"unescaped {marker!r} in response to {action}"
        for raw in (b"caf%C3%FF",):
            body = "&".join(f"{name}={raw.decode()}" if name != "csrf_token" else urlencode({name: value})
                            for name, value in fill(form, "x"))
            response = client.post(action, content=body.encode(),
                                   headers={"content-type": "application/x-www-form-urlencoded"})
            assert response.status_code < 500, f"invalid UTF-8 to {action} -> {response.status_code}"
        body = urlencode(fill(form, "before\x00after"))
        if "%00" not in body:
            continue  # no text field to carry it
        nul = client.post(action, content=body, headers={"content-type": "application/x-www-form-urlencoded"})
        assert nul.status_code in (400, 403, 404, 409, 413, 422, 429), f"NUL to {action} -> {nul.status_code}"
    return results


def _one_per_action(forms):
    """Forms posting to the same route pattern (one per answer, per row) are attacked once."""
    import re

    seen, kept = set(), []
    for action, form in forms:
        pattern = re.sub(r"/\d+", "/N", urlsplit(action).path)
        if pattern not in seen:
            seen.add(pattern)
            kept.append((action, form))
    return kept


@pytest.mark.parametrize("who", ["visitor", "officer"])
def test_hostile_text_in_every_form(demo_client, who):
    client = demo_client
    if who == "officer":
        client.sign_in("officer@riverside.example", DEMO_PASSWORD)
    seen, forms = crawl(client, "/" if who == "visitor" else "/officer")
    assert len(forms) >= 3, f"only {len(forms)} forms found from {len(seen)} pages"
    forms = [f for f in forms if "/sign-out" not in f[0]]
    attack_every_form(client, _one_per_action(forms))
    # A megabyte of text is refused before any handler, whichever form it is sent to.
    with_text = [(a, f) for a, f in forms if "XYZ" in urlencode(fill(f, "XYZ"))]
    for action, form in with_text[:3]:
        response = client.post(action, content=urlencode(fill(form, "x" * 1_000_000)),
                               headers={"content-type": "application/x-www-form-urlencoded"})
        assert response.status_code == 413
    # What was stored comes back escaped wherever it is shown.
    for url in seen:
        response = client.get(url)
        for marker in RAW_MARKERS:
            assert marker not in response.text, f"stored {marker!r} shown unescaped at {url}"
