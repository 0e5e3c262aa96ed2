"""Compare in the review workspace: indicators proposed with users and staff and adopted by officers,
and benchmark figures imported from CSV."""

from typing import Annotated

from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.responses import RedirectResponse

from app.auth import DbSession, SignedIn, Staff
from app.errors import InvalidInput
from app.i18n import N_, _, ngettext
from app.models.compare import ProposerType
from app.services.reviews import access as review_access
from app.services.reviews import benchmarks, indicators
from app.templating import render_form

router = APIRouter(prefix="/officer")

Short = Annotated[str, Form(max_length=1000)]
# Who proposes, said of one person or body (the radio buttons of the form)
PROPOSER_ONE = {ProposerType.SERVICE_USER: N_("Service user"), ProposerType.CARER: N_("Carer"),
                ProposerType.STAFF: N_("Staff"), ProposerType.ORGANISATION: N_("Organisation"),
                ProposerType.RESIDENT: N_("Other resident")}
Long = Annotated[str, Form(max_length=8000)]


def _indicators_page(request, db, user, review, *, adopt_for=None, **form):
    return render_form(request, "officer/compare/indicators.html", {
        "review": review, "proposals": indicators.proposals(db, review.id),
        "origins": indicators.origins(db, review.id),
        "proposer_types": list(ProposerType),
        "proposer_choices": [(k.value, _(PROPOSER_ONE[k])) for k in ProposerType], "adopt_for": adopt_for,
    }, **form)


@router.get("/reviews/{review_id:int}/indicators")
def indicators_page(request: Request, db: DbSession, user: SignedIn, review_id: int):
    review = review_access.readable_review(db, user, review_id)
    return _indicators_page(request, db, user, review)


@router.post("/reviews/{review_id:int}/indicators")
def propose(request: Request, db: DbSession, user: SignedIn, review_id: int, name: Short = "",
            reason: Long = "", proposed_by_type: Annotated[str, Form(max_length=40)] = ""):
    review = review_access.readable_review(db, user, review_id)
    try:
        indicators.propose(db, review, name=name, reason=reason, proposed_by_type=proposed_by_type, user=user)
    except InvalidInput as error:
        return _indicators_page(request, db, user, review, errors=error.errors, status_code=422, values={
            "name": name, "reason": reason, "proposed_by_type": proposed_by_type})
    return RedirectResponse(f"/officer/reviews/{review_id}/indicators", status_code=303)


@router.post("/indicators/{indicator_id:int}/adopt")
def adopt(request: Request, db: DbSession, user: Staff, indicator_id: int, definition: Long = "",
          source: Long = "", asked_by: Long = ""):
    indicator = indicators.get_indicator(db, user, indicator_id)
    try:
        indicators.adopt(db, indicator, definition=definition, source=source, asked_by=asked_by, officer=user)
    except InvalidInput as error:
        review = review_access.readable_review(db, user, indicator.review_id)
        return _indicators_page(
            request, db, user, review, status_code=422, adopt_for=indicator.id,
            errors={f"{field}-{indicator.id}": message for field, message in error.errors.items()},
            values={"definition": definition, "source": source, "asked_by": asked_by})
    return RedirectResponse(f"/officer/reviews/{indicator.review_id}/indicators#indicator-{indicator.id}",
                            status_code=303)


def _benchmarks_page(request, db, review, *, error_lines=None, notice="", **form):
    return render_form(request, "officer/compare/benchmarks.html", {
        "review": review, "imports": benchmarks.imports(db, review.id),
        "comparisons": benchmarks.comparisons(db, review.id),
        "council_name": request.app.state.settings.council_name,
        "error_lines": error_lines or [], "notice": notice,
    }, **form)


@router.get("/reviews/{review_id:int}/benchmarks")
def benchmarks_page(request: Request, db: DbSession, user: SignedIn, review_id: int,
                    imported: int | None = None):
    review = review_access.readable_review(db, user, review_id)
    notice = ""
    if imported is not None:
        notice = ngettext("Imported {count} figure.", "Imported {count} figures.", imported).format(
            count=f"{imported:,}")
    return _benchmarks_page(request, db, review, notice=notice)


@router.post("/reviews/{review_id:int}/benchmarks")
async def import_benchmarks(request: Request, db: DbSession, user: Staff, review_id: int,
                            file: Annotated[UploadFile | None, File()] = None):
    review = review_access.readable_review(db, user, review_id)
    try:
        if file is None or not file.filename:
            raise InvalidInput({"file": _("Choose a CSV file of benchmark figures")})
        data = await file.read(benchmarks.MAX_BYTES + 1)
        record = benchmarks.import_csv(db, review, data, filename=file.filename,
                                       council_name=request.app.state.settings.council_name, officer=user)
    except InvalidInput as error:
        return _benchmarks_page(request, db, review, errors=error.errors,
                                error_lines=getattr(error, "lines", []), status_code=422)
    return RedirectResponse(f"/officer/reviews/{review_id}/benchmarks?imported={record.row_count}",
                            status_code=303)


@router.post("/benchmark-imports/{import_id:int}/publish")
def publish_benchmarks(db: DbSession, user: Staff, import_id: int):
    record = benchmarks.publish(db, user, import_id)
    return RedirectResponse(f"/officer/reviews/{record.review_id}/benchmarks", status_code=303)
