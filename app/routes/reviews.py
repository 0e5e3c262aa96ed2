"""Public review pages: a review's timeline, its public consultations and, once made, its decision."""

from fastapi import APIRouter, Request

from app.auth import CurrentUser, DbSession
from app.models.consultation import Consultation
from app.services import consultations, reviews
from app.services.reviews import benchmarks, indicators
from app.templating import render

router = APIRouter(prefix="/reviews")


@router.get("")
def review_list(request: Request, db: DbSession, user: CurrentUser):
    return render(request, "reviews/list.html", {"reviews": reviews.public_reviews(db)})


@router.get("/{review_id:int}")
def review_page(request: Request, db: DbSession, user: CurrentUser, review_id: int):
    review = reviews.public_review(db, review_id)
    review_consultations = list(db.scalars(
        consultations.visible_consultations().where(Consultation.review_id == review.id)
        .order_by(Consultation.id)))
    return render(request, "reviews/page.html", {
        "review": review, "timeline": reviews.timeline(review), "consultations": review_consultations,
        "adopted": indicators.adopted(db, review.id),
        "comparisons": benchmarks.public_comparisons(db, review.id)})


