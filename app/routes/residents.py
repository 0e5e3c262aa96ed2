"""Residents' light accounts (issue 27): signing in by an emailed link, "My Chorus" (their data, its
download, deleting the account), and following consultations and petitions. Rules in
services/accounts/residents.py, services/residents and services/privacy/subject_access.py."""

import json
from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import RedirectResponse, Response

from app.auth import SESSION_COOKIE, CurrentUser, DbSession, Resident
from app.downloads import download_headers
from app.errors import InvalidInput
from app.i18n import _
from app.models.base import DEFAULT_LANGUAGE, LANGUAGES
from app.routes.auth import safe_next, set_session_cookie
from app.services import accounts, consultations, petitions, residents
from app.services.accounts import residents as resident_accounts
from app.services.privacy import subject_access
from app.templating import render, render_form

router = APIRouter()

Next = Annotated[str, Query(max_length=2000)]


def _connection(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def _resident_next(url: str | None) -> str:
    target = safe_next(url)
    return "/my-chorus" if target == "/officer" else target


# Signing in ------------------------------------------------------------------------------------------


@router.get("/sign-in/email")
def link_request_page(request: Request, user: CurrentUser, next: Next = ""):
    if user is not None:
        return RedirectResponse(
            _resident_next(next) if user.role.value == "resident" else "/", status_code=303
        )
    context = {"next": _resident_next(next), "minutes": resident_accounts.LINK_MINUTES}
    return render_form(request, "residents/sign_in.html", context)


@router.post("/sign-in/email")
def request_link(
    request: Request,
    db: DbSession,
    email: Annotated[str, Form(max_length=320)] = "",
    next: Annotated[str, Form(max_length=2000)] = "",
):
    target = _resident_next(next)
    try:
        resident_accounts.request_link(
            db,
            email,
            base_url=request.app.state.settings.base_url,
            limiter=request.app.state.rate_limiter,
            connection=_connection(request),
            next_path=target,
        )
    except InvalidInput as error:
        context = {"next": target, "minutes": resident_accounts.LINK_MINUTES}
        values = {"email": email}
        return render_form(request, "residents/sign_in.html", context, errors=error.errors, values=values)
    return RedirectResponse("/sign-in/email/sent", status_code=303)


@router.get("/sign-in/email/sent")
def link_sent(request: Request):
    return render(request, "residents/sign_in_sent.html", {"minutes": resident_accounts.LINK_MINUTES})


def _link_page(request, opened, token, next_url, **form):
    form["values"] = form.get("values") or {"language": DEFAULT_LANGUAGE}
    return render_form(
        request,
        "residents/sign_in_link.html",
        {
            "opened": opened,
            "token": token,
            "next": _resident_next(next_url),
            "languages": list(LANGUAGES.items()),
        },
        **form,
    )


@router.get("/sign-in/email/{token}")
def link_page(request: Request, db: DbSession, token: str, next: Next = ""):
    """A page with a button, not a sign-in: link checkers in mail systems open links without a person."""
    return _link_page(request, resident_accounts.open_link(db, token), token, next)


@router.post("/sign-in/email/{token}")
def use_link(
    request: Request,
    db: DbSession,
    token: str,
    display_name: Annotated[str, Form(max_length=400)] = "",
    language: Annotated[str, Form(max_length=10)] = DEFAULT_LANGUAGE,
    next: Annotated[str, Form(max_length=2000)] = "",
):
    try:
        user = resident_accounts.use_link(
            db,
            token,
            display_name=display_name,
            language=language,
            limiter=request.app.state.rate_limiter,
            connection=_connection(request),
        )
    except InvalidInput as error:
        return _link_page(
            request,
            resident_accounts.open_link(db, token),
            token,
            next,
            errors=error.errors,
            values={"display_name": display_name, "language": language},
            status_code=422,
        )
    old_token = request.cookies.get(SESSION_COOKIE)
    if old_token:
        accounts.end_session(db, old_token)
    response = RedirectResponse(_resident_next(next), status_code=303)
    set_session_cookie(request, response, accounts.start_session(db, user), language=user.language)
    return response


# My Chorus -------------------------------------------------------------------------------------------


@router.get("/my-chorus")
def my_chorus(request: Request, db: DbSession, user: Resident):
    return _my_chorus_page(request, db, user, saved=request.query_params.get("saved"))


def _my_chorus_page(request, db, user, *, saved, **form):
    return render_form(
        request,
        "residents/my_chorus.html",
        {
            "holdings": subject_access.own_holdings(db, user),
            "follows": residents.follows(db, user),
            "languages": list(LANGUAGES.items()),
            "saved": saved,
        },
        **form,
    )


@router.post("/my-chorus/language")
def change_language(
    request: Request, db: DbSession, user: Resident, language: Annotated[str, Form(max_length=10)] = ""
):
    try:
        resident_accounts.set_language(db, user, language)
    except InvalidInput as error:
        return _my_chorus_page(request, db, user, saved=None, errors=error.errors, status_code=422)
    return RedirectResponse("/my-chorus?saved=language", status_code=303)


@router.get("/my-chorus/data")
def my_data_page(request: Request, db: DbSession, user: Resident):
    return render(
        request,
        "residents/my_data.html",
        {"holdings": subject_access.own_holdings(db, user), "titles": subject_access.SECTION_TITLES},
    )


@router.get("/my-chorus/data.json")
def my_data_json(request: Request, db: DbSession, user: Resident):
    data = subject_access.own_holdings(db, user).as_json()
    return Response(
        json.dumps(data, indent=2, ensure_ascii=False),
        media_type="application/json",
        headers=download_headers("my-chorus-data.json"),
    )


@router.get("/my-chorus/delete")
def delete_page(request: Request, user: Resident):
    return render_form(request, "residents/delete.html")


@router.post("/my-chorus/delete")
def delete_account(
    request: Request, db: DbSession, user: Resident, confirm: Annotated[str, Form(max_length=10)] = ""
):
    if confirm != "yes":
        errors = {"confirm": _("Tick the box to confirm that you want to delete your account")}
        return render_form(request, "residents/delete.html", errors=errors)
    subject_access.erase_own(db, user)
    response = RedirectResponse("/my-chorus/deleted", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


@router.get("/my-chorus/deleted")
def deleted(request: Request):
    return render(request, "residents/deleted.html", {})


# Following -------------------------------------------------------------------------------------------

Action = Annotated[str, Form(max_length=10)]


def _follow_page(request: Request, user, kind: str, thing, path: str):
    """Anyone may open it from the (cached, public) page: not signed in, it asks for the emailed link."""
    if user is None:
        return RedirectResponse(f"/sign-in/email?next={quote(path)}", status_code=303)
    resident_accounts.require_resident(user)
    return render(
        request,
        "residents/follow.html",
        {
            "kind": kind,
            "title_of_thing": thing.title,
            "back": path.removesuffix("/follow"),
            "action": path,
            "language": LANGUAGES.get(user.language, user.language),
        },
    )


@router.get("/consultations/{consultation_id}/follow")
def follow_consultation_page(request: Request, db: DbSession, user: CurrentUser, consultation_id: int):
    consultation = consultations.public_consultation(db, consultation_id)
    return _follow_page(
        request, user, "consultation", consultation, f"/consultations/{consultation.id}/follow"
    )


@router.get("/petitions/{petition_id}/follow")
def follow_petition_page(request: Request, db: DbSession, user: CurrentUser, petition_id: int):
    petition = petitions.get_visible(db, petition_id)
    return _follow_page(request, user, "petition", petition, f"/petitions/{petition.id}/follow")


@router.post("/consultations/{consultation_id}/follow")
def follow_consultation(
    request: Request, db: DbSession, user: Resident, consultation_id: int, action: Action = "follow"
):
    if action == "unfollow":
        residents.unfollow_consultation(db, user, consultation_id)
        return RedirectResponse("/my-chorus?saved=unfollowed", status_code=303)
    consultation = residents.follow_consultation(db, user, consultation_id)
    return _followed(request, user, "consultation", consultation.title, f"/consultations/{consultation.id}")


@router.post("/petitions/{petition_id}/follow")
def follow_petition(
    request: Request, db: DbSession, user: Resident, petition_id: int, action: Action = "follow"
):
    if action == "unfollow":
        residents.unfollow_petition(db, user, petition_id)
        return RedirectResponse("/my-chorus?saved=unfollowed", status_code=303)
    petition = residents.follow_petition(db, user, petition_id)
    return _followed(request, user, "petition", petition.title, f"/petitions/{petition.id}")


def _followed(request: Request, user, kind: str, title: str, back: str):
    return render(
        request,
        "residents/followed.html",
        {"kind": kind, "title": title, "back": back, "language": LANGUAGES.get(user.language, user.language)},
    )
