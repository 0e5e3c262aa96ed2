from sqlalchemy import select
from sqlalchemy.orm import Session

from app.models.review import Review


def list_reviews(db: Session) -> list[Review]:
    return list(db.scalars(select(Review).order_by(Review.created_at.desc(), Review.id.desc())))


def create_review(db: Session, *, title: str, service: str, summary: str = "") -> Review:
    review = Review(title=title, service=service, summary=summary)
    db.add(review)
    db.flush()
    return review
