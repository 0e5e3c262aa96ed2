"""Officers record the decision and what happened, choose findings to show, tell subscribers."""

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse

from app.auth import DbSession, SignedIn, Staff
from app.errors import InvalidInput, NotFound
from app.i18n import _
from app.models.consultation import Consultation
from app.services.reviews import access as review_access
from app.services.reviews import findings, outcomes, report
from app.templating import render, render_form

router = APIRouter(prefix="/officer/consultations")


def _consultation(db, user, consultation_id: int) -> Consultation:
    consultation = db.get(Consultation, consultation_id)
    if consultation is None:
        raise NotFound()
    review_access.readable_consultation(db, user, consultation.id)
    return consultation


def _page(request, db, consultation, **form):
    outcome = outcomes.outcome_for(db, consultation.id)
    form["values"] = form.get("values") or {
        "decision": outcome.decision if outcome else "",
        "what_happened": outcome.what_happened if outcome else "",
        "findings": [str(i) for i in (outcome.finding_ids if outcome else [])],
    }
    return render_form(request, "officer/outcomes/page.html", {
        "consultation": consultation, "outcome": outcome,
        "findings": findings.findings_for_review(db, consultation.review_id, published_only=True),
    }, **form)


@router.get("/{consultation_id}/outcome")
def outcome_page(request: Request, db: DbSession, user: Staff, consultation_id: int):
    return _page(request, db, _consultation(db, user, consultation_id))


@router.post("/{consultation_id}/outcome")
async def save_outcome(request: Request, db: DbSession, user: Staff, consultation_id: int):
    consultation = _consultation(db, user, consultation_id)
    form = await request.form()
    values = {"decision": str(form.get("decision", ""))[:10000],
              "what_happened": str(form.get("what_happened", ""))[:10000],
              "findings": [str(v) for v in form.getlist("findings")][:100]}
    try:
        outcomes.save_outcome(db, consultation, decision=values["decision"],
                              what_happened=values["what_happened"],
                              finding_ids=[int(v) for v in values["findings"] if v.isdigit()], officer=user)
        if form.get("notify") == "yes" and consultation.state.value == "published":
            outcomes.notify_subscribers(db, consultation, request.app.state.settings.base_url)
    except InvalidInput as error:
        return _page(request, db, consultation, errors=error.errors, values=values, status_code=422)
    return RedirectResponse(f"/officer/consultations/{consultation_id}/outcome?saved=1", status_code=303)


@router.get("/{consultation_id}/report")
def printable_report(request: Request, db: DbSession, user: SignedIn, consultation_id: int):
    consultation = _consultation(db, user, consultation_id)
    context = report.build(db, consultation)
    context["by_type"] = [(_(label), count, share) for label, count, share in context["by_type"]]
    return render(request, "officer/outcomes/report.html", context)
