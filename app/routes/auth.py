"""Staff and organiser sign-in and sign-out; accepting an invitation."""

from typing import Annotated
from urllib.parse import urlsplit

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from app.auth import SESSION_COOKIE, CurrentUser, DbSession
from app.errors import InvalidInput, RateLimited
from app.services import accounts
from app.templating import render

router = APIRouter()
GENERIC_SIGN_IN_ERROR = "The email address or password is not right"


def safe_next(url: str | None) -> str:
    """Only same-site paths: a crafted ?next= must never send someone to another website."""
    if not url:
        return "/officer"
    parts = urlsplit(url)
    if parts.scheme or parts.netloc or not url.startswith("/") or url.startswith("//") or "\\" in url:
        return "/officer"
    return url


def set_session_cookie(request: Request, response: Response, token: str) -> None:
    settings = request.app.state.settings
    response.set_cookie(
        SESSION_COOKIE, token, httponly=True, samesite="lax", secure=settings.cookies_secure,
        max_age=settings.session_absolute_hours * 3600, path="/",
    )


@router.get("/sign-in")
def sign_in_page(request: Request, user: CurrentUser, next: str | None = None):
    if user is not None:
        return RedirectResponse(safe_next(next), status_code=303)
    return render(request, "auth/sign_in.html", {"next": safe_next(next), "errors": {}, "values": {}})


@router.post("/sign-in")
def sign_in(
    request: Request,
    db: DbSession,
    email: Annotated[str, Form(max_length=320)] = "",
    password: Annotated[str, Form(max_length=1024)] = "",
    next: Annotated[str, Form(max_length=2000)] = "",
):
    settings = request.app.state.settings
    limiter = request.app.state.rate_limiter
    address = request.client.host if request.client else "unknown"
    account_key = accounts.normalise_account_email(email)
    if not (
        limiter.allow("sign-in-address", settings.sign_in_attempts_per_address, address)
        and limiter.allow("sign-in-account", settings.sign_in_attempts_per_account, account_key)
    ):
        raise RateLimited(
            "Too many sign-in attempts. Wait 15 minutes, then try again.", retry_after_seconds=900
        )
    errors = {}
    if not email.strip():
        errors["email"] = "Enter your email address"
    if not password:
        errors["password"] = "Enter your password"  # noqa: S105 - a message
    user = accounts.authenticate(db, email, password) if not errors else None
    if user is None:
        errors = errors or {"email": GENERIC_SIGN_IN_ERROR}
        return render(
            request, "auth/sign_in.html",
            {"next": safe_next(next), "errors": errors, "values": {"email": email}},
            status_code=422,
        )
    old_token = request.cookies.get(SESSION_COOKIE)
    if old_token:
        accounts.end_session(db, old_token)
    token = accounts.start_session(db, user)
    response = RedirectResponse(safe_next(next), status_code=303)
    set_session_cookie(request, response, token)
    return response


@router.post("/sign-out")
def sign_out(request: Request, db: DbSession):
    token = request.cookies.get(SESSION_COOKIE)
    if token:
        accounts.end_session(db, token)
    response = RedirectResponse("/", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


@router.get("/invitations/{token}")
def invitation_page(request: Request, db: DbSession, token: str):
    invitation = accounts.open_invitation(db, token)
    return render(request, "auth/accept_invitation.html",
                  {"invitation": invitation, "token": token, "errors": {}, "values": {}})


@router.post("/invitations/{token}")
def accept_invitation(
    request: Request,
    db: DbSession,
    token: str,
    display_name: Annotated[str, Form(max_length=200)] = "",
    password: Annotated[str, Form(max_length=1024)] = "",
):
    invitation = accounts.open_invitation(db, token)
    try:
        user = accounts.accept_invitation(db, token, display_name=display_name, password=password)
    except InvalidInput as error:
        return render(request, "auth/accept_invitation.html",
                      {"invitation": invitation, "token": token, "errors": error.errors,
                       "values": {"display_name": display_name}}, status_code=422)
    session_token = accounts.start_session(db, user)
    response = RedirectResponse("/officer", status_code=303)
    set_session_cookie(request, response, session_token)
    return response
