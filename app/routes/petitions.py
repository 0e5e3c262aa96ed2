"""Residents' petition pages: find, start, support, sign, confirm; the live count fragment."""

import asyncio
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
from app.services.petitions_rules import RuleSet, load_rules
from app.services.petitions_signing import (
    ConfirmOutcome,
    PetitionRef,
    check_petition_text,
    clean_signer,
    confirm_signature,
    find_unconfirmed,
    screen,
    sign,
    start_petition,
)
from app.templating import render

router = APIRouter(prefix="/petitions", include_in_schema=False)

STARTS_PER_ADDRESS = "5/hour"
SIGN_LIMIT_ANCHOR = "sign-limit"  # the form's note on the per-address limit, where its error links
COUNT_POLL_SECONDS = 5
SIGNING_SLOTS = 8  # per process; below the connection pool's 10


def caches(request: Request) -> PetitionCaches:
    """Per-process caches for counts, settings and rules (a few seconds old at most; app.caching)."""
    return request.app.state.petition_caches


def _rules(request: Request, db) -> RuleSet:
    return caches(request).settings.get("rules", lambda: load_rules(db))


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
            "start_limit": _limit_words(STARTS_PER_ADDRESS, "petitions"),
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


@router.post("")
def create_petition(
    request: Request,
    db: DbSession,
    user: CurrentUser,
    title: Annotated[str, Form(max_length=400)] = "",
    action_text: Annotated[str, Form(max_length=4000)] = "",
    background: Annotated[str, Form(max_length=12000)] = "",
    review_id: Annotated[str, Form(max_length=20)] = "",
    name: Annotated[str, Form(max_length=400)] = "",
    email: Annotated[str, Form(max_length=400)] = "",
    location: Annotated[str, Form(max_length=400)] = "",
    consent: Annotated[str, Form(max_length=10)] = "",
    notify: Annotated[str, Form(max_length=10)] = "",
):
    values = {
        "title": title,
        "action_text": action_text,
        "background": background,
        "review_id": review_id,
        "name": name,
        "email": email,
        "location": location,
        "consent": consent,
        "notify": notify,
    }
    # The input guard leaves NUL bytes to this form, which says so and keeps the text (input_guard.py).
    errors: dict[str, str] = nul_errors(values)
    values = without_nul(values)
    try:
        title, action_text, background = check_petition_text(
            title=title, action=action_text, background=background
        )
    except InvalidInput as error:
        errors.update(error.errors)
    try:
        signer = clean_signer(
            name=name, email=email, location=location, consent=bool(consent), notify=bool(notify)
        )
    except InvalidInput as error:
        errors.update(error.errors)
    linked_review = int(review_id) if review_id.isdigit() else None
    if linked_review is not None and linked_review not in {r.id for r in reviews.list_reviews(db)}:
        errors["review_id"] = "Choose a service from the list, or none"
    if errors:
        return _start_page(request, db, errors=errors, values=values, status_code=422)
    ip = _ip(request)
    if ip and not request.app.state.rate_limiter.allow("petition-start", STARTS_PER_ADDRESS, ip):
        message = ("Several petitions have been started from your connection in the last hour. Try again "
                   "later: what you typed is kept on this page.")
        return _start_page(request, db, errors={"start-limit": message}, values=values, status_code=429)
    start_petition(
        db,
        title=title,
        action=action_text,
        background=background,
        signer=signer,
        ip=ip,
        settings=petitions.cached_settings(db, caches(request)),
        base_url=_base_url(request),
        review_id=linked_review,
    )
    return RedirectResponse("/petitions/check-email?started=1", status_code=303)


@router.get("/check-email")
def check_email(request: Request, user: CurrentUser, started: Annotated[str, Query(max_length=2)] = ""):
    return render(request, "petitions/check_email.html", {"petition": None, "started": bool(started)})


@router.get("/{petition_id:int}")
def show_petition(request: Request, db: DbSession, user: CurrentUser, petition_id: int):
    return _petition_page(request, db, petition_id)


def _limit_words(limit: str, noun: str = "") -> str:
    """'10/minute' -> '10 signatures a minute' (noun 'signatures'); '30/5 minutes' -> '30 in 5 minutes'."""
    count, _, per = limit.partition("/")
    count, per = count.strip(), per.strip()
    counted = f"{count} {noun}" if noun else count
    if per[:1].isdigit():
        return f"{counted} in {per}"
    return f"{counted} {'an' if per[:1] in 'aeiouh' else 'a'} {per}"


def _sign_limit_words(settings_row) -> str:
    """The per-address limit in words, for the note on every signing form."""
    return (f"{_limit_words(settings_row.signing_limit_per_address_short, 'signatures')} and "
            f"{_limit_words(settings_row.signing_limit_per_address_long)}")


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
            "sign_limit": _sign_limit_words(petitions.cached_settings(db, caches(request))),
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


def _sign_apart(request: Request, petition_id: int, signer, support_token: str | None) -> None:
    """In a worker thread: screen (rate limits, block lists), then one short write transaction.

    Settings, rules and the petition's state come from per-process caches a few seconds old;
    the INSERT itself checks that the petition is still signable, so the cache cannot let a
    signature into a closed petition. Only a repeat signer or a stale cache costs more queries.
    """
    database = request.app.state.database
    cache = caches(request)
    settings_row = cache.settings.get("settings", lambda: _read(database, petitions.current_settings))
    rules = cache.settings.get("rules", lambda: _read(database, load_rules))
    ip = _ip(request)
    key = ("support", support_token) if support_token else ("petition", petition_id)
    target = cache.settings.get(key, lambda: _read(database, lambda db: _signable_ref(db, key)))
    limiter = request.app.state.rate_limiter
    if not screen(target.id, signer, ip=ip, settings=settings_row, rules=rules, limiter=limiter):
        return  # dropped: answered like any other signature
    with database.write_transaction() as db:
        sign(
            db,
            target,
            signer,
            ip=ip,
            settings=settings_row,
            rules=RuleSet(),
            limiter=None,
            base_url=_base_url(request),
        )


def _read(database, load):
    with database.transaction(write=False) as db:
        return load(db)


def _signable_ref(db, key) -> PetitionRef:
    """The petition a signature is for, if the signer may see it (NotFound, never cached, if not)."""
    kind, value = key
    if kind == "support":
        found = petitions.get_by_support_token(db, value)
    else:
        found = petitions.get_visible(db, value)
    return PetitionRef(found.id, found.title, found.state)


def _signing_slots(request: Request) -> asyncio.Semaphore:
    """Signatures written at once per process: fewer than the connection pool, so none waits."""
    state = request.app.state
    if not hasattr(state, "petition_signing_slots"):
        state.petition_signing_slots = asyncio.Semaphore(SIGNING_SLOTS)
    return state.petition_signing_slots


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
        async with _signing_slots(request):
            await run_in_threadpool(_sign_apart, request, petition_id, signer, support_token)
    except RateLimited as limited:
        minutes = max(1, -(-limited.retry_after_seconds // 60))
        message = (f"Several signatures have just been sent from your connection. Wait {minutes} "
                   f"minute{'' if minutes == 1 else 's'}, then press the button again: what you typed "
                   f"is kept.")
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
            "sign_limit": _sign_limit_words(settings_row),
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
            "public": petition is not None
            and petition.state
            not in (
                PetitionState.PENDING,
                PetitionState.VALIDATED,
                PetitionState.SPONSORED,
                PetitionState.HIDDEN,
            ),
            "support_url": f"/petitions/support/{petition.support_token}" if petition is not None else "",
        },
        status_code=status,
    )
