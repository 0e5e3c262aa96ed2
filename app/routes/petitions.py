"""Residents' petition pages: find, start, support, sign, confirm; the live count fragment."""

from typing import Annotated

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import RedirectResponse
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool

from app.auth import CurrentUser, DbSession, current_user_or_none
from app.caching import PetitionCaches
from app.errors import InvalidInput, RateLimited
from app.input_guard import nul_errors, without_nul
from app.models.petition import PUBLIC_STATUS_LABELS, REJECTION_LABELS, SIGNABLE, PetitionState
from app.services import petitions, reviews
from app.services.petitions.quick_signing import (
    burst_message,
    limit_in_words,
    sign_through_caches,
    signing_limit_in_words,
)
from app.services.petitions.signing import (
    ConfirmOutcome,
    check_new_petition,
    clean_signer,
    confirm_signature,
    find_unconfirmed,
    start_petition,
)
from app.templating import render

router = APIRouter(prefix="/petitions", include_in_schema=False)

STARTS_PER_ADDRESS = "5/hour"
SIGN_LIMIT_ANCHOR = "sign-limit"  # the form's note on the per-address limit, where its error links
COUNT_POLL_SECONDS = 5


def caches(request: Request) -> PetitionCaches:
    """Per-process caches for counts, settings and rules (a few seconds old at most; app.caching)."""
    return request.app.state.petition_caches


def _ip(request: Request) -> str | None:
    return request.client.host if request.client else None


def _base_url(request: Request) -> str:
    return request.app.state.settings.base_url


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
    return render(
        request,
        "petitions/list.html",
        {
            "petitions": found,
            "counts": petitions.cached_counts(db, [p.id for p in found], caches(request)),
            "status": status,
            "q": q,
            "filters": petitions.FILTERS,
            "labels": PUBLIC_STATUS_LABELS,
        },
        fragment="petitions/_results.html",
    )


def _start_page(request, db, *, errors=None, values=None, status_code=200):
    return render(
        request,
        "petitions/new.html",
        {
            "errors": errors or {},
            "values": values or {},
            "reviews": reviews.list_reviews(db),
            "settings_row": petitions.cached_settings(db, caches(request)),
            "start_limit": limit_in_words(STARTS_PER_ADDRESS, "petitions"),
        },
        status_code=status_code,
    )


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
        errors = {"title": "Enter what you want the council to do"} if "title" in request.query_params else {}
        return render(request, "petitions/new_title.html", {"errors": errors, "values": {}},
                      status_code=422 if errors else 200)
    if not checked:
        similar = petitions.similar_open(db, title)
        if similar:
            return render(request, "petitions/similar.html", {
                "asked": title, "similar": similar,
                "counts": petitions.cached_counts(db, [p.id for p in similar], caches(request))})
    return _start_page(request, db, values={"title": title})


class StartForm(BaseModel):
    """What a resident sends to start a petition."""

    title: str = Field("", max_length=400)
    action_text: str = Field("", max_length=4000)
    background: str = Field("", max_length=12000)
    review_id: str = Field("", max_length=20)
    name: str = Field("", max_length=400)
    email: str = Field("", max_length=400)
    location: str = Field("", max_length=400)
    consent: str = Field("", max_length=10)
    notify: str = Field("", max_length=10)


@router.post("")
def create_petition(request: Request, db: DbSession, user: CurrentUser, form: Annotated[StartForm, Form()]):
    # The input guard leaves NUL bytes to this form, which says so and keeps the text (input_guard.py).
    errors: dict[str, str] = nul_errors(form.model_dump())
    values = without_nul(form.model_dump())
    try:
        new = check_new_petition(values, {r.id for r in reviews.list_reviews(db)})
    except InvalidInput as error:
        errors.update(error.errors)
    if errors:
        return _start_page(request, db, errors=errors, values=values, status_code=422)
    ip = _ip(request)
    if ip and not request.app.state.rate_limiter.allow("petition-start", STARTS_PER_ADDRESS, ip):
        message = ("Several petitions have been started from your connection in the last hour. Try again "
                   "later: what you typed is kept on this page.")
        return _start_page(request, db, errors={"start-limit": message}, values=values, status_code=429)
    settings_row = petitions.cached_settings(db, caches(request))
    start_petition(db, title=new.title, action=new.action, background=new.background, signer=new.signer,
                   ip=ip, settings=settings_row, base_url=_base_url(request), review_id=new.review_id)
    return RedirectResponse("/petitions/check-email?started=1", status_code=303)


@router.get("/check-email")
def check_email(request: Request, user: CurrentUser, started: Annotated[str, Query(max_length=2)] = ""):
    return render(request, "petitions/check_email.html", {"petition": None, "started": bool(started)})


@router.get("/{petition_id:int}")
def show_petition(request: Request, db: DbSession, user: CurrentUser, petition_id: int):
    return _petition_page(request, db, petition_id)


def _petition_page(request, db, petition_id, *, errors=None, values=None, status_code=200):
    petition = petitions.get_visible(db, petition_id)
    return render(
        request,
        "petitions/show.html",
        {
            "petition": petition,
            "count": petitions.cached_count(db, petition.id, caches(request)),
            "settings_row": petitions.cached_settings(db, caches(request)),
            "labels": PUBLIC_STATUS_LABELS,
            "rejections": REJECTION_LABELS,
            "signable": petition.state == PetitionState.OPEN,
            "poll_seconds": COUNT_POLL_SECONDS,
            "errors": errors or {},
            "values": values or {},
            "action_url": f"/petitions/{petition.id}/signatures",
            "sign_limit": signing_limit_in_words(petitions.cached_settings(db, caches(request))),
        },
        status_code=status_code,
    )


@router.get("/{petition_id:int}/count")
def petition_count(request: Request, db: DbSession, user: CurrentUser, petition_id: int):
    petition = petitions.get_visible(db, petition_id)
    return render(
        request,
        "petitions/count.html",
        {
            "petition": petition,
            "count": petitions.cached_count(db, petition.id, caches(request)),
            "settings_row": petitions.cached_settings(db, caches(request)),
            "poll_seconds": COUNT_POLL_SECONDS,
        },
        fragment="petitions/_count.html",
    )


async def _sign(request, petition_id, support_token, form_values, on_error):
    """Signed, already signed or dropped by a block rule: all answered the same (no enumeration).

    An async handler with one hop to a worker thread for the database, instead of one hop per
    dependency: the threadpool hand-offs cost more than the INSERT itself under load. A burst of
    signatures from one address (a household, a library PC, a mobile network) gets the form back
    with what was typed and the wait explained, never a bare error page.
    """
    try:
        signer = clean_signer(
            name=form_values["name"],
            email=form_values["email"],
            location=form_values["location"],
            consent=bool(form_values["consent"]),
            notify=bool(form_values["notify"]),
        )
    except InvalidInput as error:
        return await run_in_threadpool(on_error, error.errors)
    try:
        async with request.app.state.petition_signing_slots:
            await run_in_threadpool(
                sign_through_caches, request.app.state.database, caches(request),
                request.app.state.rate_limiter, petition_id=petition_id, support_token=support_token,
                signer=signer, ip=_ip(request), base_url=_base_url(request))
    except RateLimited as limited:
        message = burst_message(limited.retry_after_seconds)
        answer = await run_in_threadpool(on_error, {SIGN_LIMIT_ANCHOR: message}, 429)
        answer.headers["Retry-After"] = str(limited.retry_after_seconds)
        return answer
    return None


class SignatureForm(BaseModel):
    """What a signer sends, on the petition page and through a supporter link alike."""

    name: str = Field("", max_length=400)
    email: str = Field("", max_length=400)
    location: str = Field("", max_length=400)
    consent: str = Field("", max_length=10)
    notify: str = Field("", max_length=10)


def _with_user(request, db) -> None:
    """Error pages from the async handlers still show who is signed in."""
    current_user_or_none(request, db)


@router.post("/{petition_id:int}/signatures")
async def sign_petition(
    request: Request,
    petition_id: int,
    form: Annotated[SignatureForm, Form()],
):
    values = form.model_dump()

    def page_with_errors(errors, status_code=422):
        with request.app.state.database.transaction(write=False) as db:
            _with_user(request, db)
            return _petition_page(request, db, petition_id, errors=errors, values=values,
                                  status_code=status_code)

    answer = await _sign(request, petition_id, None, values, page_with_errors)
    return answer or RedirectResponse(f"/petitions/{petition_id}/signed", status_code=303)


@router.get("/{petition_id:int}/signed")
def signed(request: Request, db: DbSession, user: CurrentUser, petition_id: int):
    petition = petitions.get_visible(db, petition_id)
    return render(request, "petitions/check_email.html", {"petition": petition, "started": False})


def _support_page(request, db, token, *, errors=None, values=None, status_code=200):
    petition = petitions.get_by_support_token(db, token)
    settings_row = petitions.cached_settings(db, caches(request))
    return render(
        request,
        "petitions/support.html",
        {
            "petition": petition,
            "errors": errors or {},
            "values": values or {},
            "supporters_needed": settings_row.supporters_needed,
            "settings_row": settings_row,
            "signable": petition.state in SIGNABLE,
            "action_url": f"/petitions/support/{token}",
            "sign_limit": signing_limit_in_words(settings_row),
        },
        status_code=status_code,
    )


@router.get("/support/{token}")
def support(request: Request, db: DbSession, user: CurrentUser, token: str):
    return _support_page(request, db, token)


@router.post("/support/{token}")
async def support_sign(
    request: Request,
    token: str,
    form: Annotated[SignatureForm, Form()],
):
    values = form.model_dump()

    def page_with_errors(errors, status_code=422):
        with request.app.state.database.transaction(write=False) as db:
            _with_user(request, db)
            return _support_page(request, db, token, errors=errors, values=values, status_code=status_code)

    answer = await _sign(request, 0, token, values, page_with_errors)
    return answer or RedirectResponse("/petitions/check-email", status_code=303)


@router.get("/signatures/{token}")
def confirm_page(request: Request, db: DbSession, user: CurrentUser, token: str):
    """Links are opened by mail scanners too: the GET only shows a button; the POST counts."""
    found = find_unconfirmed(db, token)
    return _confirmation_page(request, found, token, pending=found.outcome == ConfirmOutcome.CONFIRMED)


@router.post("/signatures/{token}")
def confirm(request: Request, db: DbSession, user: CurrentUser, token: str):
    result = confirm_signature(db, token, base_url=_base_url(request))
    return _confirmation_page(request, result, token, pending=False)


def _confirmation_page(request, result, token, *, pending):
    status = {ConfirmOutcome.UNKNOWN: 404, ConfirmOutcome.EXPIRED: 410}.get(result.outcome, 200)
    petition = result.petition
    return render(
        request,
        "petitions/confirm.html",
        {
            "result": result,
            "outcome": result.outcome.value,
            "pending": pending,
            "token": token,
            "petition": petition,
            "public": petition is not None and petition.is_public,
            "support_url": f"/petitions/support/{petition.support_token}" if petition is not None else "",
        },
        status_code=status,
    )
