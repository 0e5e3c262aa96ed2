"""Refuse request bodies no database can store (NUL bytes) or no form needs (oversized), cleanly.

PostgreSQL cannot store NUL in text, and a 1 MB "answer" is abuse, not an answer: both get a
clear 4xx page before any handler runs, instead of a 500 from deep inside.
"""

import json

from starlette.types import ASGIApp, Message, Receive, Scope, Send

CHECKED_TYPES = (b"application/x-www-form-urlencoded", b"application/json")
NUL_MARKERS = (b"\x00", b"%00", b"\\u0000")


def _page(title: str, message: str) -> bytes:
    return (
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">"
        "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
        f"<title>{title}</title></head><body><main><h1>{title}</h1><p>{message}</p>"
        "<p>Go back: what you typed is still on the page.</p></main></body></html>"
    ).encode()


class InputGuard:
    def __init__(self, app: ASGIApp, max_body_bytes: int = 512 * 1024):
        self.app = app
        self.max_body_bytes = max_body_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and _has_impossible_id(scope["path"]):
            await _refuse(send, 404, "Page not found", "We could not find that page.",
                          scope["path"].startswith("/api/"))
            return
        content_type = dict(scope.get("headers", [])).get(b"content-type", b"")
        if scope["type"] != "http" or not content_type.startswith(CHECKED_TYPES):
            await self.app(scope, receive, send)
            return
        body, more, too_big = b"", True, False
        while more:
            message = await receive()
            body += message.get("body", b"")
            more = message.get("more_body", False)
            if len(body) > self.max_body_bytes:
                too_big = True
                break
        api = scope["path"].startswith("/api/")
        if too_big:
            await _refuse(send, 413, "Too much text",
                          "What you sent is longer than any answer we accept.", api)
            return
        if any(marker in body for marker in NUL_MARKERS):
            await _refuse(send, 400 if not api else 422, "Your text contains a character we cannot store",
                          "Remove any unusual invisible characters (such as NUL) and send it again.", api)
            return
        await self.app(scope, _replay(body), send)


MAX_ID = 2**31 - 1  # ids are 32-bit integers on PostgreSQL


def _has_impossible_id(path: str) -> bool:
    """A numeric path segment no row can have: answered 404 here rather than overflowing a query."""
    return any(part.isdigit() and (len(part) > 10 or int(part) > MAX_ID) for part in path.split("/"))


def _replay(body: bytes) -> Receive:
    sent = False

    async def receive() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return {"type": "http.disconnect"}

    return receive


async def _refuse(send: Send, status: int, title: str, message: str, api: bool) -> None:
    if api:
        page, kind = json.dumps({"detail": f"{title}. {message}"}).encode(), b"application/json"
    else:
        page, kind = _page(title, message), b"text/html; charset=utf-8"
    await send({"type": "http.response.start", "status": status, "headers": [
        (b"content-type", kind), (b"content-length", str(len(page)).encode())]})
    await send({"type": "http.response.body", "body": page})
