"""Compete in the review workspace: the options appraisal (options, weighted criteria, scores citing
evidence, the weighted result and its sensitivity, scrutiny's comments, the decision)."""

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse

from app.auth import DbSession, SignedIn, Staff
from app.errors import InvalidInput
from app.i18n import _
from app.models.compare import CriterionKind
from app.services.reviews import access as review_access
from app.services.reviews import appraisal
from app.templating import render_form

router = APIRouter(prefix="/officer/reviews/{review_id:int}/appraisal")

Short = Annotated[str, Form(max_length=1000)]
Long = Annotated[str, Form(max_length=20_000)]


def _page(request, db, user, review, **form):
    options, criteria = appraisal.options(db, review.id), appraisal.criteria(db, review.id)
    scored = appraisal.scores_with_evidence(db, review.id)
    return render_form(request, "officer/compare/appraisal.html", {
        "review": review, "options": options, "criteria": criteria, "scored": scored,
        "table": {(s.score.option_id, s.score.criterion_id): s for s in scored},
        "result": appraisal.result(db, review.id), "comments": appraisal.comments(db, review.id),
        "decision": appraisal.decision(db, review.id),
        "citable": appraisal.citable(db, review.id) if user.is_staff else [],
        "can_scrutinise": review_access.can_scrutinise(db, user, review.id),
        "option_choices": [(o.id, o.name) for o in options],
        "criterion_choices": [(c.id, _("{name} (weight {weight})").format(name=c.name, weight=c.weight))
                              for c in criteria],
        "kind_choices": [(k.value, _(k.label)) for k in CriterionKind],
    }, **form)


def _back(review_id: int, anchor: str) -> RedirectResponse:
    return RedirectResponse(f"/officer/reviews/{review_id}/appraisal#{anchor}", status_code=303)


@router.get("")
def appraisal_page(request: Request, db: DbSession, user: SignedIn, review_id: int):
    return _page(request, db, user, review_access.readable_review(db, user, review_id))


@router.post("/options")
def add_option(request: Request, db: DbSession, user: Staff, review_id: int, name: Short = "",
               description: Long = ""):
    review = review_access.readable_review(db, user, review_id)
    try:
        appraisal.add_option(db, review, name=name, description=description, officer=user)
    except InvalidInput as error:
        return _page(request, db, user, review, errors=error.errors, status_code=422,
                     values={"name": name, "description": description})
    return _back(review_id, "options")


@router.post("/criteria")
def add_criterion(request: Request, db: DbSession, user: Staff, review_id: int, criterion_name: Short = "",
                  kind: Annotated[str, Form(max_length=40)] = "",
                  weight: Annotated[str, Form(max_length=40)] = ""):
    review = review_access.readable_review(db, user, review_id)
    try:
        appraisal.add_criterion(db, review, name=criterion_name, kind=kind, weight=weight, officer=user)
    except InvalidInput as error:
        return _page(request, db, user, review, errors=error.errors, status_code=422,
                     values={"criterion_name": criterion_name, "kind": kind, "weight": weight})
    return _back(review_id, "criteria")


@router.post("/scores")
def score(request: Request, db: DbSession, user: Staff, review_id: int,
          option_id: Annotated[str, Form(max_length=40)] = "",
          criterion_id: Annotated[str, Form(max_length=40)] = "",
          score: Annotated[str, Form(max_length=40)] = "", rationale: Long = "",
          evidence: Annotated[str, Form(max_length=80)] = ""):
    review = review_access.readable_review(db, user, review_id)
    try:
        saved = appraisal.score(db, review, option_id=option_id, criterion_id=criterion_id, value=score,
                                rationale=rationale, evidence_ref=evidence, officer=user)
    except InvalidInput as error:
        return _page(request, db, user, review, errors=error.errors, status_code=422, values={
            "option_id": option_id, "criterion_id": criterion_id, "score": score, "rationale": rationale,
            "evidence": evidence})
    return _back(review_id, f"score-{saved.id}")


@router.post("/comments")
def comment(request: Request, db: DbSession, user: SignedIn, review_id: int, body: Long = ""):
    review = review_access.readable_review(db, user, review_id)
    try:
        appraisal.comment(db, review, user, body)
    except InvalidInput as error:
        return _page(request, db, user, review, errors=error.errors, status_code=422, values={"body": body})
    return _back(review_id, "comments")


@router.post("/decision")
def decide(request: Request, db: DbSession, user: Staff, review_id: int,
           decision_option: Annotated[str, Form(max_length=40)] = "", reason: Long = ""):
    review = review_access.readable_review(db, user, review_id)
    try:
        appraisal.decide(db, review, option_id=decision_option, reason=reason, officer=user)
    except InvalidInput as error:
        return _page(request, db, user, review, errors=error.errors, status_code=422,
                     values={"decision_option": decision_option, "reason": reason})
    return _back(review_id, "decision")
