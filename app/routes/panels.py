"""Public citizens' panel pages: join, update or leave from the emailed link, invitation links."""

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse

from app.auth import DbSession, current_user_or_none
from app.errors import InvalidInput, RateLimited
from app.i18n import _
from app.services import panels
from app.services.panels import invitations as panels_invitations
from app.services.panels import outreach_links as panels_outreach_links
from app.services.panels import pool as panels_pool
from app.templating import render, render_form

# The header says who is signed in (a resident, or staff answering as anyone) on every page here.
router = APIRouter(prefix="/panels", dependencies=[Depends(current_user_or_none)])

JOIN_LIMIT = "10/hour"
LINK_LIMIT = "5/hour"


async def form_fields(request: Request) -> dict[str, str]:
    """The posted form as plain strings (the join form's questions are the council's own)."""
    form = await request.form()
    return {key: value for key, value in form.items() if isinstance(value, str)}


FormFields = Annotated[dict[str, str], Depends(form_fields)]


def _client(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def _limit(request: Request, rule: str, limit: str, *keys: str) -> None:
    limiter = request.app.state.rate_limiter
    if not limiter.allow(rule, limit, *keys):
        raise RateLimited(_("You have sent this form too many times. Try again in an hour."),
                          retry_after_seconds=limiter.remaining_seconds(rule, limit, *keys))


def _join_page(request, panel, form, via="", **shown):
    return render_form(request, "panels/join.html", {
        "panel": panel, "form": form, "via": via, "title": _("Join {panel}").format(panel=panel.name),
    }, **shown)


@router.get("/{panel_id}/join")
def join_page(request: Request, db: DbSession, panel_id: int, via: str = ""):
    """`via`: an organisation's outreach link (kept by the form; an unknown one is ignored)."""
    panel = panels.recruiting_panel(db, panel_id)
    return _join_page(request, panel, panels_pool.VolunteerForm(answers={}),
                      via=panels_outreach_links.clean_via(via))


@router.post("/{panel_id}/join")
def join(request: Request, db: DbSession, panel_id: int, fields: FormFields):
    panel = panels.recruiting_panel(db, panel_id)
    _limit(request, "panel-join", JOIN_LIMIT, _client(request))
    form = panels_pool.VolunteerForm.from_mapping(panel, fields)
    via = panels_outreach_links.clean_via(fields.get("via"))
    try:
        panels_outreach_links.join(db, panel, form, via=via, base_url=request.app.state.settings.base_url)
    except InvalidInput as error:
        return _join_page(request, panel, form, via=via, errors=error.errors, status_code=422)
    return RedirectResponse(f"/panels/{panel.id}/joined", status_code=303)


@router.get("/{panel_id}/joined")
def joined(request: Request, db: DbSession, panel_id: int):
    panel = panels.get_panel(db, panel_id)
    return render(request, "panels/joined.html", {"panel": panel, "title": _("Check your email")})


def _link_page(request, panel, *, email="", sent=False, **form):
    return render_form(request, "panels/new_link.html", {
        "panel": panel, "email": email, "sent": sent,
        "title": _("Get a new link to your panel details")}, **form)


@router.get("/{panel_id}/new-link")
def new_link_page(request: Request, db: DbSession, panel_id: int):
    return _link_page(request, panels.get_panel(db, panel_id))


@router.post("/{panel_id}/new-link")
def new_link(request: Request, db: DbSession, panel_id: int,
             email: Annotated[str, Form(max_length=320)] = ""):
    panel = panels.get_panel(db, panel_id)
    _limit(request, "panel-link", LINK_LIMIT, _client(request))
    try:
        panels_pool.request_manage_link(db, panel, email, base_url=request.app.state.settings.base_url)
    except InvalidInput as error:
        return _link_page(request, panel, email=email, errors=error.errors, status_code=422)
    return _link_page(request, panel, email=email, sent=True)


def _manage_page(request, panel, volunteer, token, form, *, updated=False, **shown):
    return render_form(request, "panels/manage.html", {
        "panel": panel, "volunteer": volunteer, "token": token, "form": form,
        "updated": updated, "title": _("Your citizens' panel details")}, **shown)


@router.get("/manage/{token}")
def manage_page(request: Request, db: DbSession, token: str, updated: str = ""):
    volunteer = panels_pool.volunteer_by_token(db, token)
    panel = panels.get_panel(db, volunteer.panel_id)
    return _manage_page(request, panel, volunteer, token, panels_pool.VolunteerForm.from_volunteer(volunteer),
                        updated=bool(updated))


@router.post("/manage/{token}")
def update_details(request: Request, db: DbSession, token: str, fields: FormFields):
    volunteer = panels_pool.volunteer_by_token(db, token)
    panel = panels.get_panel(db, volunteer.panel_id)
    form = panels_pool.VolunteerForm.from_mapping(panel, fields)
    try:
        panels_pool.update_volunteer(db, panel, volunteer, form)
    except InvalidInput as error:
        return _manage_page(request, panel, volunteer, token, form, errors=error.errors, status_code=422)
    return RedirectResponse(f"/panels/manage/{token}?updated=1", status_code=303)


@router.post("/manage/{token}/confirm")
def confirm_email(request: Request, db: DbSession, token: str):
    panels_pool.confirm_email(panels_pool.volunteer_by_token(db, token))
    return RedirectResponse(f"/panels/manage/{token}", status_code=303)


@router.get("/manage/{token}/leave")
def leave_page(request: Request, db: DbSession, token: str):
    volunteer = panels_pool.volunteer_by_token(db, token)
    panel = panels.get_panel(db, volunteer.panel_id)
    return render(request, "panels/leave.html", {"panel": panel, "token": token,
                                                 "title": _("Leave the citizens' panel")})


@router.post("/manage/{token}/leave")
def leave(request: Request, db: DbSession, token: str):
    panels_pool.leave(db, panels_pool.volunteer_by_token(db, token))
    return RedirectResponse("/panels/left", status_code=303)


@router.get("/left")
def left(request: Request):
    return render(request, "panels/left.html", {"title": _("You have left the panel")})


@router.get("/invitations/{token}")
def invitation_page(request: Request, db: DbSession, token: str):
    """A page with a button, not a redirect: mail scanners that prefetch links must not use it up."""
    panels_invitations.check_invitation(db, token)
    return render(request, "panels/invitation.html", {"token": token, "title": _("Your panel invitation")})


@router.post("/invitations/{token}")
def use_invitation(request: Request, db: DbSession, token: str):
    target = panels_invitations.use_invitation(db, token)
    return RedirectResponse(target, status_code=303)
