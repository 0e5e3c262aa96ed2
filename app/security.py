"""CSRF protection and security headers for every response."""

import hashlib
import hmac
import secrets
from urllib.parse import urlsplit

from fastapi import Request
from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.config import Settings
from app.errors import AppError
from app.i18n import N_, _

CSRF_COOKIE = "chorus_csrf"
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})
API_PREFIX = "/api/"
# The JSON API speaks to developers, in English (decision 0107): this message is not translated.
API_JSON_ONLY = "The API accepts application/json only."

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)


class CsrfRejected(AppError):
    status_code = 403
    title = N_("Your form could not be sent")


def csrf_token_for(secret_key: str, cookie_value: str) -> str:
    return hmac.new(secret_key.encode(), cookie_value.encode(), hashlib.sha256).hexdigest()


class SecurityMiddleware:
    """Sets the CSRF cookie when missing (pages only) and adds security headers to every response."""

    def __init__(self, app: ASGIApp, settings: Settings):
        self.app = app
        self.settings = settings

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        new_cookie = None
        # The JSON API never checks the token (see verify_csrf) and renders no forms, so its
        # requests, the busiest writes, skip the random draw, the HMAC and the Set-Cookie.
        if not scope["path"].startswith(API_PREFIX):
            cookie_value = _cookie(scope, CSRF_COOKIE)
            if not cookie_value or len(cookie_value) != 43:
                cookie_value = new_cookie = secrets.token_urlsafe(32)
            scope.setdefault("state", {})["csrf_token"] = csrf_token_for(
                self.settings.secret_key, cookie_value
            )

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                self._add_headers(headers, new_cookie)
            await send(message)

        await self.app(scope, receive, send_with_headers)

    def _add_headers(self, headers: MutableHeaders, new_cookie: str | None) -> None:
        headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        headers["X-Content-Type-Options"] = "nosniff"
        headers["Referrer-Policy"] = "same-origin"
        headers["X-Frame-Options"] = "DENY"
        headers["Permissions-Policy"] = "camera=(), microphone=(), geolocation=(), interest-cohort=()"
        headers["Cross-Origin-Opener-Policy"] = "same-origin"
        # Every download (exports, attachments) carries personal data or residents' words.
        if headers.get("content-disposition", "").lower().startswith("attachment") and "no-store" not in \
                headers.get("cache-control", ""):
            headers["Cache-Control"] = "no-store"
        if self.settings.cookies_secure:
            headers["Strict-Transport-Security"] = "max-age=63072000; includeSubDomains"
        if new_cookie:
            secure = "; Secure" if self.settings.cookies_secure else ""
            headers.append(
                "Set-Cookie",
                f"{CSRF_COOKIE}={new_cookie}; Path=/; HttpOnly; SameSite=Lax{secure}",
            )


def _cookie(scope: Scope, name: str) -> str | None:
    for key, value in scope.get("headers", []):
        if key == b"cookie":
            for part in value.decode("latin-1").split(";"):
                cookie_name, _sep, cookie_value = part.strip().partition("=")
                if cookie_name == name:
                    return cookie_value
    return None


def _same_origin(header_value: str, request: Request) -> bool:
    origin = urlsplit(header_value)
    return (origin.scheme, origin.netloc) == (request.url.scheme, request.url.netloc)


async def verify_csrf(request: Request) -> None:
    """App-wide dependency: every state-changing request must be same-origin and carry the token.

    The JSON API is exempt from the token because it never uses cookies for authority and only
    accepts application/json, which a foreign page cannot send without a CORS preflight.
    """
    if request.method in SAFE_METHODS:
        return
    origin = request.headers.get("origin") or request.headers.get("referer")
    if origin and origin != "null" and not _same_origin(origin, request):
        raise CsrfRejected(_("This form was sent from another website, so we did not accept it."))
    if request.scope["path"].startswith(API_PREFIX):
        content_type = request.headers.get("content-type", "").lower()
        if not content_type.startswith("application/json"):
            raise AppError(API_JSON_ONLY, status_code=415)
        return
    sent = request.headers.get(CSRF_HEADER)
    if sent is None and _is_form(request):
        form = await request.form()
        value = form.get(CSRF_FIELD)
        sent = value if isinstance(value, str) else None
    expected = getattr(request.state, "csrf_token", None)
    cookie_present = _cookie(request.scope, CSRF_COOKIE) is not None
    if not (sent and expected and cookie_present and hmac.compare_digest(sent, expected)):
        raise CsrfRejected(_(
            "Your form could not be sent because the page had expired. "
            "Go back, reload the page and send it again: what you typed is still there."
        ))


def _is_form(request: Request) -> bool:
    content_type = request.headers.get("content-type", "").lower()
    return content_type.startswith(("application/x-www-form-urlencoded", "multipart/form-data"))
