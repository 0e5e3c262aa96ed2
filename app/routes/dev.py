"""Development-only pages: the outbox of emails the app has sent."""

from fastapi import APIRouter, Request

from app.auth import DbSession
from app.errors import NotFound
from app.services.email import recent_emails
from app.templating import render

router = APIRouter(prefix="/dev", include_in_schema=False)


@router.get("/outbox")
def outbox(request: Request, db: DbSession):
    if not request.app.state.settings.is_development:
        raise NotFound()
    return render(request, "dev/outbox.html", {"emails": recent_emails(db)})
