"""A real SMTP server on loopback (aiosmtpd) that records what the app sends; import the fixture.

    from tests.smtp import smtp_server  # noqa: F401  (pytest finds it by name)

The fixture points SMTP_HOST/SMTP_PORT at the server for the test (the sending job reads the
settings at send time) and yields the server; `server.messages` are parsed EmailMessages.
"""

import socket
from collections.abc import Iterator
from email import message_from_bytes, policy
from email.message import EmailMessage

import pytest
from aiosmtpd.controller import Controller

from app.config import get_settings


class RecordingHandler:
    def __init__(self):
        self.messages: list[EmailMessage] = []

    async def handle_DATA(self, server, session, envelope):
        message = message_from_bytes(envelope.original_content, policy=policy.default)
        message["X-Envelope-To"] = ", ".join(envelope.rcpt_tos)
        self.messages.append(message)
        return "250 OK"


class SmtpServer:
    def __init__(self, controller: Controller, handler: RecordingHandler):
        self.controller = controller
        self.handler = handler
        self.host = controller.hostname
        self.port = controller.port

    @property
    def messages(self) -> list[EmailMessage]:
        return self.handler.messages

    def to(self, address: str) -> list[EmailMessage]:
        return [m for m in self.messages if m["To"] == address]


def plain_text(message: EmailMessage) -> str:
    """The text part of an email (every email Chorus sends is multipart/alternative: text and HTML)."""
    return message.get_body(preferencelist=("plain",)).get_content()


def html_part(message: EmailMessage) -> str:
    return message.get_body(preferencelist=("html",)).get_content()


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def smtp_server(monkeypatch) -> Iterator[SmtpServer]:
    handler = RecordingHandler()
    controller = Controller(handler, hostname="127.0.0.1", port=_free_port())
    controller.start()
    monkeypatch.setenv("SMTP_HOST", controller.hostname)
    monkeypatch.setenv("SMTP_PORT", str(controller.port))
    get_settings.cache_clear()
    try:
        yield SmtpServer(controller, handler)
    finally:
        controller.stop()
        monkeypatch.undo()
        get_settings.cache_clear()
