"""Development-only pages: the outbox of emails the app has sent."""

import re

from fastapi import APIRouter, Request

from app.auth import DbSession
from app.errors import NotFound
from app.services.email import recent_emails
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
