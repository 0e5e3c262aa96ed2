"""The staff home page: the reviews this person can read, each linked, and the petitions waiting."""

from fastapi import APIRouter, Request

from app.auth import DbSession, SignedIn
from app.services import petitions
from app.services.petitions import moderation as petitions_moderation
from app.services.reviews import access as review_access
from app.templating import render

router = APIRouter()


@router.get("/officer")
def officer_home(request: Request, db: DbSession, user: SignedIn):
    context = {"reviews": review_access.readable_reviews(db, user)}
    if user.is_staff:  # how many petitions wait for moderation, and is that many?
        waiting = petitions_moderation.queue_length(db)
        alert = petitions.current_settings(db).moderation_queue_alert
        context["petition_queue"] = {"count": waiting, "long": waiting >= alert}
    return render(request, "officer/home.html", context)
