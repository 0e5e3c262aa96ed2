"""The review workspace: a review's four stages, findings with evidence, the team and comments."""

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse

from app.auth import DbSession, SignedIn, Staff
from app.errors import InvalidInput
from app.i18n import _
from app.models.finding import EvidenceKind, ReviewStage, TeamRole
from app.models.review import TimelineStage
from app.services import reviews as review_service
from app.services.reviews import access as review_access
from app.services.reviews import findings
from app.services.reviews import team as review_team
from app.services.reviews import workspace as review_workspace
from app.templating import render, render_form

router = APIRouter(prefix="/officer")


def _workspace(request, db, user, review_id, **form):
    review_access.readable_review(db, user, review_id)
    review = review_service.get_review(db, review_id)
    return render_form(request, "officer/reviews/workspace.html", {
        "review": review, "stages": list(ReviewStage), "timeline": review_service.timeline(review),
        "timeline_stages": list(TimelineStage),
        "findings": review_workspace.findings_by_stage(db, review.id),
        "team": review_team.team(db, review.id), "roles": list(TeamRole),
        "can_scrutinise": review_access.can_scrutinise(db, user, review.id),
        "evidence_options": review_workspace.evidence_options(db, review.id) if user.is_staff else [],
        "consultations": review_workspace.consultations_of(db, review.id),
    }, **form)


@router.get("/reviews")
def reviews(request: Request, db: DbSession, user: SignedIn):
    return render(request, "officer/reviews/list.html", {"reviews": review_access.readable_reviews(db, user)})


@router.get("/reviews/{review_id:int}")
def workspace(request: Request, db: DbSession, user: SignedIn, review_id: int):
    return _workspace(request, db, user, review_id)


def _evidence_refs(raw: list[str]) -> list[tuple[EvidenceKind, int]]:
    refs = []
    for value in raw:
        kind, _sep, object_id = value.partition(":")
        try:
            refs.append((EvidenceKind(kind), int(object_id)))
        except ValueError:
            raise InvalidInput({"evidence": _("Choose evidence from the list")}) from None
    return refs


@router.post("/reviews/{review_id:int}/findings")
async def write_finding(request: Request, db: DbSession, user: Staff, review_id: int):
    review_access.readable_review(db, user, review_id)
    form = await request.form()
    stage, statement = str(form.get("stage", ""))[:40], str(form.get("statement", ""))[:8000]
    chosen = [str(v) for v in form.getlist("evidence")][:50]
    try:
        finding = findings.write_finding(db, review_id=review_id, stage=stage, statement=statement,
                                         evidence_refs=_evidence_refs(chosen), officer=user)
    except InvalidInput as error:
        return _workspace(request, db, user, review_id, errors=error.errors,
                          values={"stage": stage, "statement": statement, "evidence": chosen},
                          status_code=422)
    return RedirectResponse(f"/officer/findings/{finding.id}", status_code=303)


@router.post("/reviews/{review_id:int}/team")
def add_team_member(request: Request, db: DbSession, user: Staff, review_id: int,
                    email: Annotated[str, Form(max_length=320)] = "",
                    role: Annotated[str, Form(max_length=20)] = ""):
    review_access.readable_review(db, user, review_id)
    try:
        review_team.add_member(db, review_id=review_id, email=email, role=role, officer=user)
    except InvalidInput as error:
        return _workspace(request, db, user, review_id, errors=error.errors,
                          values={"email": email, "role": role}, status_code=422)
    return RedirectResponse(f"/officer/reviews/{review_id}#team", status_code=303)


def _finding_page(request, db, user, finding, *, fragment="officer/reviews/_comments.html", **form):
    review = review_access.readable_review(db, user, finding.review_id)
    return render_form(request, "officer/reviews/finding.html", {
        "review": review, "finding": finding, "evidence": findings.evidence_items(db, finding),
        "comments": findings.comments(db, finding),
        "can_scrutinise": review_access.can_scrutinise(db, user, finding.review_id),
    }, fragment=fragment, **form)


@router.get("/findings/{finding_id}")
def finding_page(request: Request, db: DbSession, user: SignedIn, finding_id: int):
    finding = findings.readable_finding(db, user, finding_id)
    return _finding_page(request, db, user, finding, fragment=None)


@router.post("/findings/{finding_id}/scrutiny")
def scrutiny_view(request: Request, db: DbSession, user: SignedIn, finding_id: int,
                  scrutiny_view: Annotated[str, Form(max_length=20_000)] = ""):
    finding = findings.readable_finding(db, user, finding_id)
    try:
        findings.record_scrutiny_view(db, finding, user, scrutiny_view)
    except InvalidInput as error:
        return _finding_page(request, db, user, finding, fragment=None, errors=error.errors,
                             values={"scrutiny_view": scrutiny_view})
    return RedirectResponse(f"/officer/findings/{finding_id}#scrutiny", status_code=303)


@router.post("/findings/{finding_id}/comments")
def comment(request: Request, db: DbSession, user: SignedIn, finding_id: int,
            body: Annotated[str, Form(max_length=8000)] = ""):
    finding = findings.readable_finding(db, user, finding_id)
    try:
        findings.comment(db, finding, user, body)
    except InvalidInput as error:
        return _finding_page(request, db, user, finding, errors=error.errors, values={"body": body},
                             status_code=422)
    db.flush()
    if request.headers.get("hx-request"):
        return _finding_page(request, db, user, finding)
    return RedirectResponse(f"/officer/findings/{finding_id}#comments", status_code=303)


@router.post("/findings/{finding_id}/publish")
def publish(db: DbSession, user: Staff, finding_id: int):
    finding = findings.readable_finding(db, user, finding_id)
    findings.publish(db, finding, user)
    return RedirectResponse(f"/officer/findings/{finding_id}", status_code=303)
