"""Indicators proposed from a review's forum (issue 24, decision 0103): a member proposes something the
review should measure, counted as their organisation type (staff, organisation, resident)."""

from typing import Annotated

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import RedirectResponse

from app.auth import DbSession, SignedIn
from app.errors import InvalidInput, NotFound
from app.i18n import _
from app.models.review import Review
from app.services.forums.visibility import can_post, get_forum, get_thread
from app.services.reviews import indicators
from app.templating import render_form

router = APIRouter(prefix="/forums/{forum_id:int}/indicators")


def _page(request, db, user, forum, *, thread=None, **form):
    if forum.review_id is None:
        raise NotFound()
    review = db.get(Review, forum.review_id)
    return render_form(
        request,
        "forums/indicators.html",
        {
            "forum": forum,
            "review": review,
            "thread": thread,
            "proposer": indicators.forum_proposer_type(db, user),
            "can_propose": can_post(user, forum) and user.role.value != "councillor",
            "proposals": indicators.forum_proposals(db, forum.id),
            "proposed": request.query_params.get("proposed") == "1",
        },
        **form,
    )


@router.get("")
def proposal_page(
    request: Request,
    db: DbSession,
    user: SignedIn,
    forum_id: int,
    thread: Annotated[int | None, Query(ge=1, le=2**31 - 1)] = None,
):
    forum = get_forum(db, user, forum_id)
    found = get_thread(db, user, forum_id, thread) if thread else None
    values = {"reason": _("Raised in the thread “{title}”.").format(title=found.title)} if found else {}
    return _page(request, db, user, forum, thread=found, values=values)


@router.post("")
def propose(
    request: Request,
    db: DbSession,
    user: SignedIn,
    forum_id: int,
    name: Annotated[str, Form(max_length=1000)] = "",
    reason: Annotated[str, Form(max_length=8000)] = "",
):
    try:
        indicators.propose_from_forum(db, forum_id, user, name=name, reason=reason)
    except InvalidInput as error:
        forum = get_forum(db, user, forum_id)
        return _page(
            request,
            db,
            user,
            forum,
            errors=error.errors,
            values={"name": name, "reason": reason},
            status_code=422,
        )
    return RedirectResponse(f"/forums/{forum_id}/indicators?proposed=1#proposed", status_code=303)
