"""Officer pages for reaching the people a panel's pool lacks.

The outreach analysis (a worker job, with progress), suggested organisations, and tagged
invitation links with what each one added."""

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse

from app.auth import DbSession, Staff
from app.errors import AppError, InvalidInput
from app.i18n import _
from app.services import panels
from app.services.accounts import list_organisations
from app.services.panels import draws as panels_draws
from app.services.panels import outreach as panels_outreach
from app.services.panels import outreach_links, outreach_suggestions
from app.templating import render, render_form

router = APIRouter(prefix="/officer/panels")


def _base(panel_id: int) -> str:
    return f"/officer/panels/{panel_id}/outreach"


def _effects(db, panel, analysis, council_name: str):
    if analysis is None or not analysis.is_done:
        return []
    organisations = list_organisations(db)
    service_users = {category.key for category in panel.categories if category.service_user}
    views = panels_outreach.effect_views(panel, analysis)
    for view in views:
        view.suggestions = outreach_suggestions.suggest(
            organisations, question=view.label, answer=view.feature,
            service_user=view.category in service_users, council_name=council_name)
    return views


def _default_size(db, panel_id: int, analysis) -> str:
    if analysis is not None:
        return str(analysis.size)
    draws = panels_draws.list_draws(db, panel_id)
    return str(draws[0].size) if draws else ""


def _page(request, db, panel, analysis, **form):
    settings = request.app.state.settings
    return render_form(request, "officer/panels/outreach.html", {
        "panel": panel, "analysis": analysis, "default_size": _default_size(db, panel.id, analysis),
        "effects": _effects(db, panel, analysis, settings.council_name),
        "organisations": list_organisations(db),
        "links": outreach_links.what_each_added(db, panel),
        "join_link": lambda token: outreach_links.join_link(settings.base_url, panel.id, token),
        "title": _("Reach the people the pool lacks: {panel}").format(panel=panel.name),
    }, **form)


@router.get("/{panel_id}/outreach")
def outreach_page(request: Request, db: DbSession, user: Staff, panel_id: int, organisation_id: str = "",
                  target: str = ""):
    """The latest analysis; a suggestion's link fills in the invitation form (organisation, group)."""
    panel = panels.get_panel(db, panel_id)
    prefilled = {"organisation_id": organisation_id[:20], "target": target[:200]}
    values = prefilled if organisation_id or target else None
    return _page(request, db, panel, panels_outreach.latest_analysis(db, panel_id), values=values)


@router.get("/{panel_id}/outreach/analyses/{analysis_id}")
def analysis_page(request: Request, db: DbSession, user: Staff, panel_id: int, analysis_id: int):
    panel = panels.get_panel(db, panel_id)
    return _page(request, db, panel, panels_outreach.get_analysis(db, panel_id, analysis_id))


@router.get("/{panel_id}/outreach/analyses/{analysis_id}/progress")
def analysis_progress(request: Request, db: DbSession, user: Staff, panel_id: int, analysis_id: int):
    """The progress fragment HTMX polls; once the job has finished the whole page reloads."""
    panel = panels.get_panel(db, panel_id)
    analysis = panels_outreach.get_analysis(db, panel_id, analysis_id)
    headers = {"HX-Refresh": "true"} if analysis.status.finished and request.headers.get("hx-request") else {}
    return render(request, "officer/panels/outreach_progress.html", {"panel": panel, "analysis": analysis},
                  headers=headers)


@router.post("/{panel_id}/outreach/analyses")
def start_analysis(request: Request, db: DbSession, user: Staff, panel_id: int,
                   size: Annotated[str, Form(max_length=10)] = ""):
    panel = panels.get_panel(db, panel_id)
    try:
        analysis = panels_outreach.request_analysis(db, panel, size=size, actor_id=user.id)
    except AppError as error:
        if error.status_code == 404:
            raise
        errors = error.errors if isinstance(error, InvalidInput) else {"size": error.message}
        return _page(request, db, panel, panels_outreach.latest_analysis(db, panel_id), errors=errors,
                     values={"size": size}, status_code=error.status_code)
    return RedirectResponse(f"{_base(panel_id)}/analyses/{analysis.id}", status_code=303)


@router.post("/{panel_id}/outreach/links")
def create_link(request: Request, db: DbSession, user: Staff, panel_id: int,
                organisation_id: Annotated[str, Form(max_length=20)] = "",
                target: Annotated[str, Form(max_length=200)] = "",
                note: Annotated[str, Form(max_length=1000)] = "",
                send_email: Annotated[str, Form(max_length=5)] = ""):
    panel = panels.get_panel(db, panel_id)
    try:
        outreach_links.create_link(db, panel, organisation_id=organisation_id, target=target, note=note,
                                   send_email=send_email == "yes",
                                   base_url=request.app.state.settings.base_url, actor_id=user.id)
    except InvalidInput as error:
        return _page(request, db, panel, panels_outreach.latest_analysis(db, panel_id), errors=error.errors,
                     values={"organisation_id": organisation_id, "target": target, "note": note,
                             "send_email": send_email, "link_form": "yes"})
    return RedirectResponse(f"{_base(panel_id)}#links", status_code=303)


@router.post("/{panel_id}/outreach/links/{outreach_id}/revoke")
def revoke_link(request: Request, db: DbSession, user: Staff, panel_id: int, outreach_id: int):
    panel = panels.get_panel(db, panel_id)
    link = outreach_links.get_link(db, panel_id, outreach_id)
    try:
        outreach_links.revoke_link(db, link, actor_id=user.id)
    except AppError as error:
        return _page(request, db, panel, panels_outreach.latest_analysis(db, panel_id),
                     errors={"links": error.message}, status_code=error.status_code)
    return RedirectResponse(f"{_base(panel_id)}#links", status_code=303)
