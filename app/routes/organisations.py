"""Organisations as stakeholders: their page (public forums, submissions), members, submissions."""

from typing import Annotated

from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.responses import RedirectResponse, Response

from app.auth import CurrentUser, DbSession, SignedIn
from app.downloads import download_headers
from app.errors import InvalidInput, NotFound, RateLimited
from app.i18n import _
from app.services import forums, reviews
from app.services.accounts import ROLE_LABELS
from app.services.forums import membership as forums_membership
from app.services.forums import submissions as forums_submissions
from app.services.forums.submissions import Upload, is_member_of, is_organiser_of
from app.templating import render, render_form

router = APIRouter(prefix="/organisations")


def _organisation_page(request, db, user, organisation, **form):
    return render_form(request, "organisations/page.html", {
        "organisation": organisation,
        "forums": forums.list_forums(db, user, organisation_id=organisation.id, public_only=True),
        "submissions": forums_submissions.list_submissions(db, user, organisation),
        "members": forums_membership.list_members(db, user, organisation),
        "is_member": is_member_of(user, organisation), "is_organiser": is_organiser_of(user, organisation),
        "invited": request.query_params.get("invited"), "role_labels": ROLE_LABELS}, **form)


@router.get("/{slug}")
def organisation_page(request: Request, db: DbSession, user: CurrentUser, slug: str):
    return _organisation_page(request, db, user, forums.organisation_by_slug(db, slug))


@router.post("/{slug}/members")
def invite_member(request: Request, db: DbSession, user: SignedIn, slug: str,
                  email: Annotated[str, Form(max_length=320)] = ""):
    organisation = forums.organisation_by_slug(db, slug)
    limiter = request.app.state.rate_limiter
    if not limiter.allow("organisation-invite", "20/hour", str(user.id)):
        raise RateLimited(_("You have sent a lot of invitations. Wait an hour, then try again."))
    try:
        invitation = forums_membership.invite_member(db, user, organisation, email=email,
                                                     base_url=request.app.state.settings.base_url)
    except InvalidInput as error:
        return _organisation_page(request, db, user, organisation, errors=error.errors,
                                  values={"email": email}, status_code=422)
    return RedirectResponse(f"/organisations/{slug}?invited={invitation.email}#members", status_code=303)


def _new_page(request, db, organisation, **form):
    return render_form(request, "organisations/new_submission.html", {
        "organisation": organisation, "reviews": reviews.list_reviews(db),
        "consultations": forums.consultation_choices(db)}, **form)


@router.get("/{slug}/submissions/new")
def new_submission_page(request: Request, db: DbSession, user: SignedIn, slug: str):
    organisation = forums.organisation_by_slug(db, slug)
    if not is_member_of(user, organisation):
        raise NotFound()
    return _new_page(request, db, organisation)


@router.post("/{slug}/submissions/new")
async def create_submission(
    request: Request, db: DbSession, user: SignedIn, slug: str,
    title: Annotated[str, Form(max_length=200)] = "",
    review_id: Annotated[str, Form(max_length=20)] = "",
    consultation_id: Annotated[str, Form(max_length=20)] = "",
    body: Annotated[str, Form(max_length=100_000)] = "",
    attachments: Annotated[list[UploadFile] | None, File()] = None,
):
    organisation = forums.organisation_by_slug(db, slug)
    if not is_member_of(user, organisation):
        raise NotFound()
    uploads = []
    for upload in attachments or []:
        if upload.filename:
            content = await upload.read(forums_submissions.MAX_ATTACHMENT_BYTES + 1)
            uploads.append(Upload(upload.filename, upload.content_type or "", content))
    values = {"title": title, "review_id": review_id, "consultation_id": consultation_id, "body": body}
    try:
        submission = forums_submissions.draft(
            db, user, organisation, review_id=int(review_id) if review_id.isdigit() else 0,
            title=title, body=body, uploads=uploads,
            consultation_id=int(consultation_id) if consultation_id.isdigit() else None)
    except InvalidInput as error:
        return _new_page(request, db, organisation, errors=error.errors, values=values, status_code=422)
    return RedirectResponse(f"/organisations/{slug}/submissions/{submission.id}", status_code=303)


@router.get("/{slug}/submissions/{submission_id}")
def submission_page(request: Request, db: DbSession, user: CurrentUser, slug: str, submission_id: int):
    organisation = forums.organisation_by_slug(db, slug)
    submission = forums_submissions.get_submission(db, user, organisation, submission_id)
    return render(request, "organisations/submission.html", {
        "organisation": organisation, "submission": submission,
        "can_sign_off": is_organiser_of(user, organisation) and submission.status.value == "draft"})


@router.post("/{slug}/submissions/{submission_id}/sign-off")
def sign_off(request: Request, db: DbSession, user: SignedIn, slug: str, submission_id: int):
    organisation = forums.organisation_by_slug(db, slug)
    submission = forums_submissions.get_submission(db, user, organisation, submission_id)
    forums_submissions.sign_off(db, user, submission)
    return RedirectResponse(f"/organisations/{slug}/submissions/{submission_id}", status_code=303)


@router.get("/{slug}/submissions/{submission_id}/attachments/{attachment_id}")
def attachment(request: Request, db: DbSession, user: CurrentUser, slug: str, submission_id: int,
               attachment_id: int):
    organisation = forums.organisation_by_slug(db, slug)
    submission = forums_submissions.get_submission(db, user, organisation, submission_id)
    found = forums_submissions.get_attachment(db, submission, attachment_id)
    return Response(found.content, media_type="application/pdf", headers=download_headers(found.filename))
