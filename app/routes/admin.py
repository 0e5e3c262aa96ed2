"""Admin pages: invite staff and organisers, create organisations."""

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse

from app.auth import Admin, DbSession
from app.errors import InvalidInput
from app.i18n import _
from app.models.base import LANGUAGES
from app.models.organisation import ORGANISATION_TYPE_LABELS, OrganisationType
from app.models.user import Role
from app.services import accounts
from app.services.accounts import staff as staff_accounts
from app.services.email import queue_email
from app.templating import render_form

router = APIRouter(prefix="/admin")


def _users_page(request, db, *, invited=None, **form):
    return render_form(request, "admin/users.html", {
        "users": accounts.list_users(db),
        "organisations": accounts.list_organisations(db),
        "roles": [role for role in Role if role != Role.RESIDENT], "languages": LANGUAGES, "invited": invited,
        "role_labels": accounts.ROLE_LABELS,
    }, **form)


@router.get("/users")
def users(request: Request, db: DbSession, admin: Admin, invited: str | None = None):
    return _users_page(request, db, invited=invited)


@router.post("/users/invite")
def invite_user(
    request: Request,
    db: DbSession,
    admin: Admin,
    email: Annotated[str, Form(max_length=320)] = "",
    role: Annotated[str, Form(max_length=20)] = "",
    organisation_id: Annotated[str, Form(max_length=20)] = "",
    language: Annotated[str, Form(max_length=10)] = "en",
):
    values = {"email": email, "role": role, "organisation_id": organisation_id, "language": language}
    try:
        chosen_role = Role(role)
    except ValueError:
        return _users_page(request, db, errors={"role": _("Choose a role")}, values=values, status_code=422)
    org_id = int(organisation_id) if organisation_id.isdigit() else None
    try:
        invitation, token = accounts.invite(
            db, email=email, role=chosen_role, organisation_id=org_id, invited_by=admin, language=language
        )
    except InvalidInput as error:
        return _users_page(request, db, errors=error.errors, values=values, status_code=422)
    queue_email(db, "staff_invitation", to=invitation.email, language=invitation.language,
                inviter=admin.display_name, role=accounts.ROLE_LABELS[chosen_role],
                link=f"{request.app.state.settings.base_url}/invitations/{token}")
    return RedirectResponse(f"/admin/users?invited={invitation.email}", status_code=303)


def _organisations_page(request, db, **form):
    return render_form(request, "admin/organisations.html", {
        "organisations": accounts.list_organisations(db),
        "types": {value: _(label) for value, label in ORGANISATION_TYPE_LABELS.items()},
    }, **form)


@router.get("/organisations")
def organisations(request: Request, db: DbSession, admin: Admin):
    return _organisations_page(request, db)


@router.post("/organisations")
def create_organisation(
    request: Request,
    db: DbSession,
    admin: Admin,
    name: Annotated[str, Form(max_length=200)] = "",
    type: Annotated[str, Form(max_length=40)] = "",
    description: Annotated[str, Form(max_length=4000)] = "",
    speaks_for: Annotated[str, Form(max_length=300)] = "",
):
    values = {"name": name, "type": type, "description": description, "speaks_for": speaks_for}
    try:
        org_type = OrganisationType(type)
    except ValueError:
        return _organisations_page(request, db, errors={"type": _("Choose the type of organisation")},
                                   values=values, status_code=422)
    try:
        accounts.create_organisation(db, name=name, type=org_type, description=description,
                                     speaks_for=speaks_for, actor_id=admin.id)
    except InvalidInput as error:
        return _organisations_page(request, db, errors=error.errors, values=values, status_code=422)
    return RedirectResponse("/admin/organisations", status_code=303)


@router.post("/users/{user_id}/deactivate")
def deactivate_user(request: Request, db: DbSession, admin: Admin, user_id: int):
    try:
        staff_accounts.deactivate(db, staff_accounts.get_user(db, user_id), admin=admin)
    except InvalidInput as error:
        return _users_page(request, db, errors=error.errors, status_code=422)
    return RedirectResponse("/admin/users#accounts", status_code=303)


@router.post("/users/{user_id}/reactivate")
def reactivate_user(db: DbSession, admin: Admin, user_id: int):
    staff_accounts.reactivate(db, staff_accounts.get_user(db, user_id), admin=admin)
    return RedirectResponse("/admin/users#accounts", status_code=303)
