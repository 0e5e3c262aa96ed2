"""Staff and organiser sign-in and sign-out; accepting an invitation."""

from typing import Annotated
from urllib.parse import urlsplit

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import RedirectResponse, Response

from app import i18n
from app.auth import SESSION_COOKIE, CurrentUser, DbSession, SignedIn
from app.errors import InvalidInput, RateLimited
from app.i18n import N_, _, ngettext
from app.services import accounts
from app.services.accounts import sign_in as sign_in_rules
from app.templating import render_form

router = APIRouter()
LANGUAGE_COOKIE_DAYS = 365
GENERIC_SIGN_IN_ERROR = N_("The email address or password is not right")


def safe_next(url: str | None) -> str:
    """Only same-site paths: a crafted ?next= must never send someone to another website."""
    if not url:
        return "/officer"
    parts = urlsplit(url)
    if parts.scheme or parts.netloc or not url.startswith("/") or url.startswith("//") or "\\" in url:
        return "/officer"
    return url


def set_session_cookie(
    request: Request, response: Response, token: str, *, language: str | None = None
) -> None:
    """The session, and the account's language for its pages (the switch remembers it there too)."""
    settings = request.app.state.settings
    response.set_cookie(
        SESSION_COOKIE, token, httponly=True, samesite="lax", secure=settings.cookies_secure,
        max_age=settings.session_absolute_hours * 3600, path="/",
    )
    if language in i18n.LOCALES:
        set_language_cookie(request, response, language)


def set_language_cookie(request: Request, response: Response, locale: str) -> None:
    response.set_cookie(
        i18n.LOCALE_COOKIE, locale, httponly=True, samesite="lax",
        secure=request.app.state.settings.cookies_secure, max_age=LANGUAGE_COOKIE_DAYS * 86400, path="/",
    )


@router.get("/sign-in")
def sign_in_page(request: Request, user: CurrentUser, next: str | None = None):
    if user is not None:
        return RedirectResponse(safe_next(next), status_code=303)
    return render_form(request, "auth/sign_in.html", {"next": safe_next(next)})


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
    address = _address(request)
    account_key = accounts.normalise_account_email(email)
    _slow_down(limiter, account_key, address)
    errors = {}
    if not email.strip():
        errors["email"] = _("Enter your email address")
    if not password:
        errors["password"] = _("Enter your password")
    user = accounts.authenticate(db, email, password) if not errors else None
    if user is None:
        if not errors:
            sign_in_rules.record_failure(limiter, account_key, address)
        errors = errors or {"email": _(GENERIC_SIGN_IN_ERROR)}
        return render_form(request, "auth/sign_in.html", {"next": safe_next(next)}, errors=errors,
                           values={"email": email})
    if user.totp_secret:
        return _code_page(request, sign_in_rules.pending_token(settings.secret_key, user), next)
    return _signed_in(request, db, user, next)


def _address(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def _slow_down(limiter, account_key: str, address: str) -> None:
    wait = sign_in_rules.wait_seconds(limiter, account_key, address)
    if wait:
        minutes = max(1, -(-wait // 60))
        raise RateLimited(ngettext(
            "Too many failed sign-in attempts from your connection. Wait %(num)s minute, then try again.",
            "Too many failed sign-in attempts from your connection. Wait %(num)s minutes, then try again.",
            minutes) % {"num": minutes}, retry_after_seconds=wait)


def _signed_in(request: Request, db, user, next_url: str):
    old_token = request.cookies.get(SESSION_COOKIE)
    if old_token:
        accounts.end_session(db, old_token)
    token = accounts.start_session(db, user)
    target = safe_next(next_url)
    if sign_in_rules.second_factor_required(request.app.state.settings, user):
        target = "/account/two-factor?required=1"
    response = RedirectResponse(target, status_code=303)
    set_session_cookie(request, response, token, language=user.language)
    return response


def _code_page(request: Request, pending: str, next_url: str, **form):
    return render_form(request, "auth/sign_in_code.html",
                  {"pending": pending, "next": safe_next(next_url)},
                  **form)


@router.post("/sign-in/code")
def sign_in_code(
    request: Request,
    db: DbSession,
    pending: Annotated[str, Form(max_length=200)] = "",
    code: Annotated[str, Form(max_length=20)] = "",
    next: Annotated[str, Form(max_length=2000)] = "",
):
    """The second step for accounts with a second factor: the code their app shows now."""
    settings = request.app.state.settings
    limiter = request.app.state.rate_limiter
    user = sign_in_rules.pending_user(db, settings.secret_key, pending)
    if user is None:
        return RedirectResponse(f"/sign-in?next={safe_next(next)}", status_code=303)
    account_key = accounts.normalise_account_email(user.email)
    address = _address(request)
    _slow_down(limiter, account_key, address)
    if not sign_in_rules.code_is_right(limiter, user.totp_secret or "", code, user.id):
        sign_in_rules.record_failure(limiter, account_key, address)
        errors = {"code": _("Enter the 6-digit code your app shows now")}
        return _code_page(request, pending, next, errors=errors, status_code=422)
    return _signed_in(request, db, user, next)


@router.get("/account/two-factor")
def two_factor_page(request: Request, user: SignedIn, required: Annotated[str, Query(max_length=1)] = ""):
    secret = sign_in_rules.new_secret()
    return _two_factor(request, user, secret, required=bool(required))


def _two_factor(request, user, secret, *, required=False, **form):
    return render_form(request, "auth/two_factor.html", {
        "secret": secret, "uri": sign_in_rules.provisioning_uri(secret, user),
        "required": required or sign_in_rules.second_factor_required(request.app.state.settings, user),
        "done": bool(user.totp_secret) and not form.get("errors")}, **form)


@router.post("/account/two-factor")
def two_factor(request: Request, db: DbSession, user: SignedIn,
               secret: Annotated[str, Form(max_length=64)] = "",
               code: Annotated[str, Form(max_length=20)] = ""):
    try:
        sign_in_rules.turn_on(db, user, secret, code)
    except InvalidInput as error:
        return _two_factor(request, user, secret, errors=error.errors, status_code=422)
    return RedirectResponse("/officer" if user.is_staff else "/", status_code=303)


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
    return render_form(request, "auth/accept_invitation.html", _invitation_context(invitation, token))


def _invitation_context(invitation, token: str) -> dict:
    return {"invitation": invitation, "token": token, "role_labels": accounts.ROLE_LABELS}


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
        return render_form(request, "auth/accept_invitation.html", _invitation_context(invitation, token),
                           errors=error.errors, values={"display_name": display_name})
    session_token = accounts.start_session(db, user)
    response = RedirectResponse("/officer", status_code=303)
    set_session_cookie(request, response, session_token, language=user.language)
    return response
