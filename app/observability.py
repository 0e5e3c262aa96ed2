"""Logging: one configuration for web, worker and CLI; JSON lines in production; a request id that
follows a request into the jobs it enqueues.

Every log record carries `request_id` (or "-"). The web side takes a sane `X-Request-ID` from the
proxy or makes one, and echoes it on the response; `app.jobs` hands it to each job it enqueues,
and the worker sets it again before the job runs, so one id ties a request to its emails and runs.
"""

import logging
import re
import sys
import time
import uuid
from contextvars import ContextVar

from pythonjsonlogger.json import JsonFormatter
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.config import Settings

request_id: ContextVar[str | None] = ContextVar("request_id", default=None)
logger = logging.getLogger("chorus")
_SANE_REQUEST_ID = re.compile(r"[A-Za-z0-9._-]{1,64}")
_TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"
_JSON_FIELDS = "%(asctime)s %(levelname)s %(name)s %(request_id)s %(message)s"


class _RequestIdFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = request_id.get() or "-"
        return True


def configure_logging(settings: Settings) -> None:
    """JSON lines in production (or LOG_FORMAT=json), readable lines elsewhere; idempotent."""
    handler = logging.StreamHandler(sys.stderr)
    in_production = settings.environment == "production"
    as_json = settings.log_format == "json" or (settings.log_format == "auto" and in_production)
    handler.setFormatter(JsonFormatter(_JSON_FIELDS, rename_fields={"levelname": "level", "asctime": "time"})
                         if as_json else logging.Formatter(_TEXT_FORMAT))
    handler.addFilter(_RequestIdFilter())
    handler.set_name("chorus")
    root = logging.getLogger()
    root.handlers = [existing for existing in root.handlers if existing.get_name() != "chorus"]
    root.addHandler(handler)
    root.setLevel(settings.log_level.upper())


def new_request_id(offered: str | None = None) -> str:
    if offered and _SANE_REQUEST_ID.fullmatch(offered):
        return offered
    return uuid.uuid4().hex


class RequestIdMiddleware:
    """Sets the request id for everything logged while a request runs; logs failures with it."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        offered = dict(scope.get("headers") or []).get(b"x-request-id", b"").decode("latin-1")
        token = request_id.set(new_request_id(offered))
        started = time.perf_counter()
        status = 500

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message.setdefault("headers", [])
                message["headers"] = [*message["headers"], (b"x-request-id", request_id.get().encode())]
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            if status >= 500:
                logger.error("%s %s answered %s in %.0f ms", scope["method"], scope["path"], status,
                             (time.perf_counter() - started) * 1000)
            request_id.reset(token)
