"""The public page cache: anonymous visitors share a render, each with their own CSRF token."""

import asyncio

import httpx
import pytest

from app.config import Settings
from app.page_cache import PageCache
from app.security import CSRF_COOKIE, SecurityMiddleware, csrf_token_for
from tests.unit.test_middleware import run_async

SECRET = "s" * 40
COOKIE_A, COOKIE_B = "a" * 43, "b" * 43


class Clock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


class Page:
    """A stand-in page: counts renders and, like the real templates, embeds the visitor's token."""

    def __init__(self, *, status=200, cache_control=b"private, no-cache", set_cookie=False, delay=0.0):
        self.renders = 0
        self.version = "first"
        self.status, self.cache_control, self.set_cookie, self.delay = status, cache_control, set_cookie, delay

    async def __call__(self, scope, receive, send):
        self.renders += 1
        if self.delay:
            await asyncio.sleep(self.delay)
        token = scope["state"]["csrf_token"]
        body = (f'<body hx-headers=\'{{"X-CSRF-Token": "{token}"}}\'><h1>{self.version}</h1>'
                f'<input name="csrf_token" value="{token}"></body>').encode()
        headers = [(b"content-type", b"text/html; charset=utf-8"), (b"cache-control", self.cache_control),
                   (b"content-length", str(len(body)).encode())]
        if self.set_cookie:
            headers.append((b"set-cookie", b"chorus_draft_1=x; Path=/"))
        await send({"type": "http.response.start", "status": self.status, "headers": headers})
        await send({"type": "http.response.body", "body": body})


def stack(page, clock, ttl=2.0):
    settings = Settings(CHORUS_ENV="test", SECRET_KEY=SECRET)
    cache = PageCache(page, ttl_seconds=ttl, paths=[r"/", r"/petitions/\d+"], clock=clock)
    return SecurityMiddleware(cache, settings=settings)


def token_of(cookie: str) -> str:
    return csrf_token_for(SECRET, cookie)


def get(app, *requests):
    """Send (path, cookie, extra headers) requests at once; returns the responses in order."""

    async def run():
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
            return await asyncio.gather(*[
                client.get(path, headers={**({"cookie": cookie} if cookie else {}), **extra})
                for path, cookie, extra in requests])

    return run_async(run)


def visit(path="/petitions/1", cookie=f"{CSRF_COOKIE}={COOKIE_A}", **extra):
    return path, cookie, extra


def test_anonymous_visitors_share_one_render_each_with_their_own_token():
    page, clock = Page(), Clock()
    app = stack(page, clock)
    [first] = get(app, visit(cookie=f"{CSRF_COOKIE}={COOKIE_A}"))
    page.version = "second"
    [second] = get(app, visit(cookie=f"{CSRF_COOKIE}={COOKIE_B}"))
    assert page.renders == 1 and "<h1>first</h1>" in second.text
    assert second.text.count(token_of(COOKIE_B)) == 2 and token_of(COOKIE_A) not in second.text
    assert first.text.count(token_of(COOKIE_A)) == 2
    assert second.headers["content-length"] == str(len(second.content))
    assert second.headers["x-frame-options"] == "DENY"  # security headers still added on a hit


def test_a_first_time_visitor_gets_a_new_cookie_and_the_matching_token_from_the_cache():
    page, clock = Page(), Clock()
    app = stack(page, clock)
    get(app, visit())
    [fresh] = get(app, visit(cookie=None))
    cookie = fresh.cookies[CSRF_COOKIE]
    assert page.renders == 1 and token_of(cookie) in fresh.text and token_of(COOKIE_A) not in fresh.text


def test_a_page_first_rendered_for_a_new_visitor_is_stored_without_their_cookie():
    page, clock = Page(), Clock()
    app = stack(page, clock)
    [new] = get(app, visit(cookie=None))
    [second] = get(app, visit(cookie=f"{CSRF_COOKIE}={COOKIE_B}"))
    assert page.renders == 1 and "set-cookie" not in second.headers
    assert token_of(COOKIE_B) in second.text and token_of(new.cookies[CSRF_COOKIE]) not in second.text
    assert len(second.headers.get_list("x-frame-options")) == 1


def test_pages_expire_after_the_ttl():
    page, clock = Page(), Clock()
    app = stack(page, clock)
    get(app, visit())
    page.version = "second"
    clock.now += 1.9
    assert "first" in get(app, visit())[0].text
    clock.now += 0.2
    assert "second" in get(app, visit())[0].text and page.renders == 2


@pytest.mark.parametrize("cookie", [
    f"{CSRF_COOKIE}={COOKIE_A}; chorus_session=secret",
    f"chorus_draft_1=token; {CSRF_COOKIE}={COOKIE_A}",
])
def test_visitors_with_any_other_cookie_are_never_served_or_stored(cookie):
    page, clock = Page(), Clock()
    app = stack(page, clock)
    get(app, visit(cookie=cookie))
    get(app, visit(cookie=cookie))
    get(app, visit())  # an anonymous visitor after them renders too: nothing was stored
    assert page.renders == 3


@pytest.mark.parametrize("page", [
    Page(status=404), Page(cache_control=b"no-store"), Page(set_cookie=True),
], ids=["not 200", "rendered for a signed-in user", "sets a cookie"])
def test_responses_that_may_be_personal_or_failed_are_not_stored(page):
    app = stack(page, Clock())
    get(app, visit())
    get(app, visit())
    assert page.renders == 2


def test_only_listed_paths_and_gets_are_cached():
    page, clock = Page(), Clock()
    app = stack(page, clock)
    get(app, visit("/petitions/1/signed"), visit("/petitions/1/signed"))
    assert page.renders == 2

    async def post():
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
            return await client.post("/petitions/1", headers={"cookie": f"{CSRF_COOKIE}={COOKIE_A}"})

    run_async(post)
    run_async(post)
    assert page.renders == 4


def test_query_strings_and_htmx_fragments_are_cached_apart():
    page, clock = Page(), Clock()
    app = stack(page, clock)
    get(app, visit("/"), visit("/?status=open"), visit("/", **{"hx-request": "true"}))
    assert page.renders == 3
    get(app, visit("/"), visit("/?status=open"), visit("/", **{"hx-request": "true"}))
    assert page.renders == 3


def test_concurrent_misses_wait_for_one_render():
    page, clock = Page(delay=0.2), Clock()
    app = stack(page, clock)
    cookies = [f"{CSRF_COOKIE}={c * 43}" for c in "cdefg"]
    responses = get(app, *[visit(cookie=cookie) for cookie in cookies])
    assert page.renders == 1
    for cookie, response in zip(cookies, responses, strict=True):
        assert response.status_code == 200 and token_of(cookie.split("=")[1]) in response.text


def test_while_an_expired_page_is_rendered_again_others_get_the_expired_copy():
    page, clock = Page(delay=0.2), Clock()
    app = stack(page, clock)
    get(app, visit())
    page.version = "second"
    clock.now += 2.5
    responses = get(app, visit(), visit(cookie=f"{CSRF_COOKIE}={COOKIE_B}"))
    assert page.renders == 2
    assert sorted("second" in r.text for r in responses) == [False, True]
    assert "second" in get(app, visit())[0].text and page.renders == 2


def test_a_page_expired_for_longer_than_the_grace_is_never_served():
    page, clock = Page(delay=0.2), Clock()
    app = stack(page, clock)
    get(app, visit())
    page.version = "second"
    clock.now += 4.1
    responses = get(app, visit(), visit(cookie=f"{CSRF_COOKIE}={COOKIE_B}"))
    assert page.renders == 2 and all("second" in r.text for r in responses)


def test_waiters_render_for_themselves_when_the_first_render_cannot_be_stored():
    page, clock = Page(delay=0.2, status=404), Clock()
    app = stack(page, clock)
    responses = get(app, visit(), visit(cookie=f"{CSRF_COOKIE}={COOKIE_B}"))
    assert [r.status_code for r in responses] == [404, 404] and page.renders == 2
    assert token_of(COOKIE_B) in responses[1].text


def test_on_by_default_in_production_only():
    assert Settings(CHORUS_ENV="production", SECRET_KEY=SECRET).page_cache_ttl == 2.0
    assert Settings(CHORUS_ENV="test", SECRET_KEY=SECRET).page_cache_ttl == 0.0
    assert Settings(CHORUS_ENV="test", SECRET_KEY=SECRET, PAGE_CACHE_SECONDS=5).page_cache_ttl == 5.0
