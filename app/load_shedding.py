"""Shed load early: past a number of requests in flight, answer 503 with Retry-After at once.

A quick, clear "try again in a moment" beats a queue that times out for everyone; work that was
accepted is never dropped, because shedding happens before the request reaches the app.
"""

from starlette.types import ASGIApp, Receive, Scope, Send

BUSY_PAGE = (
    b"<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">"
    b"<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
    b"<title>Busy: please try again</title></head><body><main>"
    b"<h1>Sorry, the site is very busy</h1><p>Nothing you sent was received. "
    b"Please wait a few seconds and try again: your answers are still on the page.</p>"
    b"</main></body></html>"
)
EXEMPT_PREFIXES = ("/healthz", "/static/")


class LoadShedding:
    def __init__(self, app: ASGIApp, max_in_flight: int, retry_after_seconds: int = 2):
        self.app = app
        self.max_in_flight = max_in_flight
        self.retry_after = str(retry_after_seconds).encode()
        self.in_flight = 0

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"].startswith(EXEMPT_PREFIXES):
            await self.app(scope, receive, send)
            return
        if self.in_flight >= self.max_in_flight:
            await self._busy(send)
            return
        self.in_flight += 1
        try:
            await self.app(scope, receive, send)
        finally:
            self.in_flight -= 1

    async def _busy(self, send: Send) -> None:
        await send({"type": "http.response.start", "status": 503, "headers": [
            (b"content-type", b"text/html; charset=utf-8"), (b"retry-after", self.retry_after),
            (b"cache-control", b"no-store"), (b"content-length", str(len(BUSY_PAGE)).encode())]})
        await send({"type": "http.response.body", "body": BUSY_PAGE})
