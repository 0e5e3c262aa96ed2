"""Open data: published petitions with their signature counts and states."""

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Query, Request
from pydantic import BaseModel

from app.auth import DbSession
from app.models.petition import PUBLIC_STATUS_LABELS, Petition
from app.routes.petitions import caches
from app.services import petitions

router = APIRouter(prefix="/api/v1/petitions", tags=["petitions"])


class PetitionSummary(BaseModel):
    id: int
    title: str
    state: str
    status: str
    status_label: str
    signature_count: int
    opened_at: datetime | None
    closes_at: datetime | None
    review_id: int | None
    url: str


class PetitionDetail(PetitionSummary):
    action: str
    background: str
    rejection_code: str | None
    rejection_text: str
    response_threshold_reached_at: datetime | None
    debate_threshold_reached_at: datetime | None
    responded_at: datetime | None
    response_text: str
    debated_at: datetime | None
    debate_outcome: str


class PetitionList(BaseModel):
    petitions: list[PetitionSummary]


def _summary(request: Request, petition: Petition, count: int) -> dict:
    return {
        "id": petition.id,
        "title": petition.title,
        "state": petition.state.value,
        "status": petition.public_status,
        "status_label": PUBLIC_STATUS_LABELS[petition.public_status],
        "signature_count": count,
        "opened_at": petition.opened_at,
        "closes_at": petition.closes_at,
        "review_id": petition.review_id,
        "url": f"{request.app.state.settings.base_url}/petitions/{petition.id}",
    }


@router.get("", response_model=PetitionList)
def list_petitions(
    request: Request,
    db: DbSession,
    status: Annotated[
        str,
        Query(
            max_length=40,
            description="open, awaiting_response, responded, debated, closed, rejected; empty for all",
        ),
    ] = "",
    q: Annotated[str, Query(max_length=200, description="words to search for")] = "",
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    offset: Annotated[int, Query(ge=0)] = 0,
):
    found = petitions.search(db, status=status, words=q, limit=limit, offset=offset)
    counts = petitions.cached_counts(db, [p.id for p in found], caches(request))
    return {"petitions": [_summary(request, p, counts[p.id]) for p in found]}


@router.get("/{petition_id}", response_model=PetitionDetail)
def get_petition(request: Request, db: DbSession, petition_id: int):
    petition = petitions.get_visible(db, petition_id)
    count = petitions.cached_count(db, petition.id, caches(request))
    return {
        **_summary(request, petition, count),
        "action": petition.action,
        "background": petition.background,
        "rejection_code": petition.rejection_code.value if petition.rejection_code else None,
        "rejection_text": petition.rejection_text,
        "response_threshold_reached_at": petition.response_threshold_reached_at,
        "debate_threshold_reached_at": petition.debate_threshold_reached_at,
        "responded_at": petition.responded_at,
        "response_text": petition.response_text,
        "debated_at": petition.debated_at,
        "debate_outcome": petition.debate_outcome,
    }
