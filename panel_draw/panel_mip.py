"""The MIP whose solutions are exactly the panels that meet every quota.

Variables are counts per group of interchangeable volunteers (0..group size); rows are the
panel size, each quota's min/max, and at most one person per shared household.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np

from .highs import highs_module, new_highs
from .models import SolverUnavailableError
from .pool import Pool

MIP_RELATIVE_GAP = 1e-7


class PanelMip:
    def __init__(
        self,
        pool: Pool,
        *,
        categories: Iterable[str] | None = None,
        households: bool = True,
        time_limit_seconds: float | None = None,
        max_nodes: int | None = None,
    ) -> None:
        self.pool = pool
        self.group_sizes = np.array([g.size for g in pool.groups], dtype=np.int64)
        # Feasibility jump costs more wall-clock time than these small MIPs take to solve.
        self.highs = new_highs(
            mip_rel_gap=MIP_RELATIVE_GAP, random_seed=0, mip_heuristic_run_feasibility_jump=False
        )
        # Nodes, not seconds, bound each MIP so that its answer never depends on load; the
        # time limit is only the draw's safety stop, and `hit_time_limit` records if it fired.
        if max_nodes is not None:
            self.highs.setOptionValue("mip_max_nodes", max(1, int(max_nodes)))
        if time_limit_seconds is not None:
            self.highs.setOptionValue("time_limit", max(1.0, float(time_limit_seconds)))
        self.hit_time_limit = False
        kept = set(pool.categories if categories is None else categories)
        self._pass_model(kept, households and pool.one_per_household)

    def best_panel(self, weights: np.ndarray) -> tuple[np.ndarray, float, float]:
        """The panel maximising sum(weights * counts): (counts, value, proven upper bound)."""
        highspy = highs_module()
        self.highs.changeObjectiveSense(highspy.ObjSense.kMaximize)
        self._set_costs(weights)
        counts = self._solve()
        if counts is None:
            raise SolverUnavailableError("the panel MIP became infeasible while pricing panels")
        value = float(weights @ counts)
        bound = self.highs.getInfo().mip_dual_bound
        if not np.isfinite(bound) or bound < value:
            bound = value
        return counts, value, float(bound)

    def any_panel(self, must_include: int | None = None) -> np.ndarray | None:
        """Some quota-meeting panel (with someone from group `must_include`), or None."""
        self._set_costs(np.zeros(len(self.group_sizes)))
        if must_include is None:
            return self._solve()
        upper = float(self.group_sizes[must_include])
        self.highs.changeColBounds(must_include, 1.0, upper)
        try:
            return self._solve()
        finally:
            self.highs.changeColBounds(must_include, 0.0, upper)

    def panel_within(
        self,
        lower: np.ndarray,
        upper: np.ndarray,
        row_lower: np.ndarray,
        row_upper: np.ndarray,
        *,
        weights: np.ndarray,
    ) -> np.ndarray | None:
        """The panel of largest weight with counts and row totals (rows as in `self.rows`)
        inside the given bounds, or None if there is none or the node limit ends the search
        without one. The model's own bounds are restored afterwards."""
        highspy = highs_module()
        columns = np.arange(len(self.group_sizes), dtype=np.int32)
        row_indices = np.arange(len(self.rows), dtype=np.int32)
        self.highs.changeObjectiveSense(highspy.ObjSense.kMaximize)
        self._set_costs(weights)
        self.highs.changeColsBounds(len(columns), columns, lower, upper)
        self.highs.changeRowsBounds(len(row_indices), row_indices, row_lower, row_upper)
        try:
            self.highs.run()
            if self.highs.getInfo().primal_solution_status != 2:  # no feasible panel at hand
                return None
            return np.rint(np.asarray(self.highs.getSolution().col_value)).astype(np.int64)
        finally:
            own_lower = np.array([low for low, _, _ in self.rows], dtype=np.float64)
            own_upper = np.array([high for _, high, _ in self.rows], dtype=np.float64)
            self.highs.changeColsBounds(
                len(columns), columns, np.zeros(len(columns)), self.group_sizes.astype(np.float64)
            )
            self.highs.changeRowsBounds(len(row_indices), row_indices, own_lower, own_upper)

    def _set_costs(self, weights: np.ndarray) -> None:
        indices = np.arange(len(weights), dtype=np.int32)
        self.highs.changeColsCost(len(weights), indices, np.asarray(weights, dtype=np.float64))

    def _solve(self) -> np.ndarray | None:
        highspy = highs_module()
        self.highs.run()
        status = self.highs.getModelStatus()
        if status == highspy.HighsModelStatus.kTimeLimit:
            self.hit_time_limit = True
        if status == highspy.HighsModelStatus.kInfeasible:
            return None
        if self.highs.getInfo().primal_solution_status != 2:  # 2 = feasible solution at hand
            reason = self.highs.modelStatusToString(status)
            raise SolverUnavailableError(f"the panel MIP stopped without a panel: {reason}")
        values = np.asarray(self.highs.getSolution().col_value)
        return np.rint(values).astype(np.int64)

    def _pass_model(self, categories: set[str], households: bool) -> None:
        highspy = highs_module()
        pool = self.pool
        rows = constraint_rows(pool, categories, households)
        self.rows = rows
        lp = highspy.HighsLp()
        lp.num_col_ = len(pool.groups)
        lp.num_row_ = len(rows)
        lp.col_cost_ = np.zeros(lp.num_col_)
        lp.col_lower_ = np.zeros(lp.num_col_)
        lp.col_upper_ = self.group_sizes.astype(np.float64)
        lp.row_lower_ = np.array([low for low, _, _ in rows], dtype=np.float64)
        lp.row_upper_ = np.array([high for _, high, _ in rows], dtype=np.float64)
        starts, indices = _column_wise(rows, lp.num_col_)
        lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
        lp.a_matrix_.start_ = starts
        lp.a_matrix_.index_ = indices
        lp.a_matrix_.value_ = np.ones(len(indices))
        lp.integrality_ = [highspy.HighsVarType.kInteger] * lp.num_col_
        self.highs.passModel(lp)


def constraint_rows(
    pool: Pool, categories: set[str], households: bool
) -> list[tuple[float, float, list[int]]]:
    every_group = list(range(len(pool.groups)))
    rows: list[tuple[float, float, list[int]]] = [(pool.size, pool.size, every_group)]
    for row, quota in enumerate(pool.quotas):
        if quota.category not in categories:
            continue
        column = pool.categories.index(quota.category)
        members = [gi for gi, g in enumerate(pool.groups) if g.quota_rows[column] == row]
        rows.append((quota.min, quota.max, members))
    if households:
        rows.extend((0.0, 1.0, list(groups)) for groups in pool.households)
    return rows


def _column_wise(rows: list, num_cols: int) -> tuple[np.ndarray, np.ndarray]:
    per_column: list[list[int]] = [[] for _ in range(num_cols)]
    for row_index, (_, _, columns) in enumerate(rows):
        for column in columns:
            per_column[column].append(row_index)
    lengths = np.array([len(c) for c in per_column], dtype=np.int32)
    starts = np.concatenate([[0], np.cumsum(lengths)]).astype(np.int32)
    indices = np.array([r for c in per_column for r in c], dtype=np.int32)
    return starts, indices
