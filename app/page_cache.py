"""Serve busy public pages to anonymous visitors from a per-process cache a few seconds old.

Rendering a public page costs 8-20 ms of CPU (queries, ORM, Jinja); a popular petition is asked
for hundreds of times a second, and every anonymous visitor gets the same HTML except for their
CSRF token (in forms and `<body hx-headers>`). So the page is stored split at the token of the
visitor who caused it to be rendered, and joined with each later visitor's own token. The
Content-Security-Policy has no nonce, so nothing else in the page is per visitor.

Only what cannot be personal is stored: GET requests to the listed paths, from visitors whose
only cookie is the CSRF cookie (a session or consultation draft cookie skips the cache), and
only 200 responses that set no cookie and were rendered for nobody (`Cache-Control: private,
no-cache`, the mark `templating.render` puts on anonymous pages). Entries expire after a few
seconds; counts on a cached page are therefore at most that much older, which issue 5 allows.
Concurrent misses for one page wait for the first render instead of all rendering it, and while
an expired page is re-rendered the others get the expired copy (stale for at most one more TTL).

Sits inside SecurityMiddleware (which sets the token and adds headers and the cookie on the way
out) and outside the routers.
"""

import asyncio
import re
import time
from collections import OrderedDict
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.i18n import LOCALE_COOKIE
from app.security import CSRF_COOKIE

ANONYMOUS_MARK = b"private, no-cache"
MAX_BODY_BYTES = 256 * 1024  # at most max_entries times this in memory
_VARYING_HEADERS = (b"hx-request", b"hx-boosted")  # render() answers a fragment to HTMX
_IMPERSONAL_COOKIES = (CSRF_COOKIE.encode(), LOCALE_COOKIE.encode())
_DROPPED_HEADERS = (b"content-length", b"date", b"server")


@dataclass(frozen=True)
class _Entry:
    expires_at: float
    status: int
    headers: list[tuple[bytes, bytes]]
    parts: list[bytes]  # the body split at the CSRF token of the visitor it was rendered for


class PageCache:
    def __init__(
        self,
        app: ASGIApp,
        *,
        ttl_seconds: float,
        paths: Iterable[str],
        max_entries: int = 128,
        clock: Callable[[], float] = time.monotonic,
    ):
        self.app = app
        self.ttl = ttl_seconds
        self.paths = re.compile("|".join(f"(?:{p})" for p in paths))
        self.max_entries = max_entries
        self.clock = clock
        self.entries: OrderedDict[tuple, _Entry] = OrderedDict()
        self.rendering: dict[tuple, asyncio.Event] = {}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        token = _cacheable_token(scope, self.paths)
        if token is None or self.ttl <= 0:
            await self.app(scope, receive, send)
            return
        key = _key(scope)
        entry = self._usable(key)
        if entry is None and key in self.rendering:
            await self.rendering[key].wait()
            entry = self._usable(key)  # None: that page could not be stored, so render this one
        if entry is not None:
            await _send_entry(entry, token, send)
            return
        await self._render(key, token, scope, receive, send)

    def _usable(self, key: tuple) -> _Entry | None:
        """A fresh entry, or an expired one while another request is rendering its successor.

        Serving the old page during that render (at most one more TTL) keeps every other
        visitor from queueing behind it each time the page expires.
        """
        entry = self.entries.get(key)
        if entry is None:
            return None
        now = self.clock()
        if entry.expires_at > now or (key in self.rendering and entry.expires_at + self.ttl > now):
            self.entries.move_to_end(key)
            return entry
        if entry.expires_at + self.ttl <= now:
            del self.entries[key]
        return None

    async def _render(self, key: tuple, token: bytes, scope: Scope, receive: Receive, send: Send) -> None:
        leader = key not in self.rendering  # only the first render of a page stores it
        if leader:
            done = self.rendering[key] = asyncio.Event()
        start: Message | None = None
        chunks: list[bytes] = []

        async def capture(message: Message) -> None:
            nonlocal start
            if message["type"] == "http.response.start":
                # A copy: SecurityMiddleware adds its headers (and a visitor's new cookie) in place.
                start = {**message, "headers": list(message.get("headers", []))}
            elif message["type"] == "http.response.body":
                chunks.append(message.get("body", b""))
            await send(message)

        try:
            await self.app(scope, receive, capture)
            if leader and start is not None:
                self._store(key, token, start, b"".join(chunks))
        finally:
            if leader:
                del self.rendering[key]
                done.set()

    def _store(self, key: tuple, token: bytes, start: Message, body: bytes) -> None:
        headers = list(start.get("headers", []))
        names = {name.lower(): value for name, value in headers}
        if (
            start["status"] != 200
            or names.get(b"cache-control") != ANONYMOUS_MARK
            or b"set-cookie" in names
            or len(body) > MAX_BODY_BYTES
        ):
            return
        kept = [(n, v) for n, v in headers if n.lower() not in _DROPPED_HEADERS]
        self.entries[key] = _Entry(self.clock() + self.ttl, 200, kept, body.split(token))
        self.entries.move_to_end(key)
        while len(self.entries) > self.max_entries:
            self.entries.popitem(last=False)


def _cacheable_token(scope: Scope, paths: re.Pattern) -> bytes | None:
    """The visitor's CSRF token if this request may be answered from the cache, else None."""
    if scope["type"] != "http" or scope["method"] != "GET" or not paths.fullmatch(scope["path"]):
        return None
    for name, value in scope["headers"]:
        if name == b"cookie" and not _only_csrf_cookie(value):
            return None
        if name == b"authorization":
            return None
    token = scope.get("state", {}).get("csrf_token")
    return token.encode() if token else None


def _only_csrf_cookie(header: bytes) -> bool:
    """The CSRF cookie, and the language switch's (a page is kept per language)."""
    for part in header.split(b";"):
        name = part.partition(b"=")[0].strip()
        if name and name not in _IMPERSONAL_COOKIES:
            return False
    return True


def _key(scope: Scope) -> tuple:
    varying = tuple(sorted((n, v) for n, v in scope["headers"] if n in _VARYING_HEADERS))
    return scope["path"], scope["query_string"], varying, scope.get("state", {}).get("locale")


async def _send_entry(entry: _Entry, token: bytes, send: Send) -> None:
    body = token.join(entry.parts)
    headers = [*entry.headers, (b"content-length", str(len(body)).encode())]
    await send({"type": "http.response.start", "status": entry.status, "headers": headers})
    await send({"type": "http.response.body", "body": body})
