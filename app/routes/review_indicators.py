"""The public question on a review: 'Which of these matter most to you?' (choose up to three proposed
indicators, or suggest one), answered by service users, carers, staff and organisations."""

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse

from app.auth import CurrentUser, DbSession
from app.errors import InvalidInput, RateLimited
from app.i18n import N_, _
from app.models.compare import ProposerType
from app.services import reviews
from app.services.reviews import indicators
from app.templating import render_form

router = APIRouter(prefix="/reviews/{review_id:int}/indicators")

PER_ADDRESS = "20/hour"
RANK_FIELDS = (("first", N_("Your first choice")), ("second", N_("Your second choice (optional)")),
               ("third", N_("Your third choice (optional)")))
CHOICES = {
    ProposerType.SERVICE_USER: N_("I use the service"),
    ProposerType.CARER: N_("I care for someone who uses it"),
    ProposerType.STAFF: N_("I work for the service"),
    ProposerType.ORGANISATION: N_("I answer for an organisation"),
}


def _page(request, db, review, **form):
    proposals = indicators.proposals(db, review.id)
    return render_form(request, "reviews/indicators.html", {
        "review": review, "proposals": proposals,
        "indicator_choices": [(str(p.indicator.id), p.indicator.name) for p in proposals],
        "max_support": indicators.MAX_SUPPORT,
        "rank_fields": [(field, _(label)) for field, label in RANK_FIELDS],
        "supporter_choices": [(k.value, _(label)) for k, label in CHOICES.items()],
        "thanks": request.query_params.get("thanks") == "1"}, **form)


@router.get("")
def question(request: Request, db: DbSession, user: CurrentUser, review_id: int):
    return _page(request, db, reviews.public_review(db, review_id))


@router.post("")
def answer(request: Request, db: DbSession, user: CurrentUser, review_id: int,
           first: Annotated[str, Form(max_length=20)] = "",
           second: Annotated[str, Form(max_length=20)] = "",
           third: Annotated[str, Form(max_length=20)] = "",
           suggestion: Annotated[str, Form(max_length=1000)] = "",
           reason: Annotated[str, Form(max_length=8000)] = "",
           supporter_type: Annotated[str, Form(max_length=40)] = ""):
    review = reviews.public_review(db, review_id)
    chosen = [v.strip() for v in (first, second, third) if v.strip()]
    address = request.client.host if request.client else "unknown"
    if not request.app.state.rate_limiter.allow("review_indicators", PER_ADDRESS, address):
        raise RateLimited(_("Too many answers from your connection. Try again in an hour."))
    try:
        ids = [int(v) for v in chosen]
    except ValueError:
        ids = [-1]
    try:
        indicators.answer(db, review, indicator_ids=ids, suggestion=suggestion, reason=reason,
                          supporter_type=supporter_type)
    except InvalidInput as error:
        return _page(request, db, review, errors=error.errors, status_code=422, values={
            "first": first, "second": second, "third": third, "suggestion": suggestion, "reason": reason,
            "supporter_type": supporter_type})
    return RedirectResponse(f"/reviews/{review_id}/indicators?thanks=1#thanks", status_code=303)
