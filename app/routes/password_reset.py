"""Staff who forgot their password ask for a reset link by email, then choose a new password."""

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse

from app.auth import DbSession
from app.errors import InvalidInput, RateLimited
from app.i18n import _
from app.services.accounts import normalise_account_email
from app.services.accounts import staff as staff_accounts
from app.templating import render, render_form

router = APIRouter(prefix="/password-reset")


@router.get("")
def request_page(request: Request):
    return render_form(request, "auth/password_reset_request.html")


@router.post("")
def request_reset(request: Request, db: DbSession, email: Annotated[str, Form(max_length=320)] = ""):
    if not email.strip():
        errors = {"email": _("Enter your email address")}
        return render_form(request, "auth/password_reset_request.html", errors=errors)
    limiter = request.app.state.rate_limiter
    address = request.client.host if request.client else "unknown"
    if not (limiter.allow("password-reset-address", staff_accounts.RESET_ATTEMPTS_PER_ADDRESS, address)
            and limiter.allow("password-reset-account", staff_accounts.RESET_ATTEMPTS_PER_ACCOUNT,
                              normalise_account_email(email))):
        raise RateLimited(_("Too many requests for a reset link. Wait an hour, then try again."),
                          retry_after_seconds=3600)
    staff_accounts.request_reset(db, email, base_url=request.app.state.settings.base_url)
    return RedirectResponse("/password-reset/sent", status_code=303)


@router.get("/sent")
def sent(request: Request):
    return render(request, "auth/password_reset_sent.html", {})


@router.get("/done")
def done(request: Request):
    return render(request, "auth/password_reset_done.html", {})


@router.get("/{token}")
def choose_page(request: Request, db: DbSession, token: str):
    staff_accounts.open_reset(db, token)
    return render_form(request, "auth/password_reset_choose.html", {"token": token})


@router.post("/{token}")
def choose(request: Request, db: DbSession, token: str, password: Annotated[str, Form(max_length=1024)] = "",
           confirm: Annotated[str, Form(max_length=1024)] = ""):
    try:
        staff_accounts.complete_reset(db, token, password=password, confirm=confirm)
    except InvalidInput as error:
        return render_form(request, "auth/password_reset_choose.html", {"token": token}, errors=error.errors)
    return RedirectResponse("/password-reset/done", status_code=303)
