"""LEXIMIN over types, for large pools: the relaxation's LEXIMIN, then panels that realise it.

Measured on a skewed pool of 10,000 with six categories (666 types), column generation stage by
stage (leximin.py) spends its time closing each LEXIMIN level: every stage needs hundreds of
master-LP re-solves and pricing rounds over ~2,000 panels, and there are hundreds of levels
(221 distinct probabilities), so it had closed 3 after 250 s. The number of levels times the
cost of closing one dominates, not the MIP.

Here the levels are found without panels: LEXIMIN over the LP relaxation of the panel polytope
(fractional counts per type; one small LP per level, warm-started) gives every type a target
probability r_g. Each relaxation level is an upper bound for the matching stage over real
lotteries, since every lottery's expected counts lie in the relaxation. Then quota-meeting
panels are peeled off the targets (decomposition.py) until under a fifth of the tolerance is
left, and one master LP over them finds the lottery whose probabilities come closest to r:
min s such that every type's probability is within s of r_g. Only if s is still over the
tolerance does column generation go on from there (grown panel by panel, that master LP was
degenerate: 627 re-solves and 255 s of CPU on 10,000 with six categories; peeled, 3 s and
no pricing round; decision 0102). When s <= tolerance,
every volunteer is within tolerance of the relaxation's LEXIMIN (and the minimum within tolerance of
the proven maximin bound). When the pricing MIP proves that s cannot get that small (the panel
polytope is strictly smaller than its relaxation, as on small pools with tight quotas), the
caller falls back to the stage-by-stage method, which is exact there.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .decomposition import decompose
from .highs import highs_module, new_highs
from .leximin import (
    PRICE_EPSILON,
    SWAP_STARTS,
    LeximinOutcome,
    Work,
    find_covering_panels,
)
from .models import SolverUnavailableError
from .panel_mip import PanelMip
from .relaxation import RelaxationBound
from .swap_search import SwapSearch

DUAL_EPSILON = 1e-9
# Fixed levels sit this far under the value reached, so HiGHS's feasibility tolerance (1e-7)
# never makes a later level infeasible (as the stage method's FIX_SLACK).
LEVEL_SLACK = 2e-7
MIP_EVERY = 4
# The decomposition stops when this share of the tolerance is left undecomposed, so the master
# LP over its panels is within tolerance at once (and column generation only tidies up).
DECOMPOSITION_STOP_SHARE = 0.2
# A relaxation target this small is zero: only types no fractional panel includes get it.
NO_TARGET = 1e-9


class RelaxationFailed(RuntimeError):
    """A relaxation level did not solve: the caller uses the stage method instead."""


@dataclass
class TypedResult:
    outcome: LeximinOutcome | None  # None: the relaxation cannot be realised within tolerance
    shortfall: float  # the largest |r_g - p_g| over types (s), or its proven lower bound
    levels: int
    reason: str = ""
    decomposition_panels: int = 0
    decomposition_mip_calls: int = 0


def relaxation_leximin(pool, unselectable: list[int]) -> tuple[np.ndarray, list[float]]:
    """Each type's probability under LEXIMIN over fractional panels, and the level values."""
    relaxation = RelaxationBound(pool, unselectable)
    num = relaxation.num_groups
    target = np.zeros(num)
    free = np.ones(num, dtype=bool)
    free[list(unselectable)] = False
    levels: list[float] = []
    while free.any():
        solved = relaxation.bound()
        if solved is None:
            raise RelaxationFailed("the LP relaxation of the panel polytope did not solve")
        z, duals = solved
        z = min(max(z, 0.0), 1.0)
        tight = np.flatnonzero(free & (duals > DUAL_EPSILON))
        if z >= 1.0 - LEVEL_SLACK:
            tight = np.flatnonzero(free)
        elif len(tight) == 0:
            candidates = np.flatnonzero(free)
            tight = candidates[[int(np.argmax(duals[candidates]))]]
        levels.append(z)
        for group in tight:
            target[group] = z
            relaxation.fix(int(group), max(0.0, z - LEVEL_SLACK))
        free[tight] = False
    return target, levels


class _Realisation:
    """min s over lotteries of known panels: every type's probability within s of its target.

    Column 0 is s, then one column per panel.
    """

    def __init__(self, sizes: np.ndarray, target: np.ndarray) -> None:
        highspy = highs_module()
        self.sizes = sizes.astype(np.float64)
        self.num = len(sizes)
        self.highs = new_highs(random_seed=0, simplex_strategy=4)
        inf = highspy.kHighsInf
        self.highs.addVar(0.0, inf)
        self.highs.changeColCost(0, 1.0)
        # Rows 0..G-1: p_g + s >= r_g; rows G..2G-1: p_g - s <= r_g; row 2G: weights sum to 1.
        unbounded = np.full(self.num, inf)
        for sign, low, high in ((1.0, target, unbounded), (-1.0, -unbounded, target)):
            for group in range(self.num):
                self.highs.addRow(
                    float(low[group]), float(high[group]), 1, np.array([0], dtype=np.int32),
                    np.array([sign]),
                )
        self.highs.addRow(1.0, 1.0, 0, np.array([], dtype=np.int32), np.array([]))
        self.panels: list[np.ndarray] = []
        self._known: set[bytes] = set()

    def add(self, counts: np.ndarray) -> bool:
        key = counts.tobytes()
        if key in self._known:
            return False
        self._known.add(key)
        self.panels.append(counts)
        groups = np.flatnonzero(counts)
        shares = counts[groups] / self.sizes[groups]
        rows = np.concatenate([groups, groups + self.num, [2 * self.num]]).astype(np.int32)
        values = np.concatenate([shares, shares, [1.0]])
        self.highs.addCol(0.0, 0.0, highs_module().kHighsInf, len(rows), rows, values)
        return True

    def solve(self) -> tuple[float, np.ndarray, float, np.ndarray]:
        """(s, dual per type, dual price of a panel, panel weights)."""
        self.highs.run()
        status = self.highs.getModelStatus()
        if status != highs_module().HighsModelStatus.kOptimal:
            self.highs.clearSolver()
            self.highs.run()
            status = self.highs.getModelStatus()
            if status != highs_module().HighsModelStatus.kOptimal:
                reason = self.highs.modelStatusToString(status)
                raise SolverUnavailableError(f"the lottery LP failed: {reason}")
        solution = self.highs.getSolution()
        row_duals = np.asarray(solution.row_dual)
        # The weight of a type: its >= row's dual (>= 0) plus its <= row's (<= 0).
        duals = row_duals[: self.num] + row_duals[self.num : 2 * self.num]
        values = np.asarray(solution.col_value)
        return float(values[0]), duals, -float(solution.row_dual[-1]), np.maximum(values[1:], 0.0)


@dataclass
class _Start:
    """The relaxation's LEXIMIN and the panels the master LP starts from."""

    target: np.ndarray
    levels: list[float]
    unselectable: list[int]
    panels: list[np.ndarray]
    peeled: int
    peeling_mip_calls: int
    complete: bool  # peeled to the stop mass, and every type with a target is in a panel


def _peeled_start(mip: PanelMip, unselectable: list[int], tolerance: float, work: Work) -> _Start:
    target, levels = relaxation_leximin(mip.pool, unselectable)
    stop_mass = tolerance * DECOMPOSITION_STOP_SHARE
    peeled = decompose(
        PanelMip(mip.pool, max_nodes=work.budget.mip_nodes), target, unselectable,
        stop_mass=stop_mass, work=work,
    )
    covered = np.zeros(len(target), dtype=bool)
    for counts in peeled.panels:
        covered |= counts > 0
    wanted = target > NO_TARGET
    complete = peeled.remaining <= stop_mass and bool(covered[wanted].all())
    if not unselectable:
        unselectable = [int(g) for g in np.flatnonzero(~wanted)]
    return _Start(
        target, levels, unselectable, list(peeled.panels), len(peeled.panels),
        peeled.mip_calls, complete,
    )


def _start(mip: PanelMip, tolerance: float, work: Work) -> _Start:
    """Peel the relaxation's LEXIMIN at once: a complete peeling proves every type with a target
    is in some quota-meeting panel, so the covering panels (one MIP per batch of uncovered
    types; half the time at 50,000 with six categories) are needed only when the peeling gets
    stuck or a type the relaxation gives nothing might be in a panel after all."""
    quick = _peeled_start(mip, [], tolerance, work)
    if quick.complete and all(mip.any_panel(must_include=g) is None for g in quick.unselectable):
        return quick
    covering, unselectable = find_covering_panels(mip)
    full = _peeled_start(mip, unselectable, tolerance, work)
    full.panels = covering + full.panels
    full.peeling_mip_calls += quick.peeling_mip_calls
    return full


def solve_typed_leximin(mip: PanelMip, *, tolerance: float, work: Work) -> TypedResult:
    sizes = mip.group_sizes
    try:
        start = _start(mip, tolerance, work)
    except RelaxationFailed as error:
        return TypedResult(None, float("inf"), 0, str(error))
    target, levels, unselectable = start.target, start.levels, start.unselectable
    lp = _Realisation(sizes, target)
    for counts in start.panels:
        lp.add(counts)
    found = {"decomposition_panels": start.peeled, "decomposition_mip_calls": start.peeling_mip_calls}
    swaps = SwapSearch(mip.pool)
    rounds = 0
    lower = 0.0
    while True:
        s, duals, price, weights = lp.solve()
        if s <= tolerance:
            break
        if work.stop_reason() is not None:
            return TypedResult(None, s, len(levels), "the work budget ended the lottery search", **found)
        work.pricing_rounds += 1
        rounds += 1
        per_person = duals / sizes
        added = False
        if rounds % MIP_EVERY or not work.mip_allowed():
            for start in np.argsort(-weights, kind="stable")[:SWAP_STARTS]:
                if weights[start] <= 0.0:
                    break
                improved = swaps.improve(lp.panels[start], per_person)
                if per_person @ improved > price + PRICE_EPSILON and lp.add(improved):
                    added = True
            if added:
                continue
        if not work.mip_allowed():
            return TypedResult(None, s, len(levels), "the work budget ended the lottery search", **found)
        work.mip_calls += 1
        counts, value, bound = mip.best_panel(per_person)
        # LP duality: no lottery gets s below sum(duals * target) - best panel's dual weight.
        lower = max(lower, float(duals @ target) - bound)
        if lower > tolerance:
            return TypedResult(None, lower, len(levels), "the relaxation cannot be realised", **found)
        if not (value > price + PRICE_EPSILON and lp.add(counts)):
            return TypedResult(
                None, max(s, lower), len(levels), "pricing found no better panel", **found
            )
    weights = np.where(weights < 1e-12, 0.0, weights)
    weights = weights / weights.sum()
    expected = np.zeros(len(sizes))
    for counts, weight in zip(lp.panels, weights, strict=False):
        expected += weight * counts
    probabilities = expected / sizes
    shortfall = float(np.max(np.abs(target - probabilities), initial=0.0))
    distinct_levels = sorted(set(levels))
    outcome = LeximinOutcome(
        panels=lp.panels[: len(weights)],
        weights=weights,
        group_probabilities=probabilities,
        unselectable_groups=unselectable,
        stages=len(distinct_levels),
        maximin_upper_bound=float(min(levels)) if levels else 0.0,
        finished=True,
        stage_minimums=distinct_levels,
        settled_groups=list(range(len(sizes))),
        pricing_rounds=work.pricing_rounds,
        mip_calls=work.mip_calls,
    )
    return TypedResult(outcome, shortfall, len(distinct_levels), **found)
