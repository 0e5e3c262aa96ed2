"""What the home page offers residents: everything open for them to take part in now."""

from dataclasses import dataclass, field

from sqlalchemy.orm import Session

from app.models.review import Review
from app.services import reviews


@dataclass
class OpenForResidents:
    reviews: list[Review] = field(default_factory=list)


def open_for_residents(db: Session) -> OpenForResidents:
    return OpenForResidents(reviews=reviews.list_reviews(db))
