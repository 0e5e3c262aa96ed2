"""Residents' petition pages: find, start, support, sign, confirm; the live count fragment."""

from functools import partial
from typing import Annotated

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import RedirectResponse
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool

from app.auth import CurrentUser, DbSession, current_user_or_none
from app.caching import PetitionCaches
from app.db import read_in_thread
from app.errors import InvalidInput, RateLimited
from app.i18n import _
from app.input_guard import without_nul
from app.models.petition import PUBLIC_STATUS_LABELS, REJECTION_LABELS, SIGNABLE
from app.services import petitions, reviews
from app.services.petitions import signing, starting
from app.services.petitions.quick_signing import (
    Refusal,
    limit_in_words,
    sign_or_refuse,
    signer_from_form,
    signing_limit_in_words,
)
from app.templating import render, render_form

router = APIRouter(prefix="/petitions", include_in_schema=False)

COUNT_POLL_SECONDS = 5
CONFIRM_STATUS = {signing.ConfirmOutcome.UNKNOWN: 404, signing.ConfirmOutcome.EXPIRED: 410}


def caches(request: Request) -> PetitionCaches:
    """Per-process caches for counts, settings and rules (a few seconds old at most; app.caching)."""
    return request.app.state.petition_caches


def _where(request: Request) -> dict:
    """The sender's address (for rate limits and rules) and the site's address (for emailed links)."""
    return {
        "ip": request.client.host if request.client else None,
        "base_url": request.app.state.settings.base_url,
    }


@router.get("")
def list_petitions(
    request: Request,
    db: DbSession,
    user: CurrentUser,
    status: Annotated[str, Query(max_length=40)] = "open",
    q: Annotated[str, Query(max_length=200)] = "",
):
    status = status if status in petitions.FILTERS else ""
    found = petitions.search(db, status=status, words=q)
    counts = petitions.cached_counts(db, [p.id for p in found], caches(request))
    context = {"petitions": found, "counts": counts, "status": status, "q": q}
    context |= {"filters": petitions.FILTERS, "labels": PUBLIC_STATUS_LABELS}
    return render(request, "petitions/list.html", context, fragment="petitions/_results.html")


def _start_page(request, db, **form):
    settings_row = petitions.cached_settings(db, caches(request))
    context = {"reviews": reviews.list_reviews(db), "settings_row": settings_row}
    context["start_limit"] = limit_in_words(starting.STARTS_PER_ADDRESS, "petitions")
    return render_form(request, "petitions/new.html", context, **form)


@router.get("/new")
def new_petition(
    request: Request,
    db: DbSession,
    user: CurrentUser,
    title: Annotated[str, Query(max_length=400)] = "",
    checked: Annotated[str, Query(max_length=2)] = "",
):
    """First what the petition asks, then similar open petitions (as UK Parliament petitions do),
    then the whole form with that title filled in."""
    title = title.strip()
    if not title:
        errors = ({"title": _("Enter what you want the council to do")}
                  if "title" in request.query_params else {})
        return render_form(request, "petitions/new_title.html", errors=errors)
    similar = [] if checked else petitions.similar_open(db, title)
    if similar:
        counts = petitions.cached_counts(db, [p.id for p in similar], caches(request))
        context = {"asked": title, "similar": similar, "counts": counts}
        return render(request, "petitions/similar.html", context)
    return _start_page(request, db, values={"title": title})


class SignatureForm(BaseModel):
    """What a signer sends, on the petition page and through a supporter link alike."""

    name: str = Field("", max_length=400)
    email: str = Field("", max_length=400)
    location: str = Field("", max_length=400)
    consent: str = Field("", max_length=10)
    notify: str = Field("", max_length=10)


class StartForm(SignatureForm):
    """What a resident sends to start a petition: what it asks, and the starter as its first signer."""

    title: str = Field("", max_length=400)
    action_text: str = Field("", max_length=4000)
    background: str = Field("", max_length=12000)
    review_id: str = Field("", max_length=20)


@router.post("")
def create_petition(request: Request, db: DbSession, user: CurrentUser, form: Annotated[StartForm, Form()]):
    settings_row, values = petitions.cached_settings(db, caches(request)), without_nul(form.model_dump())
    review_ids, limiter = {r.id for r in reviews.list_reviews(db)}, request.app.state.rate_limiter
    try:
        starting.start_from_form(
            db,
            form.model_dump(),
            review_ids=review_ids,
            limiter=limiter,
            settings=settings_row,
            **_where(request),
        )
    except InvalidInput as error:
        return _start_page(request, db, errors=error.errors, values=values)
    except RateLimited as limited:
        errors = {starting.START_LIMIT_FIELD: limited.message}
        return _start_page(request, db, errors=errors, values=values, status_code=429)
    return RedirectResponse("/petitions/check-email?started=1", status_code=303)


@router.get("/check-email")
def check_email(request: Request, user: CurrentUser, started: Annotated[str, Query(max_length=2)] = ""):
    return render(request, "petitions/check_email.html", {"petition": None, "started": bool(started)})


def _count_context(request, db, petition) -> dict:
    settings_row = petitions.cached_settings(db, caches(request))
    count = petitions.cached_count(db, petition.id, caches(request))
    return dict(petition=petition, count=count, settings_row=settings_row, poll_seconds=COUNT_POLL_SECONDS)


@router.get("/{petition_id:int}")
def show_petition(request: Request, db: DbSession, user: CurrentUser, petition_id: int):
    return _petition_page(request, db, petition_id)


def _petition_page(request, db, petition_id, **form):
    petition = petitions.get_visible(db, petition_id)
    context = _count_context(request, db, petition) | dict(
        labels=PUBLIC_STATUS_LABELS, rejections=REJECTION_LABELS
    )
    context |= dict(signable=petition.is_open, action_url=f"/petitions/{petition.id}/signatures")
    context["sign_limit"] = signing_limit_in_words(context["settings_row"])
    return render_form(request, "petitions/show.html", context, **form)


@router.get("/{petition_id:int}/count")
def petition_count(request: Request, db: DbSession, user: CurrentUser, petition_id: int):
    context = _count_context(request, db, petitions.get_visible(db, petition_id))
    return render(request, "petitions/count.html", context, fragment="petitions/_count.html")


async def _sign(request: Request, form: SignatureForm, page, *, petition_id=0, token=None, done: str):
    """One hop to a worker thread for the signature (the threadpool hand-offs of sync dependencies
    cost more than the INSERT itself under load), at most petition_signing_slots at once per process;
    the form comes back, with what was typed, only when something is wrong."""
    values, state = form.model_dump(), request.app.state
    refusal = signer = signer_from_form(values)  # no database: before taking a slot
    if not isinstance(signer, Refusal):
        sign = partial(sign_or_refuse, state.database, caches(request), state.rate_limiter, **_where(request))
        async with state.petition_signing_slots:
            refusal = await run_in_threadpool(sign, signer, petition_id=petition_id, support_token=token)
    if refusal is None:
        return RedirectResponse(done, status_code=303)

    def page_again(db):
        current_user_or_none(request, db)  # the page still shows who is signed in
        key = petition_id if token is None else token
        return page(request, db, key, errors=refusal.errors, values=values, status_code=refusal.status_code)

    answer = await read_in_thread(request, page_again)
    if refusal.retry_after_seconds is not None:
        answer.headers["Retry-After"] = str(refusal.retry_after_seconds)
    return answer


@router.post("/{petition_id:int}/signatures")
async def sign_petition(request: Request, petition_id: int, form: Annotated[SignatureForm, Form()]):
    """Signed, already signed or dropped by a block rule: all answered the same (no enumeration)."""
    done = f"/petitions/{petition_id}/signed"
    return await _sign(request, form, _petition_page, petition_id=petition_id, done=done)


@router.get("/{petition_id:int}/signed")
def signed(request: Request, db: DbSession, user: CurrentUser, petition_id: int):
    petition = petitions.get_visible(db, petition_id)
    return render(request, "petitions/check_email.html", {"petition": petition, "started": False})


def _support_page(request, db, token, **form):
    petition = petitions.get_by_support_token(db, token)
    settings_row = petitions.cached_settings(db, caches(request))
    context = {"petition": petition, "settings_row": settings_row, "signable": petition.state in SIGNABLE}
    context |= dict(
        supporters_needed=settings_row.supporters_needed, action_url=f"/petitions/support/{token}"
    )
    context["sign_limit"] = signing_limit_in_words(settings_row)
    return render_form(request, "petitions/support.html", context, **form)


@router.get("/support/{token}")
def support(request: Request, db: DbSession, user: CurrentUser, token: str):
    return _support_page(request, db, token)


@router.post("/support/{token}")
async def support_sign(request: Request, token: str, form: Annotated[SignatureForm, Form()]):
    return await _sign(request, form, _support_page, token=token, done="/petitions/check-email")


@router.get("/signatures/{token}")
def confirm_page(request: Request, db: DbSession, user: CurrentUser, token: str):
    """Links are opened by mail scanners too: the GET only shows a button; the POST counts."""
    found = signing.find_unconfirmed(db, token)
    pending = found.outcome == signing.ConfirmOutcome.CONFIRMED
    return _confirmation_page(request, found, token, pending=pending)


@router.post("/signatures/{token}")
def confirm(request: Request, db: DbSession, user: CurrentUser, token: str):
    result = signing.confirm_signature(db, token, base_url=request.app.state.settings.base_url)
    return _confirmation_page(request, result, token, pending=False)


def _confirmation_page(request, result, token, *, pending):
    petition = result.petition
    context = {"result": result, "outcome": result.outcome.value, "pending": pending, "token": token}
    context |= {"petition": petition, "public": petition is not None and petition.is_public}
    context["support_url"] = f"/petitions/support/{petition.support_token}" if petition is not None else ""
    return render(
        request, "petitions/confirm.html", context, status_code=CONFIRM_STATUS.get(result.outcome, 200)
    )
