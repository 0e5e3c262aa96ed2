"""Draw a citizens' panel: the LEXIMIN lottery, one seeded draw from it, and its record."""

from __future__ import annotations

import time
from collections.abc import Sequence

import numpy as np

from .diagnosis import counting_findings, raise_infeasible
from .legacy import legacy_distribution
from .leximin import STOPPED_BY_SAFETY, LeximinOutcome, Work, solve_leximin
from .models import (
    LEXIMIN,
    LEXIMIN_TRUNCATED,
    PanelDistribution,
    PanelDraw,
    PanelGroup,
    Quota,
    SolverUnavailableError,
    Volunteer,
    WeightedPanel,
    WorkBudget,
)
from .panel_mip import PanelMip
from .pool import Pool, build_pool
from .quotas import check_quotas
from .sampling import gini, lottery_record, sample_panel
from .typed import TypedResult, solve_typed_leximin

DEFAULT_TOLERANCE = 1e-6
DEFAULT_BUDGET = WorkBudget()
# Only a safety stop: the work budget ends long draws first. If this fires, the draw depends
# on the machine's speed and its record says so.
DEFAULT_TIME_LIMIT_SECONDS = 1800.0
NEGLIGIBLE_WEIGHT = 1e-12
AUTO, STAGES, TYPES = "auto", "stages", "types"
# Below this many groups the stage-by-stage method closes every level in about a second.
TYPES_FROM_GROUPS = 60
# How far under the relaxation's LEXIMIN a type-based lottery may leave anyone (absolute).
TYPES_TOLERANCE = 5e-5


def draw_panel(
    volunteers: Sequence[Volunteer],
    quotas: Sequence[Quota],
    size: int,
    seed: int,
    *,
    one_per_household: bool = False,
    tolerance: float = DEFAULT_TOLERANCE,
    budget: WorkBudget = DEFAULT_BUDGET,
    time_limit_seconds: float | None = DEFAULT_TIME_LIMIT_SECONDS,
) -> PanelDraw:
    """Draw a panel of `size` meeting every quota, as fairly as LEXIMIN allows.

    Raises PoolError for malformed input and InfeasibleQuotasError (naming the categories)
    when no panel can meet the quotas.
    """
    started = time.perf_counter()
    pool = build_pool(volunteers, quotas, size, one_per_household=one_per_household)
    distribution, fallback_reason = _distribution_with_fallback(
        pool, seed, tolerance, budget, time_limit_seconds
    )
    selected = _in_pool_order(pool, sample_panel(distribution.panels, seed))
    violations = check_quotas(
        pool.volunteers, pool.quotas, selected, size=size, one_per_household=one_per_household
    )
    probabilities = distribution.probabilities
    return PanelDraw(
        selected_ids=selected,
        probabilities=probabilities,
        distribution=distribution.panels,
        quota_violations=violations,
        min_selection_probability=min(probabilities.values()),
        gini=gini(probabilities.values()),
        algorithm=distribution.algorithm,
        seed=seed,
        seconds=time.perf_counter() - started,
        fallback_reason=fallback_reason,
        maximin_upper_bound=distribution.maximin_upper_bound,
        unselectable_ids=distribution.unselectable_ids,
        details=_details(pool, distribution),
    )


def find_leximin_distribution(
    volunteers: Sequence[Volunteer],
    quotas: Sequence[Quota],
    size: int,
    *,
    one_per_household: bool = False,
    tolerance: float = DEFAULT_TOLERANCE,
    budget: WorkBudget = DEFAULT_BUDGET,
    time_limit_seconds: float | None = None,
    group_interchangeable: bool = True,
    method: str = AUTO,
) -> PanelDistribution:
    """The LEXIMIN lottery over quota-meeting panels (no draw).

    `group_interchangeable=False` solves person by person, so every panel is explicit
    (slower; the probabilities are the same).
    """
    pool = build_pool(
        volunteers, quotas, size,
        one_per_household=one_per_household, group_interchangeable=group_interchangeable,
    )
    return leximin_for_pool(
        pool, tolerance=tolerance, budget=budget, time_limit_seconds=time_limit_seconds,
        method=method,
    )


def leximin_for_pool(
    pool: Pool,
    *,
    tolerance: float,
    budget: WorkBudget,
    time_limit_seconds: float | None,
    method: str = AUTO,
) -> PanelDistribution:
    """LEXIMIN by `method`: STAGES (column generation level by level, exact to `tolerance`),
    TYPES (the relaxation's LEXIMIN realised within TYPES_TOLERANCE; see typed.py), or AUTO:
    TYPES from TYPES_FROM_GROUPS groups up, falling back to STAGES where TYPES cannot reach
    its tolerance (the fallback and why are recorded in `work`)."""
    if method not in (AUTO, STAGES, TYPES):
        raise ValueError(f"unknown LEXIMIN method {method!r}")
    deadline = None if time_limit_seconds is None else time.monotonic() + time_limit_seconds
    mip = PanelMip(pool, time_limit_seconds=time_limit_seconds, max_nodes=budget.mip_nodes)
    if mip.any_panel() is None:
        raise_infeasible(pool)
    use_types = method == TYPES or (
        method == AUTO and len(pool.groups) >= TYPES_FROM_GROUPS and not pool.one_per_household
    )
    notes: dict[str, object] = {}
    if use_types:
        work = Work(budget, deadline)
        try:
            typed = solve_typed_leximin(mip, tolerance=TYPES_TOLERANCE, work=work)
        except SolverUnavailableError as error:  # the stage method is the fallback, not LEGACY
            typed = TypedResult(None, float("inf"), 0, str(error))
        notes = {
            "method": TYPES, "type_shortfall": typed.shortfall, "relaxation_levels": typed.levels,
            "decomposition_panels": typed.decomposition_panels,
            "decomposition_mip_calls": typed.decomposition_mip_calls,
        }
        if typed.outcome is not None:
            return _as_distribution(pool, typed.outcome, budget, notes)
        notes = {**notes, "method": STAGES, "types_fallback": typed.reason}
        if method == TYPES:
            raise SolverUnavailableError(f"type-based LEXIMIN could not finish: {typed.reason}")
    outcome = solve_leximin(mip, tolerance=tolerance, budget=budget, deadline=deadline)
    return _as_distribution(pool, outcome, budget, notes or {"method": STAGES})


def _distribution_with_fallback(
    pool: Pool, seed: int, tolerance: float, budget: WorkBudget, time_limit_seconds: float | None
) -> tuple[PanelDistribution, str | None]:
    try:
        distribution = leximin_for_pool(
            pool, tolerance=tolerance, budget=budget, time_limit_seconds=time_limit_seconds
        )
    except SolverUnavailableError as exc:
        reason = str(exc)
        if counting_findings(pool):
            raise_infeasible(pool, solver_available=False)
        return legacy_distribution(pool, seed, reason), reason
    return distribution, None


def _as_distribution(
    pool: Pool, outcome: LeximinOutcome, budget: WorkBudget, notes: dict[str, object]
) -> PanelDistribution:
    panels = tuple(
        WeightedPanel(float(weight), _composition(pool, counts))
        for counts, weight in zip(outcome.panels, outcome.weights, strict=True)
        if weight > NEGLIGIBLE_WEIGHT
    )
    probabilities = {}
    for group_index, group in enumerate(pool.groups):
        for person in group.member_indices:
            probabilities[pool.volunteers[person].id] = float(
                outcome.group_probabilities[group_index]
            )
    ordered = {v.id: probabilities[v.id] for v in pool.volunteers}
    unselectable = tuple(
        member for g in outcome.unselectable_groups for member in pool.member_ids(g)
    )
    settled = sum(pool.groups[g].size for g in outcome.settled_groups)
    note = None if outcome.finished else _truncation_note(pool, outcome, settled)
    return PanelDistribution(
        panels=panels,
        probabilities=ordered,
        algorithm=LEXIMIN if outcome.finished else LEXIMIN_TRUNCATED,
        stages=outcome.stages,
        panels_generated=len(outcome.panels),
        maximin_upper_bound=outcome.maximin_upper_bound,
        unselectable_ids=unselectable,
        note=note,
        settled_volunteers=settled,
        open_stage_gap=outcome.open_stage_gap,
        stopped_by=outcome.stopped_by,
        work={
            "pricing_rounds": outcome.pricing_rounds,
            "mip_calls": outcome.mip_calls,
            "budget_pricing_rounds": budget.pricing_rounds,
            "budget_mip_calls": budget.mip_calls,
            "budget_mip_nodes": budget.mip_nodes,
            **notes,
        },
    )


def _truncation_note(pool: Pool, outcome: LeximinOutcome, settled: int) -> str:
    if outcome.stopped_by == STOPPED_BY_SAFETY:
        cause = (
            f"the wall-clock safety limit stopped this draw in stage {outcome.stages}, so it "
            "depended on the machine's speed and may not be reproducible from its seed (the "
            "recorded lottery still replays it)"
        )
    else:
        cause = f"the work budget ended stage {outcome.stages} (the same inputs stop at the same point)"
    return (
        f"{cause}: the lottery meets every quota; "
        f"{settled:,} of {len(pool.volunteers):,} volunteers have their final LEXIMIN "
        "probability, and everyone else at least the open stage's minimum, which is within "
        f"{100 * (outcome.open_stage_gap or 0.0):.4f} percentage points of its optimum"
    )


def _composition(pool: Pool, counts: np.ndarray) -> tuple[PanelGroup, ...]:
    return tuple(
        PanelGroup(pool.member_ids(int(g)), int(counts[g])) for g in np.flatnonzero(counts)
    )


def _in_pool_order(pool: Pool, selected: tuple[str, ...]) -> tuple[str, ...]:
    chosen = set(selected)
    return tuple(v.id for v in pool.volunteers if v.id in chosen)


def _details(pool: Pool, distribution: PanelDistribution) -> dict[str, object]:
    details: dict[str, object] = {
        "pool_size": len(pool.volunteers),
        "groups": len(pool.groups),
        "stages": distribution.stages,
        "panels_generated": distribution.panels_generated,
        "panels_in_distribution": len(distribution.panels),
        "settled_volunteers": distribution.settled_volunteers,
    }
    if distribution.open_stage_gap is not None:
        details["open_stage_gap"] = distribution.open_stage_gap
    if distribution.note:
        details["note"] = distribution.note
    if distribution.stopped_by:
        details["stopped_by"] = distribution.stopped_by
    details.update(distribution.work)
    details["lottery"] = lottery_record(distribution.panels)
    return details
