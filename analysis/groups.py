"""Who said it: each theme's share per group against that group's overall share."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
from scipy.stats import norm

from analysis.result import GroupFlag

UNKNOWN = "unknown"


class GroupComparer:
    """Two-proportion z-test (theme members vs everyone else analysed) per group value.

    p-values are corrected across every theme x value cell of a column with
    Benjamini-Hochberg ("bh") or Holm ("holm"); a cell is flagged only when the
    group has at least `min_count` texts overall and at least `min_count` observed
    or expected in the theme, so tiny groups are never singled out. It must also differ
    markedly: a share at least `min_ratio` times the group's overall share, or at most
    the overall share divided by it. With thousands of answers almost every difference
    is significant, and a flag on every group tells an officer nothing.
    """

    def __init__(
        self,
        *,
        alpha: float = 0.05,
        min_count: int = 10,
        correction: str = "bh",
        min_ratio: float = 1.25,
    ):
        if correction not in {"bh", "holm"}:
            raise ValueError("correction must be 'bh' or 'holm'")
        if min_ratio < 1:
            raise ValueError("min_ratio must be at least 1")
        self.alpha = alpha
        self.min_count = min_count
        self.correction = correction
        self.min_ratio = min_ratio

    def compare(
        self,
        groups: Mapping[str, Sequence[str | None]],
        themes: Sequence[Sequence[int]],
        population: Sequence[int],
    ) -> list[list[GroupFlag]]:
        """One list of GroupFlag per theme, covering every column and value."""
        out: list[list[GroupFlag]] = [[] for _ in themes]
        for column, values in groups.items():
            for t, flags in enumerate(self._column(column, values, themes, population)):
                out[t].extend(flags)
        return out

    def _column(self, column, values, themes, population):
        pop = np.asarray(population, dtype=int)
        labels = np.array([_value(values[i]) for i in pop], dtype=object)
        position = {int(i): p for p, i in enumerate(pop)}
        cells = []
        for members in themes:
            inside = np.zeros(len(pop), dtype=bool)
            inside[[position[i] for i in members if i in position]] = True
            cells.append([_cell(column, v, labels, inside) for v in np.unique(labels)])
        flat = [c for row in cells for c in row]
        q = adjust([c[1] for c in flat], self.correction)
        it = iter(q)
        return [[self._flag(cell, next(it)) for cell in row] for row in cells]

    def _flag(self, cell, q: float) -> GroupFlag:
        flag, p, group_size, expected = cell
        direction = None
        # Under-representation shows as a small count, so the floor applies to the
        # group's size and to the larger of observed and expected counts.
        big_enough = group_size >= self.min_count and max(flag.count, expected) >= self.min_count
        if q < self.alpha and big_enough:
            direction = self._direction(flag.theme_share, flag.overall_share)
        return GroupFlag(
            column=flag.column,
            value=flag.value,
            count=flag.count,
            theme_share=flag.theme_share,
            overall_share=flag.overall_share,
            p_value=p,
            q_value=float(q),
            flag=direction,
        )


    def _direction(self, theme_share: float, overall_share: float) -> str | None:
        if theme_share >= overall_share * self.min_ratio and theme_share > overall_share:
            return "over"
        if theme_share * self.min_ratio <= overall_share and theme_share < overall_share:
            return "under"
        return None


def _cell(column: str, value: str, labels: np.ndarray, inside: np.ndarray):
    is_value = labels == value
    n_in, n_out = int(inside.sum()), int((~inside).sum())
    x_in, x_out = int((is_value & inside).sum()), int((is_value & ~inside).sum())
    p = two_proportion_p(x_in, n_in, x_out, n_out)
    flag = GroupFlag(
        column=column,
        value=str(value),
        count=x_in,
        theme_share=x_in / n_in if n_in else 0.0,
        overall_share=float(is_value.mean()) if len(labels) else 0.0,
        p_value=p,
        q_value=1.0,
        flag=None,
    )
    return flag, p, int(is_value.sum()), flag.overall_share * n_in


def two_proportion_p(x1: int, n1: int, x2: int, n2: int) -> float:
    """Two-sided p-value of the pooled two-proportion z-test; 1.0 when undefined."""
    if n1 == 0 or n2 == 0:
        return 1.0
    pooled = (x1 + x2) / (n1 + n2)
    se = np.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2))
    if se == 0:
        return 1.0
    z = (x1 / n1 - x2 / n2) / se
    return float(2 * norm.sf(abs(z)))


def adjust(p_values: Sequence[float], method: str = "bh") -> np.ndarray:
    """Benjamini-Hochberg or Holm adjusted p-values, in the input order."""
    p = np.asarray(p_values, dtype=float)
    m = len(p)
    if m == 0:
        return p
    order = np.argsort(p, kind="stable")
    ranked = p[order]
    if method == "holm":
        adj = np.maximum.accumulate((m - np.arange(m)) * ranked)
    else:
        adj = np.minimum.accumulate((ranked * m / np.arange(1, m + 1))[::-1])[::-1]
    out = np.empty(m)
    out[order] = np.minimum(adj, 1.0)
    return out


def _value(value: str | None) -> str:
    if value is None:
        return UNKNOWN
    value = str(value).strip()
    return value or UNKNOWN
