"""Refuse request bodies no database can store (NUL bytes) or no form needs (oversized), cleanly.

PostgreSQL cannot store NUL in text, and a 1 MB "answer" is abuse, not an answer: both get a
clear 4xx page before any handler runs, instead of a 500 from deep inside (or a misleading 404).

- `Content-Type` is matched case-insensitively (`Application/X-WWW-Form-Urlencoded` is a form).
- urlencoded and JSON bodies: the whole body is checked for NUL and capped at 512 KB.
- multipart bodies: only the text fields are checked for NUL and counted against the 512 KB;
  uploaded files (PDFs, CSVs) may hold NUL bytes and run to megabytes, within the limits of the
  handler that reads them (the whole body is capped at MAX_MULTIPART_BYTES).
- A middleware cannot re-render a form. Handlers that re-render their own form with the text
  kept (status 422) are listed in HANDLER_CHECKED: the guard lets NUL through to them, and they
  call `nul_errors` and `without_nul`.
"""

import json
import re

from starlette.types import ASGIApp, Message, Receive, Scope, Send

FORM, JSON_TYPE, MULTIPART = "application/x-www-form-urlencoded", "application/json", "multipart/form-data"
NUL_MARKERS = (b"\x00", b"%00", b"\\u0000")
MAX_MULTIPART_BYTES = 64 * 1024 * 1024
# (method, path pattern) whose handler answers NUL in its form itself: 422, the form, the text kept.
HANDLER_CHECKED = (("POST", re.compile(r"/petitions")),)
NUL_MESSAGE = ("Your text contained an invisible character (NUL) that we cannot store. We have "
               "removed it: check your text, then send it again.")


def nul_errors(values: dict[str, str]) -> dict[str, str]:
    """One error per field whose text holds a NUL byte (for handlers in HANDLER_CHECKED)."""
    return {field: NUL_MESSAGE for field, value in values.items()
            if isinstance(value, str) and "\x00" in value}


def without_nul(values: dict[str, str]) -> dict[str, str]:
    """What the person typed, minus the NUL bytes, to show back in the form."""
    return {field: value.replace("\x00", "") if isinstance(value, str) else value
            for field, value in values.items()}


def _media_type(scope: Scope) -> tuple[str, str]:
    raw = dict(scope.get("headers", [])).get(b"content-type", b"").decode("latin-1")
    media, _, params = raw.partition(";")
    return media.strip().lower(), params


def _boundary(params: str) -> bytes | None:
    found = re.search(r'boundary="?([^";]+)"?', params, re.IGNORECASE)
    return found.group(1).encode("latin-1") if found else None


def _multipart_text(body: bytes, boundary: bytes) -> bytes:
    """The text fields of a multipart body, joined (file parts are left to their handlers)."""
    text = []
    for part in body.split(b"--" + boundary):
        headers, separator, content = part.partition(b"\r\n\r\n")
        if not separator:
            continue
        disposition = headers.lower()
        if b"filename=" in disposition or b"filename*=" in disposition:
            continue
        text.append(content.removesuffix(b"\r\n"))
    return b"\n".join(text)


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
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        media, params = _media_type(scope)
        if media not in (FORM, JSON_TYPE, MULTIPART):
            await self.app(scope, receive, send)
            return
        limit = MAX_MULTIPART_BYTES if media == MULTIPART else self.max_body_bytes
        body, more, too_big = b"", True, False
        while more:
            message = await receive()
            body += message.get("body", b"")
            more = message.get("more_body", False)
            if len(body) > limit:
                too_big = True
                break
        api = scope["path"].startswith("/api/")
        checked = body
        if media == MULTIPART and not too_big:
            boundary = _boundary(params)
            checked = _multipart_text(body, boundary) if boundary else b""
            too_big = len(checked) > self.max_body_bytes
        if too_big:
            await _refuse(send, 413, "Too much text",
                          "What you sent is longer than any answer we accept.", api)
            return
        handler_checks = not api and any(method == scope["method"] and pattern.fullmatch(scope["path"])
                                         for method, pattern in HANDLER_CHECKED)
        # Multipart text is sent raw: only a real NUL byte counts there ("%00" is just text).
        markers = (b"\x00",) if media == MULTIPART else NUL_MARKERS
        nul = any(marker in checked for marker in markers)
        if nul and not handler_checks:
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
