"""Running forums: set up, settings, the moderation queue and decisions, meetings, export.

Moderators are officers and the organisers of the organisation running a forum; anyone else
gets a 404 here, as if the forum did not exist.
"""

from typing import Annotated

from fastapi import APIRouter, Form, Path, Request
from fastapi.responses import RedirectResponse, Response

from app.auth import DbSession, SignedIn
from app.csv_export import csv_text
from app.errors import InvalidInput, NotFound
from app.models.forum import ForumVisibility, ModerationMode
from app.services import accounts, forums, reviews
from app.services.forums import audit_trail as forums_audit
from app.services.forums import meetings as forums_meetings
from app.services.forums import moderation as forums_moderation
from app.services.forums import posting as forums_posting
from app.services.forums.export import export_rows
from app.services.forums.visibility import can_moderate, get_moderated_forum, get_thread, is_staff
from app.templating import render, render_form

router = APIRouter(prefix="/officer/forums")
Reason = Annotated[str, Form(max_length=500)]


@router.get("")
def overview(request: Request, db: DbSession, user: SignedIn):
    moderated = [item for item in forums.list_forums(db, user) if can_moderate(user, item.forum)]
    return render(request, "forums/officer/index.html", {
        "forums": moderated, "queue": forums_moderation.moderation_queue(db, user),
        "can_create": is_staff(user) or user.role.value == "organiser"})


def _new_page(request, db, user, **form):
    return render_form(request, "forums/officer/new.html", {
        "reviews": reviews.list_reviews(db), "organisations": accounts.list_organisations(db),
        "consultations": forums.consultation_choices(db),
        "visibilities": list(ForumVisibility), "staff": is_staff(user)},
        **{**form, "values": form.get("values") or {"prompt": forums.DEFAULT_PROMPT}})


@router.get("/new")
def new_forum_page(request: Request, db: DbSession, user: SignedIn):
    if not (is_staff(user) or user.role.value == "organiser"):
        raise NotFound()
    return _new_page(request, db, user)


@router.post("/new")
def create_forum(
    request: Request, db: DbSession, user: SignedIn,
    title: Annotated[str, Form(max_length=400)] = "",
    review_id: Annotated[str, Form(max_length=20)] = "",
    visibility: Annotated[str, Form(max_length=20)] = "",
    moderation: Annotated[str, Form(max_length=10)] = "post",
    description: Annotated[str, Form(max_length=4000)] = "",
    prompt: Annotated[str, Form(max_length=2000)] = "",
    organisation_id: Annotated[str, Form(max_length=20)] = "",
    member_organisation_ids: Annotated[list[str] | None, Form()] = None,
    consultation_id: Annotated[str, Form(max_length=20)] = "",
):
    values = {"title": title, "review_id": review_id, "consultation_id": consultation_id,
              "visibility": visibility, "moderation": moderation,
              "description": description, "prompt": prompt, "organisation_id": organisation_id,
              "member_organisation_ids": member_organisation_ids or []}
    chosen = ForumVisibility(visibility) if visibility in ForumVisibility.__members__.values() else None
    org_id = user.organisation_id if not is_staff(user) else (
        int(organisation_id) if organisation_id.isdigit() else None)
    try:
        forum = forums.create_forum(
            db, user,
            review_id=None if review_id == "none" else (int(review_id) if review_id.isdigit() else 0),
            title=title,
            visibility=chosen, organisation_id=org_id, description=description, prompt=prompt,
            moderation=ModerationMode.PRE if moderation == "pre" else ModerationMode.POST,
            member_organisation_ids=[int(i) for i in member_organisation_ids or [] if i.isdigit()],
            consultation_id=int(consultation_id) if consultation_id.isdigit() else None)
    except InvalidInput as error:
        return _new_page(request, db, user, errors=error.errors, values=values, status_code=422)
    return RedirectResponse(f"/forums/{forum.id}", status_code=303)


def _manage_page(request, db, user, forum, **form):
    queue = [item for item in forums_moderation.moderation_queue(db, user) if item.forum.id == forum.id]
    return render_form(request, "forums/officer/manage.html", {
        "forum": forum, "queue": queue, "organisations": accounts.list_organisations(db),
        "meetings": forums_meetings.list_meetings(db, forum)}, **form)


@router.get("/{forum_id}")
def manage(request: Request, db: DbSession, user: SignedIn, forum_id: int):
    return _manage_page(request, db, user, get_moderated_forum(db, user, forum_id))


@router.post("/{forum_id}/settings")
def settings(request: Request, db: DbSession, user: SignedIn, forum_id: int,
             prompt: Annotated[str, Form(max_length=2000)] = "",
             moderation: Annotated[str, Form(max_length=10)] = "post",
             is_open: Annotated[str, Form(max_length=5)] = ""):
    forum = get_moderated_forum(db, user, forum_id)
    forums.update_settings(db, user, forum, prompt=prompt, is_open=is_open == "yes",
                           moderation=ModerationMode.PRE if moderation == "pre" else ModerationMode.POST)
    return RedirectResponse(f"/officer/forums/{forum_id}?saved=1", status_code=303)


@router.post("/{forum_id}/meetings")
def record_meeting(request: Request, db: DbSession, user: SignedIn, forum_id: int,
                   held_on: Annotated[str, Form(max_length=20)] = "",
                   title: Annotated[str, Form(max_length=200)] = "",
                   notes: Annotated[str, Form(max_length=50_000)] = "",
                   organisation_ids: Annotated[list[str] | None, Form()] = None):
    forum = get_moderated_forum(db, user, forum_id)
    ids = [int(i) for i in organisation_ids or [] if i.isdigit()]
    try:
        forums_meetings.record_meeting(db, user, forum, held_on=held_on, title=title, notes=notes,
                                       organisation_ids=ids)
    except InvalidInput as error:
        return _manage_page(request, db, user, forum, errors=error.errors, status_code=422, values={
            "held_on": held_on, "title": title, "notes": notes, "organisation_ids": [str(i) for i in ids]})
    return RedirectResponse(f"/forums/{forum_id}", status_code=303)


@router.get("/{forum_id}/audit")
def audit_trail(request: Request, db: DbSession, user: SignedIn, forum_id: int):
    forum = get_moderated_forum(db, user, forum_id)
    return render(request, "forums/officer/audit.html", {
        "forum": forum, "entries": forums_audit.trail(db, user, forum)})


@router.get("/{forum_id}/export.csv")
def export(request: Request, db: DbSession, user: SignedIn, forum_id: int):
    forum = get_moderated_forum(db, user, forum_id)
    return Response(csv_text(export_rows(db, user, forum)), media_type="text/csv; charset=utf-8", headers={
        "Content-Disposition": f'attachment; filename="forum-{forum.id}-posts.csv"',
        "Cache-Control": "no-store"})


def _post_page(request, db, user, forum, post, **form):
    thread = get_thread(db, user, forum.id, post.thread_id)
    loaded = forums_posting.get_post_with_author(db, forum, post.public_id)
    return render_form(request, "forums/officer/post.html", {
        "forum": forum, "thread": thread,
        "post": forums_posting.post_view(loaded, user, forum, request.app.state.settings.secret_key),
        "reports": forums_moderation.open_reports(db, post)},
        **form)


PostRef = Annotated[str, Path(max_length=16)]  # a post's random public id


@router.get("/{forum_id}/posts/{post_id}")
def post_page(request: Request, db: DbSession, user: SignedIn, forum_id: int, post_id: PostRef):
    forum = get_moderated_forum(db, user, forum_id)
    return _post_page(request, db, user, forum, forums_posting.get_post(db, forum, post_id))


@router.post("/{forum_id}/posts/{post_id}/{action}")
def decide(request: Request, db: DbSession, user: SignedIn, forum_id: int, post_id: PostRef, action: str,
           reason: Reason = ""):
    forum = get_moderated_forum(db, user, forum_id)
    post = forums_posting.get_post(db, forum, post_id)
    try:
        if action == "hide":
            forums_moderation.hide(db, user, forum, post, reason=reason)
        elif action == "restore":
            forums_moderation.restore(db, user, forum, post)
        elif action == "approve":
            forums_moderation.approve(db, user, forum, post)
        elif action == "reject":
            forums_moderation.reject(db, user, forum, post, reason=reason)
        elif action == "bar":
            forums_moderation.bar_poster(db, user, forum, post, reason=reason)
        elif action == "dismiss":
            forums_moderation.dismiss_reports(db, user, forum, post)
        else:
            raise NotFound()
    except InvalidInput as error:
        errors = {f"{action}-reason": message for message in error.errors.values()}
        return _post_page(request, db, user, forum, post, errors=errors,
                          values={f"{action}-reason": reason}, status_code=422)
    return RedirectResponse(f"/officer/forums/{forum_id}/posts/{post.public_id}?done={action}",
                            status_code=303)


@router.post("/{forum_id}/threads/{thread_id}/lock")
def lock(request: Request, db: DbSession, user: SignedIn, forum_id: int, thread_id: int,
         locked: Annotated[str, Form(max_length=5)] = "yes"):
    forum = get_moderated_forum(db, user, forum_id)
    thread = get_thread(db, user, forum.id, thread_id)
    forums_moderation.set_locked(db, user, forum, thread, locked=locked == "yes")
    return RedirectResponse(f"/forums/{forum_id}/threads/{thread_id}", status_code=303)


@router.post("/{forum_id}/threads/{thread_id}/pin")
def pin(db: DbSession, user: SignedIn, forum_id: int, thread_id: int,
        pinned: Annotated[str, Form(max_length=5)] = "yes"):
    forum = get_moderated_forum(db, user, forum_id)
    thread = get_thread(db, user, forum.id, thread_id)
    forums_moderation.set_pinned(db, user, forum, thread, pinned=pinned == "yes")
    return RedirectResponse(f"/forums/{forum_id}/threads/{thread_id}", status_code=303)
