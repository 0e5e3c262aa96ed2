"""Officers and admins create, edit, schedule, move on and conclude reviews (the lifecycle)."""

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse

from app.auth import DbSession, Staff
from app.errors import InvalidInput
from app.i18n import N_, _
from app.models.review import TimelineStage
from app.services import reviews
from app.templating import render_form

router = APIRouter(prefix="/officer/reviews")

Text200 = Annotated[str, Form(max_length=1000)]
LongText = Annotated[str, Form(max_length=40_000)]
DateText = Annotated[str, Form(max_length=40)]


def parse_date(value: str, field: str, label: str) -> date | None:
    value = value.strip()
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        message = _("{label} must be a real date, like 2027-03-31").format(label=label)
        raise InvalidInput({field: message}) from None


def _lead(value: str) -> int | None:
    return int(value) if value.isdigit() else None


def _form_page(request, db, *, review=None, **form):
    return render_form(request, "officer/reviews/form.html", {
        "review": review, "officers": reviews.staff_accounts(db)}, **form)


@router.get("/new")
def new_review(request: Request, db: DbSession, user: Staff):
    return _form_page(request, db, values={"lead_officer_id": str(user.id)})


@router.post("/new")
def create_review(request: Request, db: DbSession, user: Staff, title: Text200 = "", service: Text200 = "",
                  summary: LongText = "", scope: LongText = "",
                  lead_officer_id: Annotated[str, Form(max_length=20)] = "",
                  starts_on: DateText = "", ends_on: DateText = ""):
    values = {"title": title, "service": service, "summary": summary, "scope": scope,
              "lead_officer_id": lead_officer_id, "starts_on": starts_on, "ends_on": ends_on}
    try:
        review = reviews.create_review(
            db, title=title, service=service, summary=summary, scope=scope,
            lead_officer_id=_lead(lead_officer_id),
            starts_on=parse_date(starts_on, "starts_on", _("Start date")),
            ends_on=parse_date(ends_on, "ends_on", _("End date")), actor=user)
    except InvalidInput as error:
        return _form_page(request, db, errors=error.errors, values=values, status_code=422)
    return RedirectResponse(f"/officer/reviews/{review.id}", status_code=303)


def _values(review) -> dict:
    return {"title": review.title, "service": review.service, "summary": review.summary,
            "scope": review.scope,
            "lead_officer_id": str(review.lead_officer_id or ""),
            "starts_on": review.starts_on.isoformat() if review.starts_on else "",
            "ends_on": review.ends_on.isoformat() if review.ends_on else "",
            "is_public": "yes" if review.is_public else ""}


@router.get("/{review_id}/edit")
def edit_review(request: Request, db: DbSession, user: Staff, review_id: int):
    review = reviews.get_review(db, review_id)
    return _form_page(request, db, review=review, values=_values(review))


@router.post("/{review_id}/edit")
def update_review(request: Request, db: DbSession, user: Staff, review_id: int, title: Text200 = "",
                  service: Text200 = "", summary: LongText = "", scope: LongText = "",
                  lead_officer_id: Annotated[str, Form(max_length=20)] = "", starts_on: DateText = "",
                  ends_on: DateText = "", is_public: Annotated[str, Form(max_length=10)] = ""):
    review = reviews.get_review(db, review_id)
    values = {"title": title, "service": service, "summary": summary, "scope": scope,
              "lead_officer_id": lead_officer_id, "starts_on": starts_on, "ends_on": ends_on,
              "is_public": is_public}
    try:
        reviews.update_review(
            db, review, title=title, service=service, summary=summary, scope=scope,
            lead_officer_id=_lead(lead_officer_id),
            starts_on=parse_date(starts_on, "starts_on", _("Start date")),
            ends_on=parse_date(ends_on, "ends_on", _("End date")), is_public=is_public == "yes", actor=user)
    except InvalidInput as error:
        return _form_page(request, db, review=review, errors=error.errors, values=values, status_code=422)
    return RedirectResponse(f"/officer/reviews/{review.id}", status_code=303)


def _schedule_page(request, db, review, **form):
    if form.get("values") is None:
        planned = {row.stage: row for row in review.stage_dates}
        form["values"] = values = {}
        for stage in TimelineStage:
            row = planned.get(stage)
            values[f"{stage.value}_starts_on"] = row.starts_on.isoformat() if row and row.starts_on else ""
            values[f"{stage.value}_ends_on"] = row.ends_on.isoformat() if row and row.ends_on else ""
    return render_form(request, "officer/reviews/schedule.html", {
        "review": review, "stages": list(TimelineStage)},
        **form)


@router.get("/{review_id}/schedule")
def schedule_page(request: Request, db: DbSession, user: Staff, review_id: int):
    return _schedule_page(request, db, reviews.get_review(db, review_id))


@router.post("/{review_id}/schedule")
async def schedule(request: Request, db: DbSession, user: Staff, review_id: int):
    review = reviews.get_review(db, review_id)
    form = await request.form()
    values = {f"{s.value}_{end}": str(form.get(f"{s.value}_{end}", ""))[:40]
              for s in TimelineStage for end in ("starts_on", "ends_on")}
    dates, errors = {}, {}
    for stage in TimelineStage:
        pair = []
        for end, label in (("starts_on", N_("{stage}: the start date")),
                           ("ends_on", N_("{stage}: the end date"))):
            field = f"{stage.value}_{end}"
            try:
                pair.append(parse_date(values[field], field, _(label).format(stage=_(stage.label))))
            except InvalidInput as error:
                errors.update(error.errors)
                pair.append(None)
        dates[stage] = tuple(pair)
    try:
        if errors:
            raise InvalidInput(errors)
        reviews.schedule(db, review, dates, actor=user)
    except InvalidInput as error:
        return _schedule_page(request, db, review, errors=error.errors, values=values, status_code=422)
    return RedirectResponse(f"/officer/reviews/{review.id}#timeline", status_code=303)


@router.post("/{review_id}/stage")
def move_stage(db: DbSession, user: Staff, review_id: int, stage: Annotated[str, Form(max_length=40)] = ""):
    review = reviews.get_review(db, review_id)
    try:
        chosen = TimelineStage(stage)
    except ValueError:
        raise InvalidInput({"stage": _("Choose a stage of the timeline")}) from None
    reviews.move_to(db, review, chosen, actor=user)
    return RedirectResponse(f"/officer/reviews/{review.id}#timeline", status_code=303)


def _conclude_page(request, review, **form):
    return render_form(request, "officer/reviews/conclude.html", {
        "review": review}, **form)


@router.get("/{review_id}/conclude")
def conclude_page(request: Request, db: DbSession, user: Staff, review_id: int):
    return _conclude_page(request, reviews.get_review(db, review_id))


@router.post("/{review_id}/conclude")
def conclude(request: Request, db: DbSession, user: Staff, review_id: int, decision: LongText = "",
             decided_on: DateText = ""):
    review = reviews.get_review(db, review_id)
    values = {"decision": decision, "decided_on": decided_on}
    try:
        reviews.conclude(db, review, decision=decision,
                         decided_on=parse_date(decided_on, "decided_on", _("The date of the decision")),
                         actor=user)
    except InvalidInput as error:
        return _conclude_page(request, review, errors=error.errors, values=values, status_code=422)
    return RedirectResponse(f"/officer/reviews/{review.id}#timeline", status_code=303)
