"""Outreach links: an organisation's invitation to join the pool, tagging the volunteers it brings.

The link is the public join page with `?via=<token>`; the form carries the token, and a volunteer
who joins through it is tagged with that outreach (`PanelVolunteer.outreach_id`). The token is
printed in newsletters and posters, so it is no secret: an unknown, revoked or other panel's
token is ignored, never an error for the volunteer. Someone already in the pool who signs up again
through a link is not counted: the link did not bring them.
"""

import re
import secrets
from collections import Counter
from dataclasses import dataclass

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from app.errors import Conflict, InvalidInput, NotFound
from app.i18n import _
from app.models.base import utcnow
from app.models.organisation import Organisation
from app.models.panel import Panel, PanelOutreach, PanelSpecialProfile, PanelVolunteer
from app.models.user import Role, User
from app.services import audit
from app.services.accounts import check_email
from app.services.email import queue_email
from app.services.panels import pool as panels_pool

TOKEN_SHAPE = re.compile(r"^[A-Za-z0-9_-]{8,40}$")
EMAIL_TEMPLATE = "panel_outreach_invitation"


def join_link(base_url: str, panel_id: int, token: str) -> str:
    return f"{base_url}/panels/{panel_id}/join?via={token}"


def clean_via(via: str | None) -> str:
    """The token as the join form may carry it again, or "" for anything not shaped like one."""
    via = (via or "").strip()
    return via if TOKEN_SHAPE.match(via) else ""


def active_link(db: Session, panel_id: int, via: str | None) -> PanelOutreach | None:
    via = clean_via(via)
    if not via:
        return None
    return db.scalar(select(PanelOutreach).where(
        PanelOutreach.token == via, PanelOutreach.panel_id == panel_id, PanelOutreach.revoked_at.is_(None)))


def _already_in_pool(db: Session, panel_id: int, email: str) -> bool:
    try:
        address = check_email(email)
    except InvalidInput:
        return False  # join() says what is wrong with it
    return db.scalar(select(PanelVolunteer.id).where(PanelVolunteer.panel_id == panel_id,
                                                     PanelVolunteer.email == address)) is not None


def join(db: Session, panel: Panel, form: panels_pool.VolunteerForm, *, via: str | None, base_url: str
         ) -> PanelVolunteer:
    """Join the pool (panels_pool.join), tagged with the outreach link it came through, if live."""
    link = active_link(db, panel.id, via)
    already = link is not None and _already_in_pool(db, panel.id, form.email)
    volunteer = panels_pool.join(db, panel, form, base_url=base_url)
    if link is not None and not already and volunteer.outreach_id is None:
        volunteer.outreach_id = link.id
        db.execute(update(PanelOutreach).where(PanelOutreach.id == link.id)
                   .values(joined=PanelOutreach.joined + 1))
        audit.record(db, actor_id=None, action="panel.outreach_join", object_type="panel_outreach",
                     object_id=link.id, panel_id=panel.id)
    return volunteer


def _target(panel: Panel, target: str) -> tuple[str, str]:
    """"question-key|answer" of one of the panel's answers, or blank for no particular group."""
    if not target:
        return "", ""
    key, _sep, value = target.partition("|")
    for category in panel.categories:
        if category.key == key and any(f.value == value for f in category.features):
            return key, value
    raise InvalidInput({"target": _("Choose one of the panel's groups, or none")})


def organisers_of(db: Session, organisation_id: int) -> list[User]:
    return list(db.scalars(select(User).where(
        User.organisation_id == organisation_id, User.role == Role.ORGANISER, User.is_active.is_(True),
    ).order_by(User.id)))


def create_link(db: Session, panel: Panel, *, organisation_id: str, target: str = "", note: str = "",
                send_email: bool = False, base_url: str, actor_id: int | None) -> PanelOutreach:
    """A new tagged link for an organisation; optionally emailed to its organisers."""
    wanted = organisation_id.strip()
    organisation = db.get(Organisation, int(wanted)) if wanted.isdigit() and len(wanted) <= 9 else None
    errors = {}
    if organisation is None:
        errors["organisation_id"] = _("Choose the organisation the link is for")
    try:
        category, feature = _target(panel, target)
    except InvalidInput as error:
        errors.update(error.errors)
    if len(note.strip()) > 300:
        errors["note"] = _("The note must be 300 characters or fewer")
    organisers = organisers_of(db, organisation.id) if organisation is not None and send_email else []
    if organisation is not None and send_email and not organisers:
        errors["send_email"] = _("This organisation has no organiser account to email: create the link "
                                 "without emailing it, then send it yourself")
    if errors:
        raise InvalidInput(errors)
    link = PanelOutreach(panel_id=panel.id, organisation_id=organisation.id,
                         organisation_name=organisation.name, token=secrets.token_urlsafe(12),
                         category=category, feature=feature, note=note.strip(), created_by_id=actor_id)
    db.add(link)
    db.flush()
    audit.record(db, actor_id=actor_id, action="panel.outreach_link_create", object_type="panel_outreach",
                 object_id=link.id, panel_id=panel.id, organisation_id=organisation.id, category=category,
                 feature=feature)
    if organisers:
        _email(db, panel, link, organisers, base_url=base_url, actor_id=actor_id)
    return link


def _email(db: Session, panel: Panel, link: PanelOutreach, organisers: list[User], *, base_url: str,
           actor_id: int | None) -> None:
    for organiser in organisers:
        queue_email(db, EMAIL_TEMPLATE, to=organiser.email, concerns=f"panel_outreach:{link.id}",
                    language=organiser.language, name=organiser.display_name,
                    organisation=link.organisation_name, panel=panel.name,
                    link=join_link(base_url, panel.id, link.token), note=link.note)
    link.emailed_at = utcnow()
    audit.record(db, actor_id=actor_id, action="panel.outreach_link_email", object_type="panel_outreach",
                 object_id=link.id, recipients=len(organisers))


def get_link(db: Session, panel_id: int, outreach_id: int) -> PanelOutreach:
    link = db.scalar(select(PanelOutreach).where(PanelOutreach.id == outreach_id,
                                                 PanelOutreach.panel_id == panel_id))
    if link is None:
        raise NotFound()
    return link


def revoke_link(db: Session, link: PanelOutreach, *, actor_id: int | None) -> None:
    """The link stops tagging; whoever it brought stays tagged (and counted)."""
    if link.revoked_at is not None:
        raise Conflict(_("This link has already been withdrawn."))
    link.revoked_at = utcnow()
    audit.record(db, actor_id=actor_id, action="panel.outreach_link_revoke", object_type="panel_outreach",
                 object_id=link.id, panel_id=link.panel_id)


@dataclass(frozen=True)
class CategoryCount:
    label: str
    counts: tuple[tuple[str, int], ...]  # (answer, volunteers), answers in the panel's order, 0s left out


@dataclass(frozen=True)
class LinkReport:
    link: PanelOutreach
    in_pool: int  # still in the pool (leaving deletes the volunteer)
    categories: tuple[CategoryCount, ...]
    target_count: int | None  # how many of them are in the group it aimed at
    aimed_at: str  # "question: answer", or "" for no particular group


def what_each_added(db: Session, panel: Panel) -> list[LinkReport]:
    """Each link of the panel, newest first, with the volunteers it brought who are still in the
    pool, counted per answer of each question (special-category answers counted, never listed)."""
    links = list(db.scalars(select(PanelOutreach).where(PanelOutreach.panel_id == panel.id)
                            .order_by(PanelOutreach.id.desc())))
    rows = db.execute(select(PanelVolunteer.outreach_id, PanelVolunteer.profile, PanelSpecialProfile.answers)
                      .outerjoin(PanelSpecialProfile, PanelSpecialProfile.volunteer_id == PanelVolunteer.id)
                      .where(PanelVolunteer.panel_id == panel.id, PanelVolunteer.outreach_id.is_not(None)))
    counts: dict[int, Counter] = {}
    people: Counter = Counter()
    for outreach_id, profile, special in rows:
        answers = {**(profile or {}), **(special or {})}
        counts.setdefault(outreach_id, Counter()).update(answers.items())
        people[outreach_id] += 1
    return [_link_report(panel, link, people[link.id], counts.get(link.id, Counter())) for link in links]


def _link_report(panel: Panel, link: PanelOutreach, in_pool: int, counts: Counter) -> LinkReport:
    categories, aimed_at = [], ""
    for category in panel.categories:
        if category.key == link.category:
            aimed_at = f"{category.label}: {link.feature}"
        found = tuple((f.value, counts[(category.key, f.value)]) for f in category.features
                      if counts[(category.key, f.value)])
        if found:
            categories.append(CategoryCount(category.label, found))
    target = counts[(link.category, link.feature)] if link.category else None
    return LinkReport(link, in_pool, tuple(categories), target, aimed_at or link.feature)
