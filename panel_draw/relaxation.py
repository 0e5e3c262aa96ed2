"""An upper bound for each LEXIMIN stage from the LP relaxation of the panel polytope.

A lottery's expected counts per group lie in the convex hull of quota-meeting panels, which
sits inside the LP relaxation (counts may be fractional, same quota and household rows). So
"max z with every free group's probability >= z and every fixed group's >= its value" over
the relaxation bounds the same stage over lotteries from above. It is one small LP (a column
per group, no panels), so each stage gets a bound at once: the stage can stop as soon as the
master reaches it, without waiting for the panel MIP to prove that no better panel exists.
"""

from __future__ import annotations

import numpy as np

from .highs import highs_module, new_highs
from .panel_mip import constraint_rows
from .pool import Pool


class RelaxationBound:
    """max z over fractional panels. Columns 0..G-1 are counts per group, column G is z.

    The quota (and household) rows come first, then a row per group: x_g - size_g z >= 0
    while the group is free, x_g >= size_g value once it is fixed.
    """

    def __init__(self, pool: Pool, unselectable: list[int]) -> None:
        highspy = highs_module()
        self.sizes = np.array([g.size for g in pool.groups], dtype=np.float64)
        self.num_groups = len(self.sizes)
        rows = constraint_rows(pool, set(pool.categories), pool.one_per_household)
        self.first_group_row = len(rows)
        self.highs = new_highs(random_seed=0)
        upper = self.sizes.copy()
        upper[list(unselectable)] = 0.0  # no panel holds them, so no fractional one either
        self.highs.addVars(self.num_groups, np.zeros(self.num_groups), upper)
        self.highs.addVar(0.0, 1.0)
        self.highs.changeColCost(self.num_groups, -1.0)
        for low, high, columns in rows:
            self.highs.addRow(
                float(low), float(high), len(columns),
                np.array(columns, dtype=np.int32), np.ones(len(columns)),
            )
        blocked = set(unselectable)
        for group in range(self.num_groups):
            indices, values = [group], [1.0]
            if group not in blocked:
                indices, values = [group, self.num_groups], [1.0, -self.sizes[group]]
            self.highs.addRow(
                0.0, highspy.kHighsInf, len(indices), np.array(indices, dtype=np.int32),
                np.array(values),
            )

    def fix(self, group: int, value: float) -> None:
        row = self.first_group_row + group
        self.highs.changeCoeff(row, self.num_groups, 0.0)
        self.highs.changeRowBounds(row, self.sizes[group] * value, highs_module().kHighsInf)

    def bound(self) -> tuple[float, np.ndarray] | None:
        """(the largest minimum over free groups any lottery could reach at this stage, the
        dual weight per group: a positive one proves that group cannot go higher), or None
        when HiGHS cannot solve it: the bound only speeds stages up, the MIP still proves them.
        """
        optimal = highs_module().HighsModelStatus.kOptimal
        self.highs.run()
        if self.highs.getModelStatus() != optimal:
            # Warm starts after many bound changes occasionally end "Unknown": retry cold.
            self.highs.clearSolver()
            self.highs.run()
            if self.highs.getModelStatus() != optimal:
                return None
        solution = self.highs.getSolution()
        # Rows are in counts (size x probability); the master's are in probabilities.
        duals = np.asarray(solution.row_dual)[self.first_group_row:] * self.sizes
        return float(solution.col_value[self.num_groups]), np.maximum(duals, 0.0)
