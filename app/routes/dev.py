"""Development-only pages: the outbox of emails the app has sent, and the clock moved forward (with the
retention that is then due), so a journey can pass a retention period without waiting."""

import re
from datetime import timedelta
from typing import Annotated

from fastapi import APIRouter, Form, Request

from app import clock
from app.auth import DbSession
from app.errors import NotFound
from app.services.email import recent_emails
from app.services.privacy import retention
from app.templating import render

router = APIRouter(prefix="/dev", include_in_schema=False)


LINK = re.compile(r"https?://[^\s<>\"']+")


def with_links(text: str) -> list[tuple[str, bool]]:
    """The text in pieces, each (piece, is_link), so the template links URLs and escapes everything."""
    pieces, start = [], 0
    for match in LINK.finditer(text):
        if match.start() > start:
            pieces.append((text[start:match.start()], False))
        pieces.append((match.group(0), True))
        start = match.end()
    if start < len(text):
        pieces.append((text[start:], False))
    return pieces


@router.get("/outbox")
def outbox(request: Request, db: DbSession):
    if not request.app.state.settings.is_development:
        raise NotFound()
    return render(request, "dev/outbox.html", {"emails": recent_emails(db), "with_links": with_links})


@router.get("/clock")
def clock_page(request: Request):
    if not request.app.state.settings.is_development:
        raise NotFound()
    return render(request, "dev/clock.html", {"now": clock.now(), "report": None})


@router.post("/clock")
def move_clock(request: Request, db: DbSession, days: Annotated[int, Form(ge=0, le=36500)] = 0):
    """Move this process's clock forward and run the retention that is then due (development only)."""
    settings = request.app.state.settings
    if not settings.is_development:
        raise NotFound()
    clock.advance(timedelta(days=days))
    report = retention.run(db, settings)
    return render(request, "dev/clock.html", {"now": clock.now(), "report": report})


@router.post("/clock/reset")
def reset_clock(request: Request):
    if not request.app.state.settings.is_development:
        raise NotFound()
    clock.reset()
    return render(request, "dev/clock.html", {"now": clock.now(), "report": None})
