"""/consultations: every consultation residents may see, filterable by status and searchable."""

from typing import Annotated

from fastapi import APIRouter, Query, Request

from app.auth import CurrentUser, DbSession
from app.i18n import _
from app.services.consultations import directory
from app.templating import render

router = APIRouter()


@router.get("/consultations")
def consultation_list(request: Request, db: DbSession, user: CurrentUser,
                      status: Annotated[str, Query(max_length=20)] = "",
                      q: Annotated[str, Query(max_length=200)] = "",
                      page: Annotated[int, Query(ge=1, le=100_000)] = 1):
    return render(request, "consultations/list.html", {
        "listing": directory.listing(db, status=status, term=q, page=page),
        "statuses": {key: _(label) for key, label in directory.STATUSES.items()},
        "status_of": directory.status_of})
