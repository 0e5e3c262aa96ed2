"""The data-protection officer's pages: subject access (find, readable page, JSON), erasure, and the
equalities exports only this role may download. Rules in services/subject_access.py."""

import json
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response

from app.auth import DataProtection, DbSession
from app.downloads import download_headers
from app.errors import InvalidInput
from app.i18n import _
from app.services.privacy import subject_access
from app.templating import render_form

router = APIRouter(prefix="/officer/data-protection")

Email = Annotated[str, Form(max_length=320)]


def _page(request, db, *, holdings=None, erased=None, email="", **form):
    return render_form(request, "officer/data_protection/page.html", {
        "holdings": holdings, "erased": erased, "email": email,
        "titles": subject_access.SECTION_TITLES,
        "consultations": subject_access.consultations_with_equalities(db),
    }, **form)


@router.get("")
def page(request: Request, db: DbSession, user: DataProtection):
    return _page(request, db)


@router.post("/search")
def search(request: Request, db: DbSession, user: DataProtection, email: Email = ""):
    try:
        holdings = subject_access.find(db, email, actor=user)
    except InvalidInput as error:
        return _page(request, db, errors=error.errors, email=email, status_code=422)
    return _page(request, db, holdings=holdings, email=holdings.email)


@router.post("/export")
def export(request: Request, db: DbSession, user: DataProtection, email: Email = ""):
    try:
        data = subject_access.export(db, email, actor=user)
    except InvalidInput as error:
        return _page(request, db, errors=error.errors, email=email, status_code=422)
    return Response(json.dumps(data, indent=2, ensure_ascii=False), media_type="application/json",
                    headers=download_headers("subject-access.json"))


@router.post("/erase")
def erase(request: Request, db: DbSession, user: DataProtection, email: Email = "",
          confirm: Annotated[str, Form(max_length=10)] = ""):
    if confirm != "yes":
        return _page(request, db, errors={"confirm": _("Tick the box to confirm the erasure")}, email=email,
                     holdings=None, status_code=422)
    try:
        counts = subject_access.erase(db, email, actor=user)
    except InvalidInput as error:
        return _page(request, db, errors=error.errors, email=email, status_code=422)
    return _page(request, db, erased=counts, email="")
