"""The accessibility statement and the privacy notice (public), and the admin's form to edit them."""

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse

from app.auth import Admin, CurrentUser, DbSession
from app.errors import InvalidInput
from app.services import site_pages
from app.templating import render, render_form

router = APIRouter()


@router.get("/accessibility")
def accessibility(request: Request, db: DbSession, user: CurrentUser):
    return render(request, "site_pages/page.html",
                  {"page": site_pages.page(db, "accessibility", request.app.state.settings)})


@router.get("/privacy")
def privacy(request: Request, db: DbSession, user: CurrentUser):
    return render(request, "site_pages/page.html",
                  {"page": site_pages.page(db, "privacy", request.app.state.settings)})


def _edit_page(request, db, slug, **form):
    page = site_pages.page(db, slug, request.app.state.settings)
    return render_form(request, "site_pages/edit.html", {
        "page": page}, **{**form, "values": form.get("values") or {"body": page.body}})


Body = Annotated[str, Form(max_length=100_000)]
Action = Annotated[str, Form(max_length=10)]


@router.get("/admin/pages/accessibility")
def edit_accessibility(request: Request, db: DbSession, admin: Admin):
    return _edit_page(request, db, "accessibility")


@router.get("/admin/pages/privacy")
def edit_privacy(request: Request, db: DbSession, admin: Admin):
    return _edit_page(request, db, "privacy")


@router.post("/admin/pages/accessibility")
def save_accessibility(request: Request, db: DbSession, admin: Admin, body: Body = "",
                       action: Action = "save"):
    return _save(request, db, admin, "accessibility", body, action)


@router.post("/admin/pages/privacy")
def save_privacy(request: Request, db: DbSession, admin: Admin, body: Body = "", action: Action = "save"):
    return _save(request, db, admin, "privacy", body, action)


def _save(request, db, admin, slug: str, body: str, action: str):
    if action == "reset":
        site_pages.reset(db, slug, admin)
    else:
        try:
            site_pages.save(db, slug, body, admin)
        except InvalidInput as error:
            return _edit_page(request, db, slug, errors=error.errors, values={"body": body}, status_code=422)
    return RedirectResponse(f"/{slug}", status_code=303)
