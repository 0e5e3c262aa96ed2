"""Realise the relaxation's LEXIMIN by peeling quota-meeting panels off it (greedy Carathéodory).

The relaxation's LEXIMIN (typed.py) gives every type a target probability r_g, hence expected
counts x = r * sizes inside the LP relaxation P of the panel polytope. Column generation over a
master LP (min s, every type within s of r_g) reached 10,000 -> 100 with six categories only after
626 degenerate master re-solves (255 s of CPU; decision 0102). Here the lottery is built the
other way round: take a panel y in P with integer counts, as large a weight w = M * lam as
keeps the residual (x - lam * y) / (1 - lam) inside P, and repeat on the residual with the
mass M left. A step stays inside P exactly when y is in every row and bound the residual
already touches, so each step's panel comes from the panel MIP with its bounds tightened to
"feasible for a step of at least lam_t" (a box on counts and quota rows; no extra columns).
Each step makes at least one more bound or quota row tight, or takes the whole residual.

Every type is then within the mass left undecomposed (plus the projection below) of r_g: the
probabilities are (sum of w_i y_i + M * x) / sizes and the residual x / sizes lies in [0, 1].
It can get stuck (no integer panel on the residual's face) where the panel polytope is smaller
than its relaxation; the master LP then starts from these panels and column generation goes on.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .highs import highs_module, new_highs
from .leximin import Work
from .panel_mip import PanelMip

ZERO = 1e-9  # residual counts this close to a bound are on it
INTEGRAL = 1e-9  # slack when turning count bounds into integers
STEP_GROWTH = 1.5  # the next step tries a weight this much larger than the last one
FIRST_STEP = 0.5
MAX_HALVINGS = 30  # a step weight under 0.5 ** 30 of the mass left counts as stuck


@dataclass
class Decomposition:
    panels: list[np.ndarray]
    weights: list[float]
    remaining: float  # the mass not decomposed: each type within this of its projected target
    projection_gap: float  # how far the targets were from P (the relaxation's level slack)
    mip_calls: int


class _Rows:
    """The panel MIP's rows (size, quotas, households) as (row, column) index pairs."""

    def __init__(self, mip: PanelMip) -> None:
        rows = mip.rows
        self.lower = np.array([low for low, _, _ in rows], dtype=np.float64)
        self.upper = np.array([high for _, high, _ in rows], dtype=np.float64)
        self.row_of = np.concatenate(
            [np.full(len(cols), r, dtype=np.int64) for r, (_, _, cols) in enumerate(rows)]
        )
        self.column_of = np.concatenate([np.asarray(cols, dtype=np.int64) for _, _, cols in rows])
        self.members = [np.asarray(cols, dtype=np.int32) for _, _, cols in rows]

    def __len__(self) -> int:
        return len(self.lower)

    def totals(self, counts: np.ndarray) -> np.ndarray:
        return np.bincount(self.row_of, weights=counts[self.column_of], minlength=len(self))


def decompose(
    mip: PanelMip,
    target: np.ndarray,
    unselectable: list[int],
    *,
    stop_mass: float,
    work: Work,
) -> Decomposition:
    """Panels and weights whose lottery gives each type within `remaining` of `target`.

    `mip` must be a PanelMip of its own: its bounds are changed step by step.
    """
    sizes = mip.group_sizes.astype(np.float64)
    rows = _Rows(mip)
    expected, gap = _project(rows, target * sizes, sizes, unselectable)
    residual, mass = expected.copy(), 1.0
    panels: list[np.ndarray] = []
    weights: list[float] = []
    calls, guess = 0, FIRST_STEP
    while np.isfinite(gap) and mass > stop_mass and work.stop_reason() is None:
        counts = _snapped(residual / mass, sizes)
        step = _next_panel(mip, rows, counts, sizes, guess)
        calls += step.calls
        if step.panel is None:
            break
        weight = mass * step.size
        panels.append(step.panel)
        weights.append(weight)
        residual = np.maximum(residual - weight * step.panel, 0.0)
        mass -= weight
        if step.size >= 1.0 - ZERO:
            mass = 0.0
        guess = min(1.0, step.size * STEP_GROWTH)
    return Decomposition(panels, weights, max(mass, 0.0), gap, calls)


@dataclass
class _Step:
    panel: np.ndarray | None
    size: float  # lam: the share of the residual's mass this panel takes
    calls: int


def _next_panel(
    mip: PanelMip, rows: _Rows, counts: np.ndarray, sizes: np.ndarray, guess: float
) -> _Step:
    totals = rows.totals(counts)
    room_low = _clean(totals - rows.lower)
    room_high = _clean(rows.upper - totals)
    size, calls = guess, 0
    for _ in range(MAX_HALVINGS):
        box = _step_box(counts, sizes, rows, room_low, room_high, size)
        if box is not None:
            calls += 1
            panel = mip.panel_within(*box, weights=counts / sizes)
            if panel is not None:
                largest = _largest_step(counts, panel, sizes, rows, room_low, room_high)
                if largest > 0.0:
                    return _Step(panel, largest, calls)
        size /= 2.0
    return _Step(None, 0.0, calls)


def _step_box(
    counts: np.ndarray,
    sizes: np.ndarray,
    rows: _Rows,
    room_low: np.ndarray,
    room_high: np.ndarray,
    size: float,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray] | None:
    """Bounds on a panel's counts and row totals that allow a step of `size`, or None."""
    upper = np.minimum(sizes, np.floor(counts / size + INTEGRAL))
    lower = np.maximum(0.0, np.ceil(sizes - (sizes - counts) / size - INTEGRAL))
    row_upper = np.minimum(rows.upper, np.floor(rows.lower + room_low / size + INTEGRAL))
    row_lower = np.maximum(rows.lower, np.ceil(rows.upper - room_high / size - INTEGRAL))
    if (lower > upper).any() or (row_lower > row_upper).any():
        return None
    return lower, upper, row_lower, row_upper


def _largest_step(
    counts: np.ndarray,
    panel: np.ndarray,
    sizes: np.ndarray,
    rows: _Rows,
    room_low: np.ndarray,
    room_high: np.ndarray,
) -> float:
    """The largest lam keeping (counts - lam * panel) / (1 - lam) inside P."""
    totals = rows.totals(panel.astype(np.float64))
    limits = [np.array([1.0])]
    for room, need in (
        (counts, panel.astype(np.float64)),
        (sizes - counts, sizes - panel),
        (room_low, totals - rows.lower),
        (room_high, rows.upper - totals),
    ):
        pushes = need > ZERO
        limits.append(room[pushes] / need[pushes])
    return float(np.min(np.concatenate(limits)))


def _snapped(counts: np.ndarray, sizes: np.ndarray) -> np.ndarray:
    counts = np.where(counts < ZERO, 0.0, counts)
    return np.where(counts > sizes - ZERO, sizes, counts)


def _clean(room: np.ndarray) -> np.ndarray:
    return np.where(room < ZERO, 0.0, room)


def _project(
    rows: _Rows, expected: np.ndarray, sizes: np.ndarray, unselectable: list[int]
) -> tuple[np.ndarray, float]:
    """The counts in P nearest `expected` (largest probability difference), and that distance.

    The relaxation fixes each level a little under the value reached (LEVEL_SLACK), so its
    targets can sit a few millionths outside P; the decomposition needs a point inside.
    """
    highspy = highs_module()
    num = len(sizes)
    upper = sizes.copy()
    upper[list(unselectable)] = 0.0
    highs = new_highs(random_seed=0)
    highs.addVars(num, np.zeros(num), upper)
    highs.addVar(0.0, highspy.kHighsInf)
    highs.changeColCost(num, 1.0)
    for low, high, members in zip(rows.lower, rows.upper, rows.members, strict=True):
        highs.addRow(float(low), float(high), len(members), members, np.ones(len(members)))
    inf = highspy.kHighsInf
    for group in range(num):
        columns = np.array([group, num], dtype=np.int32)
        highs.addRow(-inf, float(expected[group]), 2, columns, np.array([1.0, -sizes[group]]))
        highs.addRow(float(expected[group]), inf, 2, columns, np.array([1.0, sizes[group]]))
    highs.run()
    if highs.getModelStatus() != highspy.HighsModelStatus.kOptimal:
        return np.clip(expected, 0.0, upper), float("inf")
    values = np.asarray(highs.getSolution().col_value)
    return np.clip(values[:num], 0.0, upper), float(values[num])
