"""What the home page offers residents: everything open for them to take part in now."""

from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.models.consultation import Consultation, ConsultationState
from app.models.review import Review
from app.services import consultations, forums, panels, petitions, reviews


@dataclass
class OpenForResidents:
    reviews: list[Review] = field(default_factory=list)
    petitions: list = field(default_factory=list)  # open petitions, most recent first
    petition_counts: dict[int, int] = field(default_factory=dict)
    consultations: list = field(default_factory=list)  # open consultations, closing soonest first
    panels: list = field(default_factory=list)  # citizens' panels recruiting volunteers
    forums: list = field(default_factory=list)  # public stakeholder forums (ForumSummary)
    results: list = field(default_factory=list)  # published consultations: "you said, we did"


def open_for_residents(db: Session) -> OpenForResidents:
    found = OpenForResidents(reviews=reviews.public_reviews(db))
    _add_open_petitions(db, found)
    _add_open_consultations(db, found)
    _add_recruiting_panels(db, found)
    _add_public_forums(db, found)
    _add_published_results(db, found)
    return found


def _add_open_petitions(db: Session, found: OpenForResidents) -> None:
    found.petitions = petitions.open_petitions(db, limit=5)
    found.petition_counts = petitions.signature_counts(db, [p.id for p in found.petitions])


def _add_open_consultations(db: Session, found: OpenForResidents) -> None:
    found.consultations = consultations.open_consultations(db)


def _add_recruiting_panels(db: Session, found: OpenForResidents) -> None:
    found.panels = panels.recruiting_panels(db)


def _add_public_forums(db: Session, found: OpenForResidents) -> None:
    found.forums = forums.forums_for_home(db)


def _add_published_results(db: Session, found: OpenForResidents) -> None:
    found.results = list(db.scalars(select(Consultation).where(
        Consultation.state == ConsultationState.PUBLISHED).order_by(Consultation.id.desc()).limit(5)))
