"""The language switch on every page: "Cymraeg" / "English" (issue 28; decision 0107)."""

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse

from app import i18n
from app.auth import CurrentUser, DbSession
from app.errors import NotFound
from app.routes.auth import safe_next, set_language_cookie
from app.services import accounts

router = APIRouter()


@router.get("/language/{locale}")
def switch_language(request: Request, db: DbSession, user: CurrentUser, locale: str, next: str = "/"):
    if locale not in i18n.LOCALES:
        raise NotFound()
    response = RedirectResponse(next if safe_next(next) == next else "/", status_code=303)
    set_language_cookie(request, response, locale)
    # A link from another site may switch this browser's pages, never the account's email language.
    if user is not None and request.headers.get("sec-fetch-site", "same-origin") in ("same-origin", "none"):
        accounts.set_language(db, user, locale)
    return response
