"""LEXIMIN by column generation (Flanigan, Gölz, Gupta, Hennig, Procaccia, Nature 2021).

Each stage maximises the smallest selection probability among the groups not yet fixed,
over lotteries of the panels found so far (the master LP). The LP's duals weight each group;
the panel MIP then finds the panel of largest dual weight. If that panel beats the LP's price
of a panel, it is added; otherwise the duals prove the stage optimal, and the groups with
positive dual weight are fixed at that probability (complementary slackness: no optimal
lottery can give them more). Stages repeat until every group is fixed.

Each stage also gets an upper bound from the LP relaxation (fractional panels; see
relaxation.py). When the master reaches it, the stage is optimal without the MIP's proof,
and the relaxation's own duals say which groups are stuck at that value.

Where it stops must not depend on the machine's speed, or the same seed could give a different
panel under load: a `WorkBudget` counts pricing rounds and MIP calls (every solver call is
deterministic: one thread, fixed random seed, node rather than time limits). A wall-clock
deadline remains only as a safety stop, and the outcome says when it fired.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import numpy as np

from .highs import highs_module, new_highs
from .models import SolverUnavailableError, WorkBudget
from .panel_mip import PanelMip
from .relaxation import RelaxationBound
from .swap_search import SwapSearch

FIX_WEIGHT_EPSILON = 1e-7
# Fixed groups get a lower bound a little under the value reached, so that LP tolerances
# (HiGHS's primal feasibility tolerance is 1e-7) can never make a later stage infeasible.
FIX_SLACK = 2e-7
RELAXATION_STEP = 1e-6
NO_PROGRESS_LIMIT = 3
PRICE_EPSILON = 1e-10
SWAP_STARTS = 6
MIP_EVERY = 8
STOPPED_BY_BUDGET = "work-budget"
STOPPED_BY_SAFETY = "safety-time-limit"


@dataclass
class LeximinOutcome:
    panels: list[np.ndarray]
    weights: np.ndarray
    group_probabilities: np.ndarray
    unselectable_groups: list[int]
    stages: int
    maximin_upper_bound: float
    finished: bool
    stage_minimums: list[float] = field(default_factory=list)
    settled_groups: list[int] = field(default_factory=list)  # probability final (fixed)
    open_stage_gap: float | None = None  # if cut short: the unfinished stage's proven gap
    stopped_by: str | None = None  # STOPPED_BY_BUDGET or STOPPED_BY_SAFETY when cut short
    pricing_rounds: int = 0
    mip_calls: int = 0


@dataclass
class Work:
    """The work done so far against the budget; the only things that may stop a stage early."""

    budget: WorkBudget
    deadline: float | None = None
    pricing_rounds: int = 0
    mip_calls: int = 0
    safety_hit: bool = False

    def stop_reason(self) -> str | None:
        if self.safety_hit or (self.deadline is not None and time.monotonic() > self.deadline):
            self.safety_hit = True
            return STOPPED_BY_SAFETY
        if self.pricing_rounds >= self.budget.pricing_rounds:
            return STOPPED_BY_BUDGET
        return None

    def mip_allowed(self) -> bool:
        return self.mip_calls < self.budget.mip_calls


@dataclass
class Pricing:
    """Finds panels worth adding: swap search first, the exact MIP when it finds none."""

    mip: PanelMip
    swaps: SwapSearch

    def add_swap_improvements(
        self, master: MasterLp, weights: np.ndarray, panel_price: float, panel_weights: np.ndarray
    ) -> bool:
        starts = np.argsort(-panel_weights)[:SWAP_STARTS]
        added = False
        for start in starts:
            if panel_weights[start] <= 0.0:
                break
            improved = self.swaps.improve(master.panels[start], weights)
            if weights @ improved > panel_price + PRICE_EPSILON and master.add_panel(improved):
                added = True
        return added


class MasterLp:
    """max z over lotteries of known panels: every free group >= z, every fixed one >= its value.

    Row g is group g; the last row says the panel probabilities sum to 1. Column 0 is z.
    """

    def __init__(self, group_sizes: np.ndarray, free_groups: list[int]) -> None:
        highspy = highs_module()
        self.group_sizes = group_sizes.astype(np.float64)
        self.num_groups = len(group_sizes)
        # New panels are new columns: the last basis stays primal feasible, so primal simplex
        # re-solves from it quickly.
        self.highs = new_highs(random_seed=0, simplex_strategy=4)
        inf = highspy.kHighsInf
        # z is a probability; bounding it keeps the LP bounded once every group is fixed.
        self.highs.addVar(0.0, 1.0)
        self.highs.changeColCost(0, -1.0)
        free = set(free_groups)
        for group in range(self.num_groups):
            coefficient = [-1.0] if group in free else [0.0]
            self.highs.addRow(0.0, inf, 1, np.array([0], dtype=np.int32), np.array(coefficient))
        self.highs.addRow(1.0, 1.0, 0, np.array([], dtype=np.int32), np.array([]))
        self.panels: list[np.ndarray] = []
        self.fixed_bounds: dict[int, float] = {}
        self._known: set[bytes] = set()
        self._weights = np.zeros(0)

    def add_panel(self, counts: np.ndarray) -> bool:
        key = counts.tobytes()
        if key in self._known:
            return False
        self._known.add(key)
        self.panels.append(counts)
        groups = np.flatnonzero(counts)
        rows = np.append(groups, self.num_groups).astype(np.int32)
        values = np.append(counts[groups] / self.group_sizes[groups], 1.0)
        self.highs.addCol(0.0, 0.0, highs_module().kHighsInf, len(rows), rows, values)
        return True

    def fix(self, group: int, probability: float) -> None:
        self.fixed_bounds[group] = probability
        self.highs.changeCoeff(group, 0, 0.0)
        self.highs.changeRowBounds(group, probability, highs_module().kHighsInf)

    def solve(self) -> tuple[float, np.ndarray, float, np.ndarray]:
        """(z, dual weight per group, dual price of a panel, panel probabilities)."""
        status = self._run()
        if status == highs_module().HighsModelStatus.kInfeasible and self.fixed_bounds:
            # Only accumulated rounding can do this; loosen every fixed bound a little, once.
            for group, value in list(self.fixed_bounds.items()):
                self.fix(group, max(0.0, value - RELAXATION_STEP))
            status = self._run()
        if status != highs_module().HighsModelStatus.kOptimal:
            reason = self.highs.modelStatusToString(status)
            raise SolverUnavailableError(f"the LEXIMIN master LP failed: {reason}")
        solution = self.highs.getSolution()
        duals = np.asarray(solution.row_dual)
        values = np.asarray(solution.col_value)
        self._weights = np.maximum(values[1:], 0.0)
        z = float(values[0])
        return z, np.maximum(duals[:-1], 0.0), float(-duals[-1]), self._weights

    def current_probabilities(self) -> np.ndarray:
        """Each group's selection probability under the last solution."""
        weights = self._weights / self._weights.sum()
        solved_panels = self.panels[: len(weights)]
        return _group_probabilities(solved_panels, weights, self.group_sizes)

    def _run(self):
        self.highs.run()
        return self.highs.getModelStatus()


def find_covering_panels(mip: PanelMip) -> tuple[list[np.ndarray], list[int]]:
    """Panels that between them include every group that any feasible panel can include.

    Returns the panels and the groups no feasible panel includes (they get probability 0).
    """
    sizes = mip.group_sizes
    covered = np.zeros(len(sizes), dtype=bool)
    panels: list[np.ndarray] = []
    while not covered.all():
        weights = np.where(covered, 0.0, 1.0 / sizes)
        counts, value, _ = mip.best_panel(weights)
        if value <= 0.0 or not (counts[~covered] > 0).any():
            break
        panels.append(counts)
        covered |= counts > 0
    unselectable = []
    for group in np.flatnonzero(~covered):
        counts = mip.any_panel(must_include=int(group))
        if counts is None:
            unselectable.append(int(group))
        else:
            panels.append(counts)
            covered |= counts > 0
    return panels, unselectable


def solve_leximin(
    mip: PanelMip,
    *,
    tolerance: float = 1e-6,
    budget: WorkBudget | None = None,
    deadline: float | None = None,
) -> LeximinOutcome:
    sizes = mip.group_sizes
    covering, unselectable = find_covering_panels(mip)
    free = [g for g in range(len(sizes)) if g not in set(unselectable)]
    master = MasterLp(sizes, free)
    pricing = Pricing(mip, SwapSearch(mip.pool))
    for counts in covering:
        master.add_panel(counts)
    relaxation = RelaxationBound(mip.pool, unselectable)
    fixed: dict[int, float] = dict.fromkeys(unselectable, 0.0)
    stages, stage_minimums, first_upper_bound, finished = 0, [], 1.0, True
    open_stage_gap = stopped_by = None
    work = Work(budget or WorkBudget(), deadline)
    while len(fixed) < len(sizes):
        stages += 1
        relaxed = relaxation.bound()
        relaxed_bound, relaxed_duals = relaxed if relaxed is not None else (np.inf, None)
        outcome = _optimise_stage(master, pricing, fixed, tolerance, work, relaxed_bound)
        z, duals, upper_bound, stopped_by = outcome
        if stages == 1:
            first_upper_bound = upper_bound
        if stopped_by is not None:
            finished, open_stage_gap = False, max(0.0, upper_bound - z)
            break
        stage_minimums.append(z)
        if relaxed_duals is not None and relaxed_bound - z <= tolerance:
            duals = relaxed_duals
        for group, value in _tight_groups(master, fixed, duals, z):
            fixed[group] = value
            master.fix(group, value)
            relaxation.fix(group, value)
    _, _, _, weights = master.solve()
    weights = _normalised(weights)
    probabilities = _group_probabilities(master.panels, weights, sizes)
    if mip.hit_time_limit:  # a MIP cut short by time may have returned a different panel
        stopped_by, finished = STOPPED_BY_SAFETY, False
        open_stage_gap = open_stage_gap or 0.0
    return LeximinOutcome(
        master.panels, weights, probabilities, unselectable, stages,
        first_upper_bound, finished, stage_minimums, sorted(fixed), open_stage_gap,
        stopped_by, work.pricing_rounds, work.mip_calls,
    )


def _optimise_stage(
    master: MasterLp,
    pricing: Pricing,
    fixed: dict[int, float],
    tolerance: float,
    work: Work,
    relaxed_bound: float,
) -> tuple[float, np.ndarray, float, str | None]:
    """Add panels until the stage's minimum is proven within `tolerance` of optimal.

    Returns (minimum, duals, upper bound, None) or, when the budget or the safety deadline
    ends the stage first, the same with the reason it stopped.
    """
    fixed_groups = np.array(sorted(fixed), dtype=np.int64)
    fixed_values = np.array([fixed[g] for g in fixed_groups])
    upper_bound = relaxed_bound
    stalls = swap_rounds = 0
    while True:
        z, duals, panel_price, panel_weights = master.solve()
        if upper_bound - z <= tolerance:
            return z, duals, upper_bound, None
        stop = work.stop_reason()
        if stop is not None:
            return z, duals, upper_bound, stop
        work.pricing_rounds += 1
        weights = duals / pricing.mip.group_sizes
        # Swaps keep finding slightly better panels long after the stage is as good as
        # optimal; asking the MIP now and then proves it (its bound ends the stage).
        swap_rounds += 1
        if (swap_rounds % MIP_EVERY or not work.mip_allowed()) and pricing.add_swap_improvements(
            master, weights, panel_price, panel_weights
        ):
            continue
        if not work.mip_allowed():
            return z, duals, upper_bound, STOPPED_BY_BUDGET
        work.mip_calls += 1
        counts, value, bound = pricing.mip.best_panel(weights)
        fixed_part = float(duals[fixed_groups] @ fixed_values) if len(fixed_groups) else 0.0
        upper_bound = min(upper_bound, bound - fixed_part)
        if upper_bound - z <= tolerance:
            return z, duals, upper_bound, None
        added = value > panel_price + PRICE_EPSILON and master.add_panel(counts)
        stalls = 0 if added else stalls + 1
        if stalls >= NO_PROGRESS_LIMIT:
            # The MIP proves no better panel exists up to solver precision: accept the stage.
            return z, duals, upper_bound, None


def _tight_groups(
    master: MasterLp, fixed: dict[int, float], duals: np.ndarray, z: float
) -> list[tuple[int, float]]:
    """The free groups with positive dual weight, and the value each is fixed at."""
    free = [g for g in range(len(duals)) if g not in fixed]
    tight = [g for g in free if duals[g] > FIX_WEIGHT_EPSILON]
    if z >= 1.0 - FIX_SLACK:  # everyone left is certain to be chosen
        tight = free
    elif not tight:
        tight = [max(free, key=lambda g: duals[g])]
    reached = master.current_probabilities()
    return [(g, max(0.0, min(z, float(reached[g])) - FIX_SLACK)) for g in tight]


def _normalised(weights: np.ndarray) -> np.ndarray:
    weights = np.where(weights < 1e-12, 0.0, weights)
    return weights / weights.sum()


def _group_probabilities(
    panels: list[np.ndarray], weights: np.ndarray, sizes: np.ndarray
) -> np.ndarray:
    expected_counts = np.zeros(len(sizes))
    for counts, weight in zip(panels, weights, strict=True):
        expected_counts += weight * counts
    return expected_counts / sizes
