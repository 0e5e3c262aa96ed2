"""Officer pages for citizens' panels: pool, targets, draws (run as jobs), audit, report."""

from typing import Annotated

from fastapi import APIRouter, Depends, File, Form, Request, UploadFile
from fastapi.responses import RedirectResponse, Response

from app.auth import DbSession, Staff
from app.errors import AppError, InvalidInput, NotFound
from app.i18n import _, ngettext
from app.models.panel import DrawStatus
from app.routes.panels import form_fields
from app.services import panels
from app.services.panels import draws as panels_draws
from app.services.panels import invitations as panels_invitations
from app.services.panels import lottery as panels_lottery
from app.services.panels import pool as panels_pool
from app.services.panels import report as panels_report
from app.services.panels import targets as panels_targets
from app.templating import render, render_form

router = APIRouter(prefix="/officer/panels")
MAX_UPLOAD = 5_000_000


def _base(panel_id: int) -> str:
    return f"/officer/panels/{panel_id}"


@router.get("")
def panel_list(request: Request, db: DbSession, user: Staff):
    return _list_page(request, db)


def _list_page(request, db, **form):
    return render_form(request, "officer/panels/list.html", {
        "panels": panels.list_panels(db),
        "title": _("Citizens' panels")}, **form)


@router.post("")
def create_panel(request: Request, db: DbSession, user: Staff,
                 name: Annotated[str, Form(max_length=200)] = "",
                 description: Annotated[str, Form(max_length=4000)] = "",
                 wards: Annotated[str, Form(max_length=4000)] = ""):
    try:
        panel = panels.create_panel(db, name=name, description=description, wards=wards.splitlines(),
                                    council_name=request.app.state.settings.council_name, actor_id=user.id)
    except InvalidInput as error:
        return _list_page(request, db, errors=error.errors,
                          values={"name": name, "description": description, "wards": wards}, status_code=422)
    return RedirectResponse(_base(panel.id), status_code=303)


def _notice(done: str) -> str:
    """The panel page's confirmation in the reader's language: redirects carry only a code."""
    kind, _sep, count = done.partition("-")
    n = int(count) if count.isdigit() and len(count) < 10 else 0
    if kind == "question":
        return _("Question added")
    if kind == "saved":
        return _("Targets saved")
    if kind == "volunteers":
        return ngettext("Imported {count} volunteer", "Imported {count} volunteers", n).format(count=f"{n:,}")
    if kind == "targets":
        return ngettext("Imported {count} target", "Imported {count} targets", n).format(count=f"{n:,}")
    return ""


def _panel_page(request, db, panel, *, notice="", **form):
    return render_form(request, "officer/panels/panel.html", {
        "panel": panel, "pool_size": panels.pool_size(db, panel.id),
        "draws": panels_draws.list_draws(db, panel.id),
        "notice": notice, "title": panel.name}, **form)


@router.get("/{panel_id}")
def panel_page(request: Request, db: DbSession, user: Staff, panel_id: int, done: str = ""):
    return _panel_page(request, db, panels.get_panel(db, panel_id), notice=_notice(done[:40]))


@router.post("/{panel_id}/recruiting")
def set_recruiting(request: Request, db: DbSession, user: Staff, panel_id: int,
                   recruiting: Annotated[str, Form(max_length=5)] = ""):
    panels.set_recruiting(db, panels.get_panel(db, panel_id), recruiting == "yes", actor_id=user.id)
    return RedirectResponse(_base(panel_id), status_code=303)


@router.post("/{panel_id}/categories")
def add_category(request: Request, db: DbSession, user: Staff, panel_id: int,
                 label: Annotated[str, Form(max_length=200)] = "",
                 options: Annotated[str, Form(max_length=4000)] = "",
                 hint: Annotated[str, Form(max_length=400)] = "",
                 kind: Annotated[str, Form(max_length=20)] = ""):
    panel = panels.get_panel(db, panel_id)
    try:
        panels.add_category(db, panel, label=label, options=options, hint=hint, special=kind == "special",
                            service_user=kind == "service_user", actor_id=user.id)
    except InvalidInput as error:
        return _panel_page(request, db, panel, errors=error.errors, status_code=422,
                           values={"label": label, "options": options, "hint": hint, "kind": kind})
    return RedirectResponse(f"{_base(panel_id)}?done=question", status_code=303)


async def _read_upload(file: UploadFile | None) -> bytes:
    if file is None or not file.filename:
        raise InvalidInput({"file": _("Choose a CSV file to import")})
    return await file.read(MAX_UPLOAD + 1)


@router.post("/{panel_id}/import")
async def import_pool(request: Request, db: DbSession, user: Staff, panel_id: int,
                      file: Annotated[UploadFile | None, File()] = None,
                      consent_note: Annotated[str, Form(max_length=500)] = ""):
    panel = panels.get_panel(db, panel_id)
    try:
        if not consent_note.strip():
            raise InvalidInput({"consent_note": _("Say how and when these volunteers agreed to join, "
                                                  "for example “Recruitment letter, May 2026”")})
        result = panels_pool.import_pool_csv(db, panel, await _read_upload(file),
                                             consent_note=consent_note.strip(), actor_id=user.id)
    except InvalidInput as error:
        return _panel_page(request, db, panel, errors=error.errors, status_code=422,
                           values={"consent_note": consent_note, "import_message": error.message})
    return RedirectResponse(f"{_base(panel_id)}?done=volunteers-{result.added}", status_code=303)


def _targets_page(request, panel, category, **form):
    if form.get("values") is None:
        form["values"] = {
        panels_targets.feature_field(f, bound): "" if value is None else str(value)
        for f in category.features for bound, value in (("min", f.target_min), ("max", f.target_max))}
    return render_form(request, "officer/panels/targets.html", {
        "panel": panel, "category": category,
        "field": panels_targets.feature_field,
        "title": _("Targets: {question}").format(question=category.label)},
        **form)


def _category(panel, category_id: int):
    category = next((c for c in panel.categories if c.id == category_id), None)
    if category is None:
        raise NotFound()
    return category


@router.get("/{panel_id}/targets/{category_id}")
def targets_page(request: Request, db: DbSession, user: Staff, panel_id: int, category_id: int):
    panel = panels.get_panel(db, panel_id)
    return _targets_page(request, panel, _category(panel, category_id))


@router.post("/{panel_id}/targets/{category_id}")
def set_targets(request: Request, db: DbSession, user: Staff, panel_id: int, category_id: int,
                fields: Annotated[dict[str, str], Depends(form_fields)]):
    panel = panels.get_panel(db, panel_id)
    category = _category(panel, category_id)
    try:
        panels_targets.set_targets_from_form(db, panel, category, fields, actor_id=user.id)
    except InvalidInput as error:
        return _targets_page(request, panel, category, errors=error.errors, values=fields, status_code=422)
    return RedirectResponse(f"{_base(panel_id)}?done=saved", status_code=303)


@router.post("/{panel_id}/targets.csv")
async def import_targets(request: Request, db: DbSession, user: Staff, panel_id: int,
                         file: Annotated[UploadFile | None, File()] = None):
    panel = panels.get_panel(db, panel_id)
    try:
        count = panels_targets.import_targets_csv(db, panel, await _read_upload(file), actor_id=user.id)
    except InvalidInput as error:
        errors = {"targets_file": error.errors.get("file", error.message)}
        return _panel_page(request, db, panel, errors=errors, status_code=422,
                           values={"targets_message": error.message})
    return RedirectResponse(f"{_base(panel_id)}?done=targets-{count}", status_code=303)


@router.get("/{panel_id}/targets.csv")
def export_targets(request: Request, db: DbSession, user: Staff, panel_id: int):
    panel = panels.get_panel(db, panel_id)
    return Response(panels_targets.targets_csv(panel), media_type="text/csv", headers={
        "Content-Disposition": f'attachment; filename="panel-{panel.id}-targets.csv"'})


@router.post("/{panel_id}/draws")
def request_draw(request: Request, db: DbSession, user: Staff, panel_id: int,
                 purpose: Annotated[str, Form(max_length=200)] = "",
                 size: Annotated[str, Form(max_length=10)] = "",
                 seed: Annotated[str, Form(max_length=20)] = "",
                 households: Annotated[str, Form(max_length=5)] = "",
                 tickets: Annotated[str, Form(max_length=10)] = ""):
    panel = panels.get_panel(db, panel_id)
    try:
        record = panels_draws.request_draw(db, panel, purpose=purpose, size=size, seed=seed,
                                           one_per_household=households == "yes", tickets=tickets,
                                           actor_id=user.id)
    except InvalidInput as error:
        return _panel_page(request, db, panel, errors=error.errors, status_code=422, values={
            "purpose": purpose, "size": size, "seed": seed, "households": households,
            "tickets": tickets})
    return RedirectResponse(f"{_base(panel_id)}/draws/{record.id}", status_code=303)


def _draw_page(request, db, panel, record, **form):
    done = record.status == DrawStatus.DONE
    invitations = panels_invitations.invitations_of(db, record) if done else {}
    responded = panels_invitations.responded_member_ids(db, record) if invitations else set()
    return render_form(request, "officer/panels/draw.html", {
        "panel": panel, "draw": record, "invitations": invitations, "responded": responded,
        "lottery": panels_lottery.lottery_of(record), "lottery_panel": panels_lottery.panel_numbers(record),
        "consultations": panels_invitations.panel_consultations(db) if done else [],
        "title": _("Draw: {purpose}").format(purpose=record.purpose),
    }, **form, fragment="officer/panels/_draw_status.html")


@router.get("/{panel_id}/draws/{draw_id}")
def draw_page(request: Request, db: DbSession, user: Staff, panel_id: int, draw_id: int):
    """The full page, or (for the HTMX poll while the job runs) only its status fragment."""
    panel = panels.get_panel(db, panel_id)
    return _draw_page(request, db, panel, panels_draws.get_draw(db, panel_id, draw_id, with_members=True))


@router.post("/{panel_id}/draws/{draw_id}/members/{member_id}/replace")
def replace_member(request: Request, db: DbSession, user: Staff, panel_id: int, draw_id: int,
                   member_id: int):
    panel = panels.get_panel(db, panel_id)
    record = panels_draws.get_draw(db, panel_id, draw_id, with_members=True)
    try:
        panels_draws.replace_member(db, record, member_id, actor_id=user.id)
    except AppError as error:
        if error.status_code == 404:
            raise
        return _draw_page(request, db, panel, record, errors={"members": error.message},
                          status_code=error.status_code)
    return RedirectResponse(f"{_base(panel_id)}/draws/{draw_id}#members", status_code=303)


@router.post("/{panel_id}/draws/{draw_id}/invitations")
def send_invitations(request: Request, db: DbSession, user: Staff, panel_id: int, draw_id: int,
                     consultation_id: Annotated[str, Form(max_length=20)] = "",
                     target_url: Annotated[str, Form(max_length=500)] = ""):
    panel = panels.get_panel(db, panel_id)
    record = panels_draws.get_draw(db, panel_id, draw_id, with_members=True)
    try:
        if consultation_id or target_url or not record.target_url:
            panels_invitations.set_target(db, record, consultation_id=consultation_id,
                                          target_url=target_url, actor_id=user.id)
        panels_invitations.send_invitations(db, panel, record, base_url=request.app.state.settings.base_url,
                                            actor_id=user.id)
    except InvalidInput as error:
        return _draw_page(request, db, panel, record, errors=error.errors, status_code=422,
                          values={"consultation_id": consultation_id, "target_url": target_url})
    return RedirectResponse(f"{_base(panel_id)}/draws/{draw_id}#invitations", status_code=303)


@router.post("/{panel_id}/draws/{draw_id}/ticket")
def choose_ticket(request: Request, db: DbSession, user: Staff, panel_id: int, draw_id: int,
                  ticket: Annotated[str, Form(max_length=10)] = "",
                  seed_text: Annotated[str, Form(max_length=200)] = ""):
    panel = panels.get_panel(db, panel_id)
    record = panels_draws.get_draw(db, panel_id, draw_id, with_members=True)
    try:
        panels_lottery.choose_ticket(db, record, ticket=ticket, seed_text=seed_text, actor_id=user.id)
    except AppError as error:
        if error.status_code == 404:
            raise
        errors = error.errors if isinstance(error, InvalidInput) else {"ticket": error.message}
        return _draw_page(request, db, panel, record, errors=errors, status_code=error.status_code,
                          values={"ticket": ticket, "seed_text": seed_text})
    return RedirectResponse(f"{_base(panel_id)}/draws/{draw_id}#lottery", status_code=303)


@router.get("/{panel_id}/draws/{draw_id}/lottery.txt")
def published_lottery(request: Request, db: DbSession, user: Staff, panel_id: int, draw_id: int):
    """The file to publish before the ticket is drawn: tickets and pseudonymous numbers only."""
    lottery = panels_lottery.lottery_of(panels_draws.get_draw(db, panel_id, draw_id))
    if lottery is None:
        raise NotFound()
    return Response(lottery["text"].encode("utf-8"), media_type="text/plain; charset=utf-8", headers={
        "Content-Disposition": f'attachment; filename="panel-{panel_id}-draw-{draw_id}-lottery.txt"'})


@router.get("/{panel_id}/draws/{draw_id}/audit")
def audit_page(request: Request, db: DbSession, user: Staff, panel_id: int, draw_id: int):
    panel = panels.get_panel(db, panel_id)
    record = panels_draws.get_draw(db, panel_id, draw_id, with_members=True)
    selected_refs = {m.pool_ref for m in record.members if m.replaces_id is None}
    probabilities = sorted(record.probabilities.items(), key=lambda item: int(item[0]))
    return render(request, "officer/panels/audit.html", {
        "panel": panel, "draw": record, "probabilities": probabilities, "selected_refs": selected_refs,
        "lottery": panels_lottery.lottery_of(record), "lottery_panel": panels_lottery.panel_numbers(record),
        "total": sum(record.probabilities.values()),
        "title": _("Audit: {purpose}").format(purpose=record.purpose)})


@router.get("/{panel_id}/draws/{draw_id}/report")
def report_page(request: Request, db: DbSession, user: Staff, panel_id: int, draw_id: int):
    panel = panels.get_panel(db, panel_id)
    record = panels_draws.get_draw(db, panel_id, draw_id, with_members=True)
    report = panels_report.representativeness(db, panel, record) if record.status == DrawStatus.DONE else None
    return render(request, "officer/panels/report.html", {
        "panel": panel, "draw": record, "report": report, "series": panels_report.SERIES,
        "colours": panels_report.SERIES_COLOURS, "label_width": panels_report.LABEL_WIDTH,
        "title": _("Who is being heard: {purpose}").format(purpose=record.purpose)})
