"""A public draw: the LEXIMIN lottery rounded to M numbered panels, published before the ticket.

The draw job rounds the lottery (panel_draw.transparent) and keeps, in the draw's details:
the published text (volunteers only as numbers), its SHA-256 digest, and the private key from
numbers to pool ids. No members are seated until the officer enters the winning ticket, typed
in after a public event, or a published seed from which the ticket is
`int(sha256(seed).hexdigest(), 16) % M + 1`. Erasing a volunteer clears their member link as
for any draw; the published file and its digest never named anyone, so they still verify.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

import panel_draw
from app.errors import Conflict, InvalidInput
from app.i18n import N_, _
from app.models.base import utcnow
from app.models.panel import DrawStatus, MemberStatus, PanelDrawRecord, PanelMember, PanelVolunteer
from app.services import audit
from panel_draw.pool import Pool
from panel_draw.transparent import ticket_from_seed, uniform_lottery

KEY = "public_lottery"
MIN_TICKETS, MAX_TICKETS = 2, 10_000


def check_lottery_size(raw: str) -> int | None:
    """The form's 'tickets' value: blank for an ordinary draw, else M (errors keyed 'tickets')."""
    if not raw.strip():
        return None
    if not raw.strip().isdigit() or not MIN_TICKETS <= int(raw) <= MAX_TICKETS:
        message = _("Enter the number of tickets as a whole number from {first} to {last}, or leave it blank")
        raise InvalidInput({"tickets": message.format(first=MIN_TICKETS, last=f"{MAX_TICKETS:,}")})
    return int(raw)


def lottery_of(record: PanelDrawRecord) -> dict | None:
    return (record.details or {}).get(KEY)


def publish(seed: int, result: panel_draw.PanelDraw, tickets: int, pool: Pool | None = None) -> dict:
    """Round the draw's lottery to `tickets` panels and keep what will be published.

    With the draw's `pool` (its volunteers' types and the quotas), seats may move between types
    inside tickets, which keeps every volunteer within 1/M of their LEXIMIN chance (decision
    0102); the largest change is kept either way and shown on the audit page."""
    lottery = uniform_lottery(result.distribution, result.probabilities, tickets, seed, pool=pool)
    return {
        "tickets": lottery.size, "digest": lottery.digest(), "text": lottery.published_text(),
        "key": {str(number): ref for number, ref in sorted(lottery.pseudonyms.items())},
        "largest_change": lottery.largest_change,
        "min_probability": lottery.min_selection_probability,
        "ticket": None, "ticket_source": "", "chosen_at": None,
    }


def awaiting_ticket(record: PanelDrawRecord) -> bool:
    lottery = lottery_of(record)
    return record.status == DrawStatus.DONE and lottery is not None and lottery["ticket"] is None


def panel_numbers(record: PanelDrawRecord) -> list[int]:
    """The chosen ticket's panel as published: pseudonymous numbers."""
    lottery = lottery_of(record)
    if lottery is None or lottery["ticket"] is None:
        return []
    tickets = panel_draw.transparent.parse_published(lottery["text"])
    return list(tickets[lottery["ticket"]])


def choose_ticket(db: Session, record: PanelDrawRecord, *, ticket: str = "", seed_text: str = "",
                  actor_id: int | None = None) -> int:
    """Seat the winning ticket's panel: a number typed in, or one derived from a published seed."""
    lottery = lottery_of(record)
    if lottery is None:
        raise Conflict(_("This draw is not a public lottery."))
    if lottery["ticket"] is not None:
        raise Conflict(_("Ticket {ticket} has already been drawn.").format(ticket=lottery["ticket"]))
    size = lottery["tickets"]
    if seed_text.strip() and ticket.strip():
        raise InvalidInput({"ticket": _("Enter the winning ticket or a published seed, not both")})
    if seed_text.strip():
        number, source = ticket_from_seed(seed_text.strip(), size), f"seed {seed_text.strip()!r}"
    elif ticket.strip().isdigit() and 1 <= int(ticket) <= size:
        number, source = int(ticket), N_("typed in")  # stored; shown through _()
    else:
        raise InvalidInput({"ticket": _("Enter the winning ticket, a whole number from 1 to {last}").format(
            last=f"{size:,}")})
    tickets = panel_draw.transparent.parse_published(lottery["text"])
    refs = sorted((lottery["key"][str(n)] for n in tickets[number]), key=lambda r: (len(r), r))
    still_here = set(db.scalars(select(PanelVolunteer.id).where(PanelVolunteer.panel_id == record.panel_id)))
    for ref in refs:
        gone = not ref.isdigit() or int(ref) not in still_here
        db.add(PanelMember(draw_id=record.id, pool_ref=ref, volunteer_id=None if gone else int(ref),
                           status=MemberStatus.LEFT if gone else MemberStatus.SELECTED))
    record.details = {**record.details, KEY: {**lottery, "ticket": number, "ticket_source": source,
                                              "chosen_at": utcnow().isoformat()}}
    db.flush()
    audit.record(db, actor_id=actor_id, action="panel.lottery_ticket", object_type="panel_draw",
                 object_id=record.id, ticket=number, source=source, digest=lottery["digest"])
    return number
