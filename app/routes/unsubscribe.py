"""The one unsubscribe link in outcome emails: a page with a button (link checkers never unsubscribe)."""

from fastapi import APIRouter, Request

from app.auth import DbSession
from app.services.reviews import outcomes
from app.templating import render

router = APIRouter(prefix="/unsubscribe")


@router.get("/{digest}/{signature}")
def unsubscribe_page(request: Request, digest: str, signature: str):
    return render(request, "unsubscribe/page.html", {"digest": digest, "signature": signature, "done": False})


@router.post("/{digest}/{signature}")
def unsubscribe(request: Request, db: DbSession, digest: str, signature: str):
    outcomes.unsubscribe(db, request.app.state.settings.secret_key, digest[:64], signature[:64])
    return render(request, "unsubscribe/page.html", {"digest": digest, "signature": signature, "done": True})
