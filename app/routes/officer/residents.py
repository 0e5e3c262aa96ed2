"""Moderators' page for residents' accounts (issue 27): find one, suspend it with a reason, restore it.
Officers and admins only; every change audited (services/accounts/residents.py)."""

from typing import Annotated

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import RedirectResponse

from app.auth import DbSession, Staff
from app.errors import InvalidInput
from app.services.accounts import residents as resident_accounts
from app.templating import render_form

router = APIRouter(prefix="/officer/residents")


def _page(request, db, user, *, q="", **form):
    return render_form(
        request,
        "officer/residents.html",
        {
            "residents": resident_accounts.residents(db, user, q),
            "q": q,
            "done": request.query_params.get("done"),
        },
        **form,
    )


@router.get("")
def page(request: Request, db: DbSession, user: Staff, q: Annotated[str, Query(max_length=320)] = ""):
    return _page(request, db, user, q=q)


@router.post("/{user_id}/suspend")
def suspend(
    request: Request,
    db: DbSession,
    user: Staff,
    user_id: int,
    reason: Annotated[str, Form(max_length=2000)] = "",
):
    resident = resident_accounts.get_resident(db, user, user_id)
    try:
        resident_accounts.suspend(db, resident, moderator=user, reason=reason)
    except InvalidInput as error:
        errors = {f"reason-{resident.id}": error.errors["reason"]}
        return _page(
            request, db, user, errors=errors, values={f"reason-{resident.id}": reason}, status_code=422
        )
    return RedirectResponse("/officer/residents?done=suspended", status_code=303)


@router.post("/{user_id}/restore")
def restore(request: Request, db: DbSession, user: Staff, user_id: int):
    resident = resident_accounts.get_resident(db, user, user_id)
    resident_accounts.restore(db, resident, moderator=user)
    return RedirectResponse("/officer/residents?done=restored", status_code=303)
