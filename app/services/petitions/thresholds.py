"""Thresholds: supporters → awaiting moderation; response and debate thresholds → obligations.

Runs in the job path after a confirmation commits (never in the signing request): a slow mail
server or 20,000 notification emails never slow anyone down. Each crossing is recorded with a
conditional UPDATE, so two jobs racing on the same petition notify people exactly once.
"""

from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from app.models.base import utcnow
from app.models.petition import Petition, PetitionSignature, PetitionState
from app.models.resident import PetitionFollow
from app.models.user import Role, User
from app.services import audit
from app.services.email import queue_email
from app.services.petitions import counted, current_settings, signature_count, supporter_count


def check_thresholds(
    db: Session, petition_id: int, *, base_url: str, now: datetime | None = None
) -> list[str]:
    """Move the petition on if a threshold is crossed; return the crossings (for logs and tests)."""
    now = now or utcnow()
    petition = db.get(Petition, petition_id)
    if petition is None:
        return []
    settings = current_settings(db)
    crossed: list[str] = []
    if petition.state == PetitionState.VALIDATED:
        if supporter_count(db, petition_id) >= settings.supporters_needed and _mark(
            db,
            petition_id,
            Petition.sponsored_at,
            now,
            state_from=PetitionState.VALIDATED,
            state_to=PetitionState.SPONSORED,
        ):
            crossed.append("sponsored")
            _notify_officers(db, petition, base_url, "petition_awaits_moderation")
            db.refresh(petition)
        return crossed
    if not petition.is_open:
        return crossed
    count = signature_count(db, petition_id)
    if count >= settings.response_threshold and _mark(
        db, petition_id, Petition.response_threshold_reached_at, now
    ):
        crossed.append("response")
        _notify_officers(
            db,
            petition,
            base_url,
            "petition_threshold_officers",
            kind="response",
            threshold=settings.response_threshold,
            count=count,
        )
        notify_signers(
            db,
            petition,
            base_url,
            "petition_threshold_signers",
            kind="response",
            threshold=settings.response_threshold,
        )
    if count >= settings.debate_threshold and _mark(
        db, petition_id, Petition.debate_threshold_reached_at, now
    ):
        crossed.append("debate")
        _notify_officers(
            db,
            petition,
            base_url,
            "petition_threshold_officers",
            kind="debate",
            threshold=settings.debate_threshold,
            count=count,
        )
        notify_signers(
            db,
            petition,
            base_url,
            "petition_threshold_signers",
            kind="debate",
            threshold=settings.debate_threshold,
        )
    if crossed:
        db.refresh(petition)
    return crossed


def _mark(db: Session, petition_id: int, column, now: datetime, *, state_from=None, state_to=None) -> bool:
    """Set a reached-at column once (and change state); False if another job got there first."""
    statement = update(Petition).where(Petition.id == petition_id, column.is_(None))
    values = {column.key: now}
    if state_from is not None:
        statement = statement.where(Petition.state == state_from)
        values["state"] = state_to
    result = db.execute(statement.values(**values).execution_options(synchronize_session=False))
    if result.rowcount:
        audit.record(
            db,
            actor_id=None,
            action=f"petition.threshold.{column.key}",
            object_type="petition",
            object_id=petition_id,
        )
    return bool(result.rowcount)


def officers_to_notify(db: Session, petition: Petition) -> list[User]:
    """The petition's own officer when one is assigned; otherwise every active officer and admin."""
    if petition.officer_id is not None:
        officer = db.get(User, petition.officer_id)
        if officer is not None and officer.is_active:
            return [officer]
    return list(
        db.scalars(
            select(User)
            .where(User.role.in_([Role.OFFICER, Role.ADMIN]), User.is_active.is_(True))
            .order_by(User.id)
        )
    )


def _notify_officers(db: Session, petition: Petition, base_url: str, template: str, **context) -> None:
    for officer in officers_to_notify(db, petition):
        queue_email(
            db,
            template,
            to=officer.email,
            language=officer.language,
            name=officer.display_name,
            title=petition.title,
            link=f"{base_url}/officer/petitions/{petition.id}",
            **context,
        )


def notify_signers(db: Session, petition: Petition, base_url: str, template: str, **context) -> int:
    """Email every counted signer who asked to hear about this petition (email `template`, given
    `name`, `title`, `link` and `context`); return how many."""
    rows = db.execute(
        select(PetitionSignature.email, PetitionSignature.name, PetitionSignature.language)
        .where(
            PetitionSignature.petition_id == petition.id,
            counted(),
            PetitionSignature.notify_by_email.is_(True),
            PetitionSignature.email.is_not(None),
        )
        .order_by(PetitionSignature.id)
    ).all()
    for email, name, language in rows:
        queue_email(
            db,
            template,
            to=email,
            concerns=f"petition:{petition.id}",
            language=language,
            name=name,
            title=petition.title,
            link=f"{base_url}/petitions/{petition.id}",
            **context,
        )
    return len(rows) + _notify_followers(db, petition, base_url, template, context,
                                         told={email.lower() for email, _name, _language in rows})


def _notify_followers(db: Session, petition: Petition, base_url: str, template: str, context: dict, *,
                      told: set[str]) -> int:
    """Residents following the petition (issue 27), in their language, each once: a follower who signed
    asking for news was told above. `emails/petition_followed` says what `template` told the signers."""
    followers = db.execute(
        select(User.email, User.display_name, User.language)
        .join(PetitionFollow, PetitionFollow.user_id == User.id)
        .where(PetitionFollow.petition_id == petition.id, User.is_active.is_(True))
        .order_by(PetitionFollow.id)
    ).all()
    sent = 0
    for email, name, language in followers:
        if email.lower() in told:
            continue
        queue_email(db, "petition_followed", to=email, concerns=f"petition:{petition.id}", language=language,
                    name=name, title=petition.title, link=f"{base_url}/petitions/{petition.id}",
                    my_chorus=f"{base_url}/my-chorus", news=template, **context)
        sent += 1
    return sent
