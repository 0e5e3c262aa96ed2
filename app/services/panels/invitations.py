"""Invite the selected members, by email, with a single-use link to a panel-only exercise.

A panel-audience consultation issues its own single-use invitations (consultations_building.
invite), and its responses are tagged as panel responses; any other exercise (a forum, a
meeting sign-up page) gets a PanelInvitation of ours whose link works once and then redirects.
"""

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from app.errors import Conflict, InvalidInput, NotFound
from app.i18n import _
from app.models.base import utcnow
from app.models.consultation import Audience, Consultation, ConsultationInvitation
from app.models.panel import Panel, PanelDrawRecord, PanelInvitation, PanelMember
from app.services import audit
from app.services.consultations import building as consultations_building
from app.services.email import queue_email
from app.services.panels.draws import current_members
from app.services.panels.pool import issue_manage_token, manage_link
from app.tokens import new_token, token_hash


def panel_consultations(db: Session) -> list:
    return list(db.scalars(select(Consultation).where(Consultation.audience == Audience.PANEL)
                           .order_by(Consultation.id.desc())))


def set_target(db: Session, record: PanelDrawRecord, *, consultation_id: str, target_url: str,
               actor_id: int | None) -> None:
    """Where the invitation leads: a panel-only consultation, or a page of this site or https."""
    target_url = target_url.strip()
    if consultation_id.strip():
        chosen = {str(c.id): c for c in panel_consultations(db)}.get(consultation_id.strip())
        if chosen is None:
            raise InvalidInput({"consultation_id": _("Choose a consultation whose audience is the panel")})
        record.consultation_id, record.target_url = chosen.id, f"/consultations/{chosen.id}"
    elif _acceptable_url(target_url):
        record.consultation_id, record.target_url = None, target_url
    else:
        raise InvalidInput({"consultation_id": _("Choose a panel consultation, or enter a link to the "
                                                 "forum or page (starting with / or https://)")})
    audit.record(db, actor_id=actor_id, action="panel.invitation_target", object_type="panel_draw",
                 object_id=record.id, target=record.target_url)


def _acceptable_url(url: str) -> bool:
    return url.startswith(("https://", "/")) and not url.startswith("//") and len(url) < 500


def send_invitations(db: Session, panel: Panel, record: PanelDrawRecord, *, base_url: str,
                     actor_id: int | None) -> int:
    """Email every selected member not yet invited (replacements included); returns how many."""
    if not record.target_url:
        raise Conflict(_("Choose where the invitation leads before sending invitations."))
    members = [m for m in current_members(db, record)
               if m.invited_at is None and m.volunteer is not None and m.volunteer.email]
    links = _consultation_links(db, record, members, base_url, actor_id) if record.consultation_id \
        else _own_links(db, record, members, base_url)
    now = utcnow()
    for member in members:
        link = links[member.id]
        manage = manage_link(base_url, issue_manage_token(member.volunteer))
        queue_email(db, "panel_chosen", to=member.volunteer.email,
                    concerns=f"panel_volunteer:{member.volunteer.id}", language=member.volunteer.language,
                    name=member.volunteer.name, panel=panel.name, purpose=record.purpose, link=link,
                    manage=manage)
        member.invited_at = now
    audit.record(db, actor_id=actor_id, action="panel.invite", object_type="panel_draw",
                 object_id=record.id, count=len(members))
    return len(members)


def _consultation_links(db, record, members, base_url, actor_id) -> dict[int, str]:
    consultation = db.get(Consultation, record.consultation_id)
    if consultation is None:
        raise Conflict(_("The consultation chosen for this panel no longer exists: choose another."))
    if not members:
        return {}
    created = consultations_building.invite(
        db, consultation, emails="\n".join(m.volunteer.email for m in members), actor_id=actor_id)
    by_email = {invitation.email: (invitation, token) for invitation, token in created}
    links = {}
    for member in members:
        invitation, token = by_email[member.volunteer.email]
        db.add(PanelInvitation(member_id=member.id, target_url=record.target_url,
                               token_hash=token_hash(token), consultation_invitation_id=invitation.id))
        links[member.id] = f"{base_url}/consultations/{consultation.id}/invited/{token}"
    return links


def _own_links(db, record, members, base_url) -> dict[int, str]:
    links = {}
    for member in members:
        token = new_token()
        db.add(PanelInvitation(member_id=member.id, target_url=record.target_url,
                               token_hash=token_hash(token)))
        links[member.id] = f"{base_url}/panels/invitations/{token}"
    return links


def check_invitation(db: Session, token: str) -> PanelInvitation:
    """Our single-use link, still usable by a selected member (read only)."""
    invitation = db.scalar(select(PanelInvitation).where(PanelInvitation.token_hash == token_hash(token),
                                                         PanelInvitation.consultation_invitation_id.is_(None)))
    if invitation is None:
        raise NotFound(_("We could not find that invitation. Check the link in your email."))
    member = db.get(PanelMember, invitation.member_id)
    if member is None or not member.is_selected:
        raise NotFound(_("This invitation is no longer valid."))
    if invitation.used_at is not None:
        raise Conflict(_("This invitation link has already been used. Each link works once."))
    return invitation


def use_invitation(db: Session, token: str) -> str:
    """Open one of our single-use links: mark it used (once, even under a race) and say where to go."""
    invitation = check_invitation(db, token)
    claimed = db.execute(update(PanelInvitation).where(
        PanelInvitation.id == invitation.id, PanelInvitation.used_at.is_(None)).values(used_at=utcnow()))
    if claimed.rowcount != 1:
        raise Conflict(_("This invitation link has already been used. Each link works once."))
    db.execute(update(PanelMember).where(PanelMember.id == invitation.member_id)
               .values(responded_at=utcnow()))
    return invitation.target_url


def responded_member_ids(db: Session, record: PanelDrawRecord) -> set[int]:
    """Members who took part: used our link, or answered the panel consultation."""
    rows = db.execute(select(PanelInvitation.member_id, PanelInvitation.used_at,
                             PanelInvitation.consultation_invitation_id)
                      .join(PanelMember, PanelMember.id == PanelInvitation.member_id)
                      .where(PanelMember.draw_id == record.id)).all()
    responded = {member_id for member_id, used_at, _ in rows if used_at is not None}
    linked = {cid: member_id for member_id, _, cid in rows if cid is not None}
    if linked:
        used = db.scalars(select(ConsultationInvitation.id).where(
            ConsultationInvitation.id.in_(linked), ConsultationInvitation.used_at.is_not(None)))
        responded |= {linked[cid] for cid in used}
    responded |= set(db.scalars(select(PanelMember.id).where(
        PanelMember.draw_id == record.id, PanelMember.responded_at.is_not(None))))
    return responded


def invitations_of(db: Session, record: PanelDrawRecord) -> dict[int, PanelInvitation]:
    rows = db.scalars(select(PanelInvitation).join(PanelMember, PanelMember.id == PanelInvitation.member_id)
                      .where(PanelMember.draw_id == record.id))
    return {invitation.member_id: invitation for invitation in rows}
