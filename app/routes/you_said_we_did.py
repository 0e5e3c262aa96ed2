"""Residents see what was asked, who took part, the main themes, the findings and the decision."""

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse

from app.auth import DbSession, current_user_or_none
from app.errors import InvalidInput, NotFound, RateLimited
from app.i18n import _
from app.models.base import DEFAULT_LANGUAGE
from app.models.consultation import Consultation
from app.services.reviews import outcomes
from app.templating import render, render_form

# The header says who is signed in (a resident, or staff answering as anyone) on every page here.
router = APIRouter(prefix="/consultations", dependencies=[Depends(current_user_or_none)])


@router.get("/{consultation_id}/you-said-we-did")
def you_said_we_did(request: Request, db: DbSession, consultation_id: int, subscribed: int = 0):
    consultation = outcomes.published(db, consultation_id)
    return render(request, "you_said_we_did/page.html", {
        "results": outcomes.public_results(db, consultation), "subscribed": bool(subscribed),
    })


@router.post("/{consultation_id}/results-updates")
def subscribe(request: Request, db: DbSession, consultation_id: int,
              email: Annotated[str, Form(max_length=320)] = "",
              language: Annotated[str, Form(max_length=10)] = DEFAULT_LANGUAGE):
    consultation = db.get(Consultation, consultation_id)
    if consultation is None:
        raise NotFound()
    address = request.client.host if request.client else "unknown"
    if not request.app.state.rate_limiter.allow("results-updates", "10/hour", address):
        raise RateLimited(_("You have asked for updates too many times. Try again in an hour."), 3600)
    try:
        outcomes.subscribe(db, consultation, email, language=language)
    except InvalidInput as error:
        context = {"consultation": consultation, "sign_up_wording": outcomes.SIGN_UP_WORDING}
        return render_form(request, "you_said_we_did/subscribe.html", context, errors=error.errors,
                           values={"email": email, "language": language})
    return render(request, "you_said_we_did/subscribed.html", {"consultation": consultation})


@router.get("/{consultation_id}/results-updates")
def subscribe_page(request: Request, db: DbSession, consultation_id: int):
    consultation = db.get(Consultation, consultation_id)
    if consultation is None or consultation.state.value == "draft":
        raise NotFound()
    if consultation.state.value == "published":
        return RedirectResponse(f"/consultations/{consultation_id}/you-said-we-did", status_code=303)
    return render_form(request, "you_said_we_did/subscribe.html",
                       {"consultation": consultation, "sign_up_wording": outcomes.SIGN_UP_WORDING})
