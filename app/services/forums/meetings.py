"""Meeting records held by a forum: date, organisations attending, the organiser's notes.
Notes are evidence like posts (see themes/forum_evidence.py)."""

from dataclasses import dataclass
from datetime import date

from markupsafe import Markup
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from app.errors import InvalidInput, NotFound
from app.i18n import _
from app.models.forum import Forum, Meeting, MeetingAttendance
from app.models.organisation import Organisation
from app.models.user import User
from app.services import audit, sanitise
from app.services.forums.visibility import can_moderate


def record_meeting(db: Session, organiser: User, forum: Forum, *, held_on: str, title: str, notes: str,
                   organisation_ids: list[int]) -> Meeting:
    if not can_moderate(organiser, forum):
        raise NotFound()
    errors = {}
    try:
        day = date.fromisoformat(held_on.strip())
    except ValueError:
        day = None
        errors["held_on"] = _("Enter the date of the meeting, like 2026-11-23")
    if not title.strip():
        errors["title"] = _("Enter a title for the meeting")
    if not notes.strip():
        errors["notes"] = _("Enter the notes of the meeting")
    if errors:
        raise InvalidInput(errors)
    meeting = Meeting(forum_id=forum.id, held_on=day, title=title.strip()[:200], notes=notes.strip()[:50_000],
                      recorded_by_id=organiser.id)
    db.add(meeting)
    db.flush()
    known = set(db.scalars(select(Organisation.id).where(Organisation.id.in_(organisation_ids or [0]))))
    for org_id in sorted(known):
        db.add(MeetingAttendance(meeting_id=meeting.id, organisation_id=org_id))
    audit.record(db, actor_id=organiser.id, action="forum_meeting.record", object_type="forum_meeting",
                 object_id=meeting.id, forum_id=forum.id)
    db.flush()
    return meeting


@dataclass(frozen=True)
class MeetingView:
    id: int
    held_on: date
    title: str
    organisations: list[str]
    notes: Markup


def list_meetings(db: Session, forum: Forum) -> list[MeetingView]:
    """Meetings of a forum the caller has already checked the viewer may read."""
    meetings = db.scalars(
        select(Meeting).where(Meeting.forum_id == forum.id)
        .options(selectinload(Meeting.attendances).joinedload(MeetingAttendance.organisation))
        .order_by(Meeting.held_on.desc(), Meeting.id.desc())
    )
    return [MeetingView(m.id, m.held_on, m.title, sorted(a.organisation.name for a in m.attendances),
                        Markup(sanitise.format_post(m.notes)))  # noqa: S704  # nosec B704 - sanitised by nh3
            for m in meetings]
