"""Reviews and their lifecycle: create, edit, schedule, move through the timeline, publish, conclude.

planned → in progress → concluded. A review starts at scoping; moving on from scoping starts it;
concluding records the council's decision with its date and moves it to implementation. Every
change is audited. Admins and officers do all of it (`review_access.require_staff`); a
councillor in the team reads and comments but never edits.
"""

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload, selectinload

from app.errors import Conflict, InvalidInput, NotFound
from app.i18n import N_, _
from app.models.base import utcnow
from app.models.review import Review, ReviewStageDate, ReviewStatus, TimelineStage
from app.models.user import Role, User
from app.services import audit
from app.services.consultations.rules import clean_text
from app.services.reviews import access as review_access


def list_reviews(db: Session) -> list[Review]:
    return list(db.scalars(select(Review).order_by(Review.created_at.desc(), Review.id.desc())))


def public_reviews(db: Session) -> list[Review]:
    """Reviews the council has made public: residents see these and their timelines."""
    return list(db.scalars(select(Review).where(Review.is_public.is_(True))
                           .order_by(Review.created_at.desc(), Review.id.desc())))


def public_review(db: Session, review_id: int) -> Review:
    review = db.scalar(select(Review).options(selectinload(Review.stage_dates))
                       .where(Review.id == review_id, Review.is_public.is_(True)))
    if review is None:
        raise NotFound()
    return review


def get_review(db: Session, review_id: int) -> Review:
    review = db.scalar(select(Review).options(selectinload(Review.stage_dates),
                                              joinedload(Review.lead_officer))
                       .where(Review.id == review_id))
    if review is None:
        raise NotFound()
    return review


def staff_accounts(db: Session) -> list[User]:
    """Who can lead a review: active admins and officers."""
    return list(db.scalars(select(User).where(User.role.in_([Role.ADMIN, Role.OFFICER]),
                                              User.is_active.is_(True)).order_by(User.display_name)))


def _check(db: Session, *, title: str, service: str, summary: str, scope: str,
           lead_officer_id: int | None, starts_on: date | None, ends_on: date | None) -> dict[str, str]:
    errors = {}
    if not title:
        errors["title"] = _("Enter the review's title")
    elif len(title) > 200:
        errors["title"] = _("Title must be 200 characters or fewer")
    if not service:
        errors["service"] = _("Enter the service under review")
    elif len(service) > 200:
        errors["service"] = _("Service must be 200 characters or fewer")
    if len(summary) > 10_000:
        errors["summary"] = _("Summary must be 10,000 characters or fewer")
    if len(scope) > 20_000:
        errors["scope"] = _("Scope must be 20,000 characters or fewer")
    if lead_officer_id is not None and lead_officer_id not in {u.id for u in staff_accounts(db)}:
        errors["lead_officer_id"] = _("Choose a council officer to lead the review")
    if starts_on and ends_on and ends_on < starts_on:
        errors["ends_on"] = _("The end date must be on or after the start date")
    return errors


def create_review(db: Session, *, title: str, service: str, summary: str = "", scope: str = "",
                  lead_officer_id: int | None = None, starts_on: date | None = None,
                  ends_on: date | None = None, actor: User | None = None) -> Review:
    if actor is not None:
        review_access.require_staff(actor)
    title, service, summary, scope = (clean_text(v) for v in (title, service, summary, scope))
    errors = _check(db, title=title, service=service, summary=summary, scope=scope,
                    lead_officer_id=lead_officer_id, starts_on=starts_on, ends_on=ends_on)
    if errors:
        raise InvalidInput(errors)
    review = Review(title=title, service=service, summary=summary, scope=scope,
                    lead_officer_id=lead_officer_id, starts_on=starts_on, ends_on=ends_on,
                    status=ReviewStatus.PLANNED, stage=TimelineStage.SCOPING)
    db.add(review)
    db.flush()
    audit.record(db, actor_id=actor.id if actor else None, action="review.create", object_type="review",
                 object_id=review.id, title=title)
    return review


def update_review(db: Session, review: Review, *, title: str, service: str, summary: str, scope: str,
                  lead_officer_id: int | None, starts_on: date | None, ends_on: date | None,
                  is_public: bool, actor: User) -> Review:
    review_access.require_staff(actor)
    title, service, summary, scope = (clean_text(v) for v in (title, service, summary, scope))
    errors = _check(db, title=title, service=service, summary=summary, scope=scope,
                    lead_officer_id=lead_officer_id, starts_on=starts_on, ends_on=ends_on)
    if errors:
        raise InvalidInput(errors)
    review.title, review.service, review.summary, review.scope = title, service, summary, scope
    review.lead_officer_id, review.starts_on, review.ends_on = lead_officer_id, starts_on, ends_on
    review.is_public = is_public
    audit.record(db, actor_id=actor.id, action="review.update", object_type="review", object_id=review.id,
                 is_public=is_public)
    return review


def schedule(db: Session, review: Review, dates: dict[TimelineStage, tuple[date | None, date | None]],
             *, actor: User) -> None:
    """Plan when each stage starts and ends. Blank dates leave a stage unscheduled."""
    review_access.require_staff(actor)
    errors = {}
    for stage, (starts_on, ends_on) in dates.items():
        if starts_on and ends_on and ends_on < starts_on:
            errors[f"{stage.value}_ends_on"] = (
                _("{stage}: the end date must be on or after the start date").format(stage=_(stage.label)))
    if errors:
        raise InvalidInput(errors)
    existing = {row.stage: row for row in review.stage_dates}
    for stage, (starts_on, ends_on) in dates.items():
        row = existing.get(stage)
        if row is None:
            review.stage_dates.append(ReviewStageDate(stage=stage, starts_on=starts_on, ends_on=ends_on))
        else:
            row.starts_on, row.ends_on = starts_on, ends_on
    audit.record(db, actor_id=actor.id, action="review.schedule", object_type="review", object_id=review.id,
                 stages={s.value: [d.isoformat() if d else None for d in v] for s, v in dates.items()})
    db.flush()


def move_to(db: Session, review: Review, stage: TimelineStage, *, actor: User) -> None:
    """Move the review to another stage of its timeline (the decision itself is `conclude`)."""
    review_access.require_staff(actor)
    if review.is_concluded and stage.position < TimelineStage.IMPLEMENTATION.position:
        raise Conflict(_("This review is concluded: it can only move on to implementation and follow-up."))
    if not review.is_concluded and stage.position > TimelineStage.DECISION.position:
        raise Conflict(_("Record the decision (conclude the review) before implementation."))
    previous = review.stage
    review.stage = stage
    if review.status == ReviewStatus.PLANNED and stage != TimelineStage.SCOPING:
        review.status = ReviewStatus.IN_PROGRESS
    audit.record(db, actor_id=actor.id, action="review.stage", object_type="review", object_id=review.id,
                 previous=previous.value, stage=stage.value)


def conclude(db: Session, review: Review, *, decision: str, decided_on: date | None, actor: User) -> None:
    """Record the council's decision, with its date: the review is concluded."""
    review_access.require_staff(actor)
    if review.is_concluded:
        raise Conflict(_("This review is already concluded."))
    decision = clean_text(decision)
    errors = {}
    if not decision:
        errors["decision"] = _("Enter the decision the council made")
    elif len(decision) > 20_000:
        errors["decision"] = _("Decision must be 20,000 characters or fewer")
    if decided_on is None:
        errors["decided_on"] = _("Enter the date of the decision")
    elif decided_on > utcnow().date():
        errors["decided_on"] = _("The date of the decision must be today or in the past")
    if errors:
        raise InvalidInput(errors)
    review.decision, review.decided_on = decision, decided_on
    review.status, review.stage = ReviewStatus.CONCLUDED, TimelineStage.IMPLEMENTATION
    review.concluded_at = utcnow()
    audit.record(db, actor_id=actor.id, action="review.conclude", object_type="review", object_id=review.id,
                 decided_on=decided_on.isoformat())


@dataclass(frozen=True)
class TimelineEntry:
    stage: TimelineStage
    state: str  # "done", "current" or "upcoming"
    starts_on: date | None
    ends_on: date | None

    @property
    def state_label(self) -> str:
        return {"done": N_("Done"), "current": N_("Now"), "upcoming": N_("To come")}[self.state]

    @property
    def is_current(self) -> bool:
        return self.state == "current"


def timeline(review: Review) -> list[TimelineEntry]:
    """Each stage in order, whether it is done, current or to come, with its planned dates."""
    planned = {row.stage: row for row in review.stage_dates}
    entries = []
    for stage in TimelineStage:
        concluded = review.is_concluded
        if (concluded and stage == TimelineStage.DECISION) or stage.position < review.stage.position:
            state = "done"
        elif stage == review.stage:
            state = "current"
        else:
            state = "upcoming"
        row = planned.get(stage)
        entries.append(TimelineEntry(stage, state, row.starts_on if row else None,
                                     row.ends_on if row else None))
    return entries
