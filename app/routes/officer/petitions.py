"""Officers' petition tools: moderation queue, decisions, answers, settings, rules, invalidations."""

from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse

from app.auth import Admin, DbSession, Staff
from app.errors import InvalidInput
from app.i18n import N_, _
from app.models.petition import REJECTION_LABELS, PetitionState, RejectionCode, RuleAction, RuleKind
from app.services import petitions
from app.services.petitions import invalidation as petitions_invalidation
from app.services.petitions import moderation as petitions_moderation
from app.services.petitions import rules as petitions_rules
from app.templating import render, render_form

router = APIRouter(prefix="/officer/petitions", include_in_schema=False)


def _base_url(request: Request) -> str:
    return request.app.state.settings.base_url


@router.get("")
def index(request: Request, db: DbSession, officer: Staff):
    queue = petitions_moderation.moderation_queue(db)
    lists = {
        state: petitions_moderation.petitions_by_state(db, state)
        for state in (
            PetitionState.OPEN,
            PetitionState.VALIDATED,
            PetitionState.CLOSED,
            PetitionState.REJECTED,
            PetitionState.HIDDEN,
        )
    }
    ids = [p.id for p in queue] + [p.id for group in lists.values() for p in group]
    return render(
        request,
        "officer/petitions/index.html",
        {
            "queue": queue,
            "lists": lists,
            "counts": petitions.signature_counts(db, ids),
            "settings_row": petitions.current_settings(db),
        },
    )


def _petition_page(request, db, petition_id, **form):
    petition = petitions.get_petition(db, petition_id)
    return render_form(
        request,
        "officer/petitions/show.html",
        {
            "petition": petition,
            "count": petitions.signature_count(db, petition.id),
            "supporters": petitions.supporter_count(db, petition.id),
            "decisions": petitions_moderation.decisions(db, petition.id),
            "rejections": REJECTION_LABELS,
            "settings_row": petitions.current_settings(db),
        },
        **form,
    )


@router.get("/{petition_id:int}")
def show(request: Request, db: DbSession, officer: Staff, petition_id: int):
    return _petition_page(request, db, petition_id)


@router.post("/{petition_id:int}/publish")
def publish(request: Request, db: DbSession, officer: Staff, petition_id: int):
    petition = petitions.get_petition(db, petition_id)
    petitions_moderation.publish(db, petition, officer, base_url=_base_url(request))
    return RedirectResponse(f"/officer/petitions/{petition_id}", status_code=303)


@router.post("/{petition_id:int}/reject")
def reject(
    request: Request,
    db: DbSession,
    officer: Staff,
    petition_id: int,
    rejection_code: Annotated[str, Form(max_length=40)] = "",
    rejection_text: Annotated[str, Form(max_length=20000)] = "",
    duplicate_of: Annotated[str, Form(max_length=20)] = "",
):
    petition = petitions.get_petition(db, petition_id)
    values = {
        "rejection_code": rejection_code,
        "rejection_text": rejection_text,
        "duplicate_of": duplicate_of,
    }
    try:
        code = _rejection_code(rejection_code)
        original = None
        if code == RejectionCode.DUPLICATE and duplicate_of.strip().isdigit():
            original = db.get(type(petition), int(duplicate_of))
        petitions_moderation.reject(
            db,
            petition,
            officer,
            code=code,
            text=rejection_text,
            duplicate_of=original,
            base_url=_base_url(request),
        )
    except InvalidInput as error:
        return _petition_page(request, db, petition_id, errors=error.errors, values=values, status_code=422)
    return RedirectResponse(f"/officer/petitions/{petition_id}", status_code=303)


def _rejection_code(value: str) -> RejectionCode:
    try:
        return RejectionCode(value)
    except ValueError:
        raise InvalidInput({"rejection_code": _("Choose a reason")}) from None


@router.post("/{petition_id:int}/respond")
def respond(
    request: Request,
    db: DbSession,
    officer: Staff,
    petition_id: int,
    response_text: Annotated[str, Form(max_length=20000)] = "",
):
    petition = petitions.get_petition(db, petition_id)
    try:
        petitions_moderation.respond(db, petition, officer, text=response_text, base_url=_base_url(request))
    except InvalidInput as error:
        return _petition_page(
            request,
            db,
            petition_id,
            errors=error.errors,
            values={"response_text": response_text},
            status_code=422,
        )
    return RedirectResponse(f"/officer/petitions/{petition_id}", status_code=303)


@router.post("/{petition_id:int}/debate")
def debate(
    request: Request,
    db: DbSession,
    officer: Staff,
    petition_id: int,
    debate_outcome: Annotated[str, Form(max_length=20000)] = "",
):
    petition = petitions.get_petition(db, petition_id)
    try:
        petitions_moderation.record_debate(
            db, petition, officer, outcome=debate_outcome, base_url=_base_url(request)
        )
    except InvalidInput as error:
        return _petition_page(
            request,
            db,
            petition_id,
            errors=error.errors,
            values={"debate_outcome": debate_outcome},
            status_code=422,
        )
    return RedirectResponse(f"/officer/petitions/{petition_id}", status_code=303)


# --- settings (admins) ------------------------------------------------------------------------

SETTING_FIELDS = {
    "supporters_needed": (N_("Supporters needed before moderation"), 1, 1_000),
    "response_threshold": (N_("Signatures for a written council response"), 1, 10_000_000),
    "debate_threshold": (N_("Signatures for a debate at full council"), 1, 10_000_000),
    "duration_days": (N_("Days a petition stays open"), 1, 730),
    "anonymise_after_days": (N_("Days after closing before signers' details are deleted"), 1, 3_650),
    "confirmation_hours": (N_("Hours a confirmation link works"), 1, 720),
    "moderation_queue_alert": (N_("Warn officers when this many petitions await moderation"), 1, 10_000),
}


def _settings_page(request, db, *, saved=False, **form):
    row = petitions.current_settings(db)
    form["values"] = form.get("values") or {
        key: str(getattr(row, key))
        for key in [*SETTING_FIELDS, "signing_limit_per_address_short", "signing_limit_per_address_long"]
    }
    return render_form(
        request,
        "officer/petitions/settings.html",
        {
            "fields": SETTING_FIELDS,
            "saved": saved,
        },
        **form,
    )


@router.get("/settings")
def settings_page(request: Request, db: DbSession, admin: Admin, saved: str = ""):
    return _settings_page(request, db, saved=bool(saved))


@router.post("/settings")
async def save_settings(request: Request, db: DbSession, admin: Admin):
    form = await request.form()
    values = {
        key: str(form.get(key, ""))[:40]
        for key in [*SETTING_FIELDS, "signing_limit_per_address_short", "signing_limit_per_address_long"]
    }
    errors, clean = {}, {}
    for key, (label, low, high) in SETTING_FIELDS.items():
        text = values[key].strip().replace(",", "")
        if not text.isdigit() or not low <= int(text) <= high:
            errors[key] = _("{label}: enter a whole number from {low} to {high}").format(
                label=_(label), low=f"{low:,}", high=f"{high:,}")
        else:
            clean[key] = int(text)
    for key in ("signing_limit_per_address_short", "signing_limit_per_address_long"):
        clean[key] = _limit(values[key], key, errors)
    if not errors and clean["debate_threshold"] < clean["response_threshold"]:
        errors["debate_threshold"] = _("The debate threshold must be at least the response threshold")
    if errors:
        return _settings_page(request, db, errors=errors, values=values, status_code=422)
    petitions.update_settings(db, actor_id=admin.id, **clean)
    return RedirectResponse("/officer/petitions/settings?saved=1", status_code=303)


def _limit(text: str, key: str, errors: dict) -> str:
    from limits import parse

    try:
        parse(text.strip())
    except ValueError:
        errors[key] = _("Enter a limit like 1/minute or 5/5 minutes")
    return text.strip()


# --- allow and block lists --------------------------------------------------------------------


def _rules_page(request, db, **form):
    return render_form(
        request,
        "officer/petitions/rules.html",
        {
            "rules": petitions_rules.list_rules(db),
        },
        **form,
    )


@router.get("/rules")
def rules(request: Request, db: DbSession, officer: Staff):
    return _rules_page(request, db)


@router.post("/rules")
def add_rule(
    request: Request,
    db: DbSession,
    officer: Staff,
    kind: Annotated[str, Form(max_length=20)] = "",
    value: Annotated[str, Form(max_length=300)] = "",
    action: Annotated[str, Form(max_length=20)] = "",
    note: Annotated[str, Form(max_length=600)] = "",
):
    values = {"kind": kind, "value": value, "action": action, "note": note}
    try:
        if kind not in {k.value for k in RuleKind}:
            raise InvalidInput({"kind": _("Choose an address or an email domain")})
        if action not in {a.value for a in RuleAction}:
            raise InvalidInput({"action": _("Choose allow or block")})
        petitions_rules.add_rule(
            db, kind=RuleKind(kind), value=value, action=RuleAction(action), note=note, actor_id=officer.id
        )
    except InvalidInput as error:
        return _rules_page(request, db, errors=error.errors, values=values, status_code=422)
    return RedirectResponse("/officer/petitions/rules", status_code=303)


@router.post("/rules/{rule_id:int}/remove")
def remove_rule(request: Request, db: DbSession, officer: Staff, rule_id: int):
    petitions_rules.remove_rule(db, rule_id, actor_id=officer.id)
    return RedirectResponse("/officer/petitions/rules", status_code=303)


# --- bulk invalidation ------------------------------------------------------------------------


def _invalidations_page(request, db, **form):
    return render_form(
        request,
        "officer/petitions/invalidations.html",
        {
            "invalidations": petitions_invalidation.list_invalidations(db),
        },
        **form,
    )


@router.get("/invalidations")
def invalidations(request: Request, db: DbSession, officer: Staff):
    return _invalidations_page(request, db)


def _when(text: str, field: str) -> datetime | None:
    if not text.strip():
        return None
    try:
        return datetime.fromisoformat(text.strip()).replace(tzinfo=UTC)
    except ValueError:
        raise InvalidInput({field: _("Enter a date and time like 2026-11-23 14:30")}) from None


@router.post("/invalidations")
def preview_invalidation(
    request: Request,
    db: DbSession,
    officer: Staff,
    petition_id: Annotated[str, Form(max_length=20)] = "",
    ip_address: Annotated[str, Form(max_length=60)] = "",
    email_domain: Annotated[str, Form(max_length=300)] = "",
    postcode: Annotated[str, Form(max_length=20)] = "",
    created_from: Annotated[str, Form(max_length=40)] = "",
    created_to: Annotated[str, Form(max_length=40)] = "",
    reason: Annotated[str, Form(max_length=4000)] = "",
):
    values = {
        "petition_id": petition_id,
        "ip_address": ip_address,
        "email_domain": email_domain,
        "postcode": postcode,
        "created_from": created_from,
        "created_to": created_to,
        "reason": reason,
    }
    try:
        if petition_id.strip() and not petition_id.strip().isdigit():
            raise InvalidInput({"petition_id": _("Enter the petition's number, like 12")})
        criteria = petitions_invalidation.clean_criteria(
            petition_id=int(petition_id) if petition_id.strip() else None,
            ip_address=ip_address,
            email_domain=email_domain,
            postcode=postcode,
            created_from=_when(created_from, "created_from"),
            created_to=_when(created_to, "created_to"),
        )
        invalidation = petitions_invalidation.preview(db, criteria, reason=reason, officer=officer)
    except InvalidInput as error:
        return _invalidations_page(request, db, errors=error.errors, values=values, status_code=422)
    return RedirectResponse(f"/officer/petitions/invalidations/{invalidation.id}", status_code=303)


@router.get("/invalidations/{invalidation_id:int}")
def show_invalidation(request: Request, db: DbSession, officer: Staff, invalidation_id: int):
    invalidation = petitions_invalidation.get_invalidation(db, invalidation_id)
    return render(
        request,
        "officer/petitions/invalidation.html",
        {
            "invalidation": invalidation,
            "sample": petitions_invalidation.sample(db, invalidation),
        },
    )


@router.post("/invalidations/{invalidation_id:int}/run")
def run_invalidation(request: Request, db: DbSession, officer: Staff, invalidation_id: int):
    invalidation = petitions_invalidation.get_invalidation(db, invalidation_id)
    petitions_invalidation.start(db, invalidation, officer)
    return RedirectResponse(f"/officer/petitions/invalidations/{invalidation_id}", status_code=303)


@router.post("/invalidations/{invalidation_id:int}/undo")
def undo_invalidation(request: Request, db: DbSession, officer: Staff, invalidation_id: int):
    invalidation = petitions_invalidation.get_invalidation(db, invalidation_id)
    petitions_invalidation.start_undo(db, invalidation, officer)
    return RedirectResponse(f"/officer/petitions/invalidations/{invalidation_id}", status_code=303)
