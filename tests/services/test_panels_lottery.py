"""A public draw: the job publishes M numbered panels and their digest, and the officer seats
the winning ticket's panel (typed in, or from a published seed)."""

from __future__ import annotations

import hashlib

import pytest
from sqlalchemy import select

from app.errors import Conflict, InvalidInput
from app.models.audit import AuditEvent
from app.models.panel import PanelVolunteer
from app.services import panels
from app.services.panels import draws as panels_draws
from app.services.panels import lottery as panels_lottery
from app.services.panels import pool as panels_pool
from panel_draw import check_quotas
from panel_draw.transparent import parse_published, ticket_from_seed
from tests.services.test_panels import panel_with_pool


def public_draw(db, database, panel, *, tickets="50", seed="7"):
    record = panels_draws.request_draw(db, panel, purpose="Public draw", size="10", seed=seed,
                                       tickets=tickets)
    db.flush()
    db.info.pop("jobs_after_commit", None)
    panels_draws.perform_draw(database, record.id)
    db.expire_all()
    panels.get_panel(db, panel.id)
    return panels_draws.get_draw(db, panel.id, record.id, with_members=True)


def test_the_job_publishes_numbered_panels_and_the_typed_ticket_seats_one(db, database):
    panel = panel_with_pool(db)
    record = public_draw(db, database, panel)
    lottery = panels_lottery.lottery_of(record)
    assert record.members == [] and panels_lottery.awaiting_ticket(record)
    assert lottery["digest"] == hashlib.sha256(lottery["text"].encode()).hexdigest()
    tickets = parse_published(lottery["text"])
    assert len(tickets) == 50 and all(len(p) == 10 for p in tickets.values())
    names = set(db.scalars(select(PanelVolunteer.name)))
    assert not any(name in lottery["text"] for name in names)
    assert lottery["largest_change"] <= 1 / 50 + 1e-9

    assert panels_lottery.choose_ticket(db, record, ticket="17") == 17
    db.expire_all()
    record = panels_draws.get_draw(db, panel.id, record.id, with_members=True)
    refs = sorted(m.pool_ref for m in record.members)
    assert refs == sorted(lottery["key"][str(n)] for n in tickets[17])
    assert panels_lottery.panel_numbers(record) == list(tickets[17])
    quotas = [panels_draws.panel_draw.Quota(**q) for q in record.quotas]
    volunteers = panels_draws.pool_volunteers(db, panel.id, quotas, households=False)
    assert check_quotas(volunteers, quotas, refs, size=10) == ()
    event = db.scalars(select(AuditEvent).where(AuditEvent.action == "panel.lottery_ticket")).one()
    assert event.detail["ticket"] == 17
    with pytest.raises(Conflict):
        panels_lottery.choose_ticket(db, record, ticket="3")


def test_same_inputs_publish_the_same_bytes_and_a_seed_picks_the_documented_ticket(db, database):
    panel = panel_with_pool(db)
    first = public_draw(db, database, panel, tickets="40", seed="11")
    again = public_draw(db, database, panel, tickets="40", seed="11")
    one, two = panels_lottery.lottery_of(first), panels_lottery.lottery_of(again)
    assert one["text"].encode() == two["text"].encode() and one["digest"] == two["digest"]
    number = panels_lottery.choose_ticket(db, first, seed_text="2026-12-06 draw: 4 11 19 27")
    assert number == int(hashlib.sha256(b"2026-12-06 draw: 4 11 19 27").hexdigest(), 16) % 40 + 1
    assert number == ticket_from_seed("2026-12-06 draw: 4 11 19 27", 40)


def test_bad_tickets_and_sizes_are_refused(db, database):
    panel = panel_with_pool(db)
    with pytest.raises(InvalidInput) as error:
        panels_draws.request_draw(db, panel, purpose="Public", size="10", tickets="1")
    assert "tickets" in error.value.errors
    record = public_draw(db, database, panel, tickets="20")
    for bad in ("0", "21", "x", ""):
        with pytest.raises(InvalidInput):
            panels_lottery.choose_ticket(db, record, ticket=bad)


def test_erasing_a_volunteer_keeps_the_published_file_verifiable(db, database):
    panel = panel_with_pool(db)
    record = public_draw(db, database, panel, tickets="20")
    before = panels_lottery.lottery_of(record)["digest"]
    panels_lottery.choose_ticket(db, record, ticket="5")
    db.expire_all()
    record = panels_draws.get_draw(db, panel.id, record.id, with_members=True)
    leaving = record.members[0]
    panels_pool.leave(db, db.get(PanelVolunteer, leaving.volunteer_id))
    db.flush()
    db.expire_all()
    record = panels_draws.get_draw(db, panel.id, record.id, with_members=True)
    lottery = panels_lottery.lottery_of(record)
    assert hashlib.sha256(lottery["text"].encode()).hexdigest() == before == lottery["digest"]
    assert panels_lottery.panel_numbers(record) == list(parse_published(lottery["text"])[5])
    gone = next(m for m in record.members if m.id == leaving.id)
    assert gone.volunteer_id is None
