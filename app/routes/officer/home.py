"""The staff home page: the reviews this person can read, each linked."""

from fastapi import APIRouter, Request

from app.auth import DbSession, SignedIn
from app.services.reviews import access as review_access
from app.templating import render

router = APIRouter()


@router.get("/officer")
def officer_home(request: Request, db: DbSession, user: SignedIn):
    return render(request, "officer/home.html", {"reviews": review_access.readable_reviews(db, user)})
