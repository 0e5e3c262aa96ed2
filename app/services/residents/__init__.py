"""What a resident follows (issue 27): consultations, petitions and forum threads, each told in the
resident's language.

- A consultation: a results sign-up for the account's address (`reviews.outcomes.subscribe`), so the
  resident gets the one "results published" email with everyone else who asked, in their language.
- A petition: a `PetitionFollow`; the resident is emailed with its signers who asked for news
  (`petitions.thresholds.notify_signers`: the council's response, the debate, the thresholds).
- A forum thread: a `ThreadFollow` (`forums.notifications`), with its digest of new posts.

Only residents' accounts follow here (staff and members follow threads on the thread page as before).
Every follow is erased with the account (privacy.subject_access).
"""

from dataclasses import dataclass

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session, joinedload

from app.models.consultation import Consultation
from app.models.finding import ResultsSubscriber
from app.models.forum import Thread, ThreadFollow
from app.models.petition import Petition
from app.models.resident import PetitionFollow
from app.models.user import User
from app.services import consultations, petitions
from app.services.accounts.residents import require_resident
from app.services.forums.visibility import visible_threads
from app.services.reviews import outcomes


def follow_consultation(db: Session, user: User, consultation_id: int) -> Consultation:
    require_resident(user)
    consultation = consultations.public_consultation(db, consultation_id)
    outcomes.subscribe(db, consultation, user.email, language=user.language)
    return consultation


def unfollow_consultation(db: Session, user: User, consultation_id: int) -> None:
    require_resident(user)
    db.execute(
        delete(ResultsSubscriber).where(
            ResultsSubscriber.consultation_id == consultation_id,
            func.lower(ResultsSubscriber.email) == user.email.lower(),
        )
    )


def follow_petition(db: Session, user: User, petition_id: int) -> Petition:
    require_resident(user)
    petition = petitions.get_visible(db, petition_id)
    if not is_following_petition(db, user, petition.id):
        db.add(PetitionFollow(petition_id=petition.id, user_id=user.id))
        db.flush()
    return petition


def unfollow_petition(db: Session, user: User, petition_id: int) -> None:
    require_resident(user)
    db.execute(
        delete(PetitionFollow).where(
            PetitionFollow.petition_id == petition_id, PetitionFollow.user_id == user.id
        )
    )


def is_following_petition(db: Session, user: User | None, petition_id: int) -> bool:
    if user is None:
        return False
    return (
        db.scalar(
            select(PetitionFollow.id).where(
                PetitionFollow.petition_id == petition_id, PetitionFollow.user_id == user.id
            )
        )
        is not None
    )


def is_following_consultation(db: Session, user: User | None, consultation_id: int) -> bool:
    if user is None:
        return False
    return (
        db.scalar(
            select(ResultsSubscriber.id).where(
                ResultsSubscriber.consultation_id == consultation_id,
                func.lower(ResultsSubscriber.email) == user.email.lower(),
                ResultsSubscriber.notified_at.is_(None),
            )
        )
        is not None
    )


@dataclass(frozen=True)
class Follows:
    consultations: list[tuple[Consultation, bool]]  # (consultation, already told)
    petitions: list[Petition]
    threads: list[Thread]


def follows(db: Session, user: User) -> Follows:
    """What this resident follows (threads only where they may still read them)."""
    require_resident(user)
    subscribed = db.execute(
        select(Consultation, ResultsSubscriber.notified_at)
        .join(ResultsSubscriber, ResultsSubscriber.consultation_id == Consultation.id)
        .where(func.lower(ResultsSubscriber.email) == user.email.lower())
        .order_by(ResultsSubscriber.id)
    ).all()
    followed_petitions = list(
        db.scalars(
            petitions.visible_petitions()
            .join(PetitionFollow, PetitionFollow.petition_id == Petition.id)
            .where(PetitionFollow.user_id == user.id)
            .order_by(PetitionFollow.id)
        )
    )
    threads = list(
        db.scalars(
            visible_threads(user)
            .join(ThreadFollow, ThreadFollow.thread_id == Thread.id)
            .where(ThreadFollow.user_id == user.id)
            .options(joinedload(Thread.forum))
            .order_by(ThreadFollow.id)
        )
    )
    return Follows([(c, told is not None) for c, told in subscribed], followed_petitions, threads)
