"""Draws: request one (the CPU work runs as a job), record it for audit, replace decliners.

The pure algorithm lives in the top-level package panel_draw; this module turns the pool and targets
into its inputs and its answer into records. Volunteers are known to it by their numeric id
as a string, which is also what the draw record keeps (no names, no profiles).
"""

import secrets
from collections import Counter
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload, selectinload

import panel_draw
from app.db import Database
from app.errors import Conflict, InvalidInput, NotFound
from app.i18n import _
from app.job_queue import enqueue_after_commit
from app.models.base import utcnow
from app.models.panel import (
    NOT_SAID,
    DrawStatus,
    MemberStatus,
    Panel,
    PanelDrawRecord,
    PanelMember,
    PanelVolunteer,
)
from app.services import audit
from app.services.panels import get_panel, pool_size
from app.services.panels import lottery as panels_lottery
from panel_draw.pool import build_pool

MAX_SEED = 2**31 - 1
MAX_PANEL_SIZE = 5_000
# How much LEXIMIN may do, counted in work, not seconds, so a seed always gives the same panel.
DRAW_BUDGET = panel_draw.WorkBudget()


@dataclass(frozen=True)
class DrawInputs:
    volunteers: tuple[panel_draw.Volunteer, ...]
    quotas: tuple[panel_draw.Quota, ...]


def quotas_for(panel: Panel, size: int) -> tuple[panel_draw.Quota, ...]:
    """Every feature of every category with a target; a blank maximum means 'up to the panel size'."""
    return tuple(
        panel_draw.Quota(category.key, feature.value, feature.target_min,
                         size if feature.target_max is None else feature.target_max)
        for category in panel.categories if category.has_targets
        for feature in category.features
    )


def pool_volunteers(db: Session, panel_id: int, quotas, *, households: bool
                    ) -> tuple[panel_draw.Volunteer, ...]:
    """The live pool as the algorithm sees it: an answer it has no quota row for counts as
    “Prefer not to say” (which always has one)."""
    features_of: dict[str, set[str]] = {}
    for quota in quotas:
        features_of.setdefault(quota.category, set()).add(quota.feature)
    rows = db.scalars(select(PanelVolunteer).options(selectinload(PanelVolunteer.special))
                      .where(PanelVolunteer.panel_id == panel_id).order_by(PanelVolunteer.id))
    volunteers = []
    for volunteer in rows:
        answers = dict(volunteer.profile)
        if volunteer.special is not None:
            answers.update(volunteer.special.answers)
        features = {}
        for category, allowed in features_of.items():
            value = answers.get(category, NOT_SAID)
            features[category] = value if value in allowed else NOT_SAID
        volunteers.append(panel_draw.Volunteer(
            str(volunteer.id), features, volunteer.household_key if households else None))
    return tuple(volunteers)


def _check_request(panel: Panel, size_raw: str, seed_raw: str, purpose: str, pool: int) -> tuple[int, int]:
    errors = {}
    size = int(size_raw) if size_raw.strip().isdigit() else None
    if not purpose.strip():
        errors["purpose"] = _("Say what the panel is for, for example “Home care review, spring”")
    if size is None or size < 1:
        errors["size"] = _("Enter the panel size as a whole number, like 40")
    elif size > min(pool, MAX_PANEL_SIZE):
        errors["size"] = _("The panel cannot be larger than the pool ({pool} volunteers)").format(
            pool=f"{pool:,}")
    seed = None
    if seed_raw.strip():
        if seed_raw.strip().isdigit() and int(seed_raw) <= MAX_SEED:
            seed = int(seed_raw)
        else:
            errors["seed"] = _("The seed must be a whole number from 0 to {last}, or blank").format(
                last=f"{MAX_SEED:,}")
    if not any(category.has_targets for category in panel.categories):
        errors["size"] = _("Set targets for at least one category before drawing a panel")
    if errors:
        raise InvalidInput(errors)
    return size, secrets.randbelow(MAX_SEED + 1) if seed is None else seed


def request_draw(db: Session, panel: Panel, *, purpose: str, size: str, seed: str = "",
                 one_per_household: bool = False, tickets: str = "",
                 actor_id: int | None = None) -> PanelDrawRecord:
    """Record the request (size, seed, households, public lottery tickets) and queue the draw
    once this is committed."""
    errors = {}
    try:
        size_value, seed_value = _check_request(panel, size, seed, purpose, pool_size(db, panel.id))
    except InvalidInput as error:
        errors = dict(error.errors)
    try:
        lottery_size = panels_lottery.check_lottery_size(tickets)
    except InvalidInput as error:
        errors.update(error.errors)
    if errors:
        raise InvalidInput(errors)
    record = PanelDrawRecord(
        panel_id=panel.id, purpose=purpose.strip()[:200], size=size_value, seed=seed_value,
        one_per_household=one_per_household, status=DrawStatus.QUEUED,
        quotas=[vars(q) for q in quotas_for(panel, size_value)], requested_by_id=actor_id,
        details={} if lottery_size is None else {"lottery_tickets": lottery_size},
    )
    db.add(record)
    db.flush()
    audit.record(db, actor_id=actor_id, action="panel.draw_request", object_type="panel_draw",
                 object_id=record.id, size=size_value, seed=seed_value)
    enqueue_after_commit(db, "panels.run_panel_draw", record.id)
    return record


def perform_draw(database: Database, draw_id: int) -> None:
    """The job: read the pool, solve outside any transaction, then store the record."""
    with database.transaction() as db:
        record = db.get(PanelDrawRecord, draw_id)
        if record is None or not record.is_queued:
            return
        record.status, record.started_at = DrawStatus.RUNNING, utcnow()
        inputs = _inputs(db, record)
    outcome = _public_lottery(inputs, _solve(inputs))
    with database.transaction() as db:
        _record(db, db.get(PanelDrawRecord, draw_id), inputs, outcome)
    if isinstance(outcome, Exception):
        raise outcome


def draw_in_session(db: Session, record: PanelDrawRecord) -> None:
    """The same draw inside the caller's transaction (demo data and scripts; never a request)."""
    record.status, record.started_at = DrawStatus.RUNNING, utcnow()
    inputs = _inputs(db, record)
    outcome = _public_lottery(inputs, _solve(inputs))
    _record(db, record, inputs, outcome)
    db.flush()


@dataclass(frozen=True)
class _Inputs(DrawInputs):
    size: int
    seed: int
    households: bool
    labels: dict
    tickets: int | None = None


def _public_lottery(inputs: _Inputs, outcome):
    """For a public draw, the outcome also carries its rounded, publishable lottery."""
    if inputs.tickets is None or not isinstance(outcome, panel_draw.PanelDraw):
        return outcome
    try:
        pool = build_pool(inputs.volunteers, inputs.quotas, inputs.size, one_per_household=inputs.households)
        return outcome, panels_lottery.publish(inputs.seed, outcome, inputs.tickets, pool)
    except (panel_draw.PoolError, panel_draw.SolverUnavailableError) as error:
        return f"The lottery could not be rounded to {inputs.tickets:,} tickets: {error}"


def _inputs(db: Session, record: PanelDrawRecord) -> _Inputs:
    quotas = tuple(panel_draw.Quota(**q) for q in record.quotas)
    volunteers = pool_volunteers(db, record.panel_id, quotas, households=record.one_per_household)
    labels = {c.key: c.label for c in get_panel(db, record.panel_id).categories}
    return _Inputs(volunteers, quotas, record.size, record.seed, record.one_per_household, labels,
                   (record.details or {}).get("lottery_tickets"))


def _solve(inputs: _Inputs) -> "panel_draw.PanelDraw | str | Exception":
    """The draw, or a message for the officer, or an unexpected error (recorded, then raised)."""
    try:
        return panel_draw.draw_panel(inputs.volunteers, inputs.quotas, inputs.size, inputs.seed,
                                     one_per_household=inputs.households, budget=DRAW_BUDGET)
    except panel_draw.InfeasibleQuotasError as error:
        named = ", ".join(f"{inputs.labels.get(c, c)} ({c})" for c in error.categories)
        return f"The targets cannot all be met. Check: {named}. {error}"
    except (panel_draw.PoolError, panel_draw.SolverUnavailableError) as error:
        return str(error)
    except Exception as error:  # the job must record it, then fail loudly
        return error


def _record(db: Session, record: PanelDrawRecord, inputs: _Inputs, outcome) -> None:
    if isinstance(outcome, str | Exception):
        message = outcome if isinstance(outcome, str) else \
            f"The draw stopped unexpectedly: {type(outcome).__name__}"
        record.status, record.message, record.finished_at = DrawStatus.FAILED, message[:4000], utcnow()
        return
    lottery = None
    if isinstance(outcome, tuple):
        outcome, lottery = outcome
    _store(db, record, inputs.volunteers, inputs.quotas, outcome, lottery)


def _store(db: Session, record: PanelDrawRecord, volunteers, quotas, result: panel_draw.PanelDraw,
           lottery: dict | None = None) -> None:
    selected = set(result.selected_ids) if lottery is None else set()
    still_here = set(db.scalars(select(PanelVolunteer.id).where(PanelVolunteer.panel_id == record.panel_id)))
    record.algorithm = result.algorithm
    record.fallback_reason = result.fallback_reason or ""
    record.probabilities = {k: round(v, 9) for k, v in result.probabilities.items()}
    record.pool_counts = {"pool": _counts(volunteers, quotas),
                          "selected": _counts([v for v in volunteers if v.id in selected], quotas)}
    record.details = {**dict(result.details),
                      "quota_violations": [vars(v) for v in result.quota_violations],
                      "maximin_upper_bound": result.maximin_upper_bound,
                      "unselectable": len(result.unselectable_ids)}
    if lottery is not None:  # a public draw: members are seated once the ticket is drawn
        record.details = {**record.details, "lottery_tickets": lottery["tickets"],
                          panels_lottery.KEY: lottery}
    record.pool_size = len(volunteers)
    record.min_probability, record.gini = result.min_selection_probability, result.gini
    record.seconds = round(result.seconds, 3)
    for ref in result.selected_ids if lottery is None else ():
        gone = int(ref) not in still_here  # left the pool while the draw ran
        db.add(PanelMember(draw_id=record.id, pool_ref=ref, volunteer_id=None if gone else int(ref),
                           status=MemberStatus.LEFT if gone else MemberStatus.SELECTED))
    record.status, record.finished_at = DrawStatus.DONE, utcnow()
    audit.record(db, actor_id=None, action="panel.draw_done", object_type="panel_draw",
                 object_id=record.id, algorithm=result.algorithm, seed=result.seed)


def _counts(volunteers, quotas) -> dict[str, dict[str, int]]:
    counts = Counter((c, f) for v in volunteers for c, f in v.features.items())
    table: dict[str, dict[str, int]] = {}
    for quota in quotas:
        table.setdefault(quota.category, {})[quota.feature] = counts[(quota.category, quota.feature)]
    return table


def replay_draw(record: PanelDrawRecord) -> tuple[str, ...]:
    """Re-run a finished draw's last step from its record alone: the recorded lottery and seed.

    Returns the pool refs (volunteer ids) it selects, in pool order; an audit compares them
    with `original_members`.
    """
    lottery = (record.details or {}).get("lottery")
    if record.status != DrawStatus.DONE or lottery is None:
        raise Conflict(_("This draw has no recorded lottery to replay."))
    return tuple(sorted(panel_draw.replay_sample(lottery, record.seed), key=_pool_order))


def original_members(record: PanelDrawRecord) -> tuple[str, ...]:
    """The pool refs the draw itself selected (not the replacements drawn later), in pool order."""
    return tuple(sorted((m.pool_ref for m in record.members if m.replaces_id is None), key=_pool_order))


def _pool_order(ref: str) -> tuple[int, str]:
    return (int(ref), ref) if ref.isdigit() else (0, ref)


def get_draw(db: Session, panel_id: int, draw_id: int, *, with_members: bool = False) -> PanelDrawRecord:
    statement = select(PanelDrawRecord).where(PanelDrawRecord.id == draw_id,
                                              PanelDrawRecord.panel_id == panel_id)
    if with_members:
        statement = statement.options(selectinload(PanelDrawRecord.members)
                                      .joinedload(PanelMember.volunteer))
    record = db.scalar(statement)
    if record is None:
        raise NotFound()
    return record


def list_draws(db: Session, panel_id: int) -> list[PanelDrawRecord]:
    return list(db.scalars(select(PanelDrawRecord).where(PanelDrawRecord.panel_id == panel_id)
                           .order_by(PanelDrawRecord.id.desc())))


def replace_member(db: Session, record: PanelDrawRecord, member_id: int, *,
                   actor_id: int | None = None) -> PanelMember:
    """The member declined: mark it, and draw someone who keeps every quota met in their place."""
    if record.status != DrawStatus.DONE:
        raise Conflict(_("Only a completed draw has members to replace."))
    member = next((m for m in record.members if m.id == member_id), None)
    if member is None:
        raise NotFound()
    if not member.is_selected:
        raise Conflict(_("Only a selected member can be replaced."))
    quotas = tuple(panel_draw.Quota(**q) for q in record.quotas)
    volunteers = pool_volunteers(db, record.panel_id, quotas, households=record.one_per_household)
    panel_ids = [m.pool_ref for m in record.members if m.is_selected]
    excluded = [m.pool_ref for m in record.members if not m.is_selected]
    seed = secrets.randbelow(MAX_SEED + 1)
    try:
        replacement = panel_draw.draw_replacement(
            volunteers, quotas, panel_ids, member.pool_ref, seed, excluded_ids=excluded,
            one_per_household=record.one_per_household)
    except panel_draw.NoReplacementError as error:
        raise Conflict(str(error)) from None
    member.status, member.declined_at = MemberStatus.DECLINED, utcnow()
    new_member = PanelMember(
        draw_id=record.id, pool_ref=replacement.replacement_id,
        volunteer_id=int(replacement.replacement_id), replaces_id=member.id,
        replacement_seed=seed, replacement_candidates=replacement.candidates)
    db.add(new_member)
    db.flush()
    audit.record(db, actor_id=actor_id, action="panel.replace", object_type="panel_draw",
                 object_id=record.id, declined=member.pool_ref, replacement=replacement.replacement_id,
                 seed=seed, candidates=replacement.candidates)
    return new_member


def current_members(db: Session, record: PanelDrawRecord) -> list[PanelMember]:
    return list(db.scalars(select(PanelMember).options(joinedload(PanelMember.volunteer))
                           .where(PanelMember.draw_id == record.id,
                                  PanelMember.status == MemberStatus.SELECTED)
                           .order_by(PanelMember.id)))
