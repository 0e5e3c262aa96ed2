"""The public home page."""

from fastapi import APIRouter, Request

from app.auth import CurrentUser, DbSession
from app.services import home
from app.templating import render

router = APIRouter()


@router.get("/")
def home_page(request: Request, db: DbSession, user: CurrentUser):
    return render(request, "home.html", {"open": home.open_for_residents(db)})
