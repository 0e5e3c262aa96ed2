"""Bring every type's seats inside its 1/M window by changing seats within tickets.

A uniform lottery of M tickets gives a person of type g (n_g interchangeable members) a chance
of seats / M when the T_g seats of the type are dealt round-robin: each member gets floor or
ceil of T_g / n_g. Everyone is within 1/M of the LEXIMIN value p_g exactly when
lo_g n_g <= T_g <= hi_g n_g, lo_g = ceil(M p_g - 1), hi_g = floor(M p_g + 1) (the window).

Rounding the M w_p copies of the LEXIMIN panels (systematic rounding) leaves some types
outside. Re-weighting only those panels cannot always fix it (the demo council: 43 of 201
types outside with its 196 panels), so, as in Flanigan, Kehne and Procaccia's rounding over
types, the tickets themselves are changed: a seat of type x in some ticket becomes type h
  - alone, when x and h differ in one category whose quotas have slack in that ticket, or
  - together with a partner seat y of the same ticket that has h's features in the categories
    where x and h differ: the two seats exchange those features (y becomes y'), so every
    category's counts, and hence every quota, are unchanged.
A move is made only if it lowers the total distance of types outside their windows (an integer),
so the repair ends; it is deterministic (types, targets and tickets in a fixed order, first
improving move taken). Every ticket still meets every quota and never takes more members of a
type than it has. If no move helps, the remaining distance is reported by the caller (largest
change over volunteers), never hidden.
"""

from __future__ import annotations

import itertools
from collections import defaultdict

import numpy as np

from .pool import Pool

MAX_DIFFERENT_CATEGORIES = 6  # targets differ from the seat's type in at most this many categories
MAX_SEAT_MOVES = 200_000
EPSILON = 1e-9


def windows(probabilities: np.ndarray, sizes: np.ndarray, lottery_size: int) -> tuple[np.ndarray, np.ndarray]:
    """(lowest, highest) total seats per type keeping each member within 1/M of p_g."""
    target = lottery_size * probabilities
    low = np.maximum(0, np.ceil(target - 1 - EPSILON)).astype(np.int64)
    high = np.floor(target + 1 + EPSILON).astype(np.int64)
    return low * sizes, high * sizes


class SeatRepair:
    """Seat moves over an M x G matrix of tickets' counts per type (pool groups)."""

    def __init__(self, pool: Pool, counts: np.ndarray, low: np.ndarray, high: np.ndarray) -> None:
        self.counts = counts.astype(np.int64)  # M x G
        self.sizes = np.array([g.size for g in pool.groups], dtype=np.int64)
        self.low, self.high = low.astype(np.int64), high.astype(np.int64)
        self.totals = self.counts.sum(axis=0)
        num_rows = len(pool.quotas)
        self.membership = np.zeros((len(pool.groups), num_rows), dtype=np.int64)
        for g, group in enumerate(pool.groups):
            self.membership[g, list(group.quota_rows)] = 1
        self.rows = self.counts @ self.membership  # M x R: each ticket's count per quota row
        self.row_min = np.array([q.min for q in pool.quotas], dtype=np.int64)
        self.row_max = np.array([q.max for q in pool.quotas], dtype=np.int64)
        self.household_of = np.full(len(pool.groups), -1, dtype=np.int64)
        for house, household in enumerate(pool.households):
            self.household_of[list(household)] = house
        self.houses = np.zeros((len(self.counts), len(pool.households)), dtype=np.int64)
        for house, household in enumerate(pool.households):
            self.houses[:, house] = self.counts[:, list(household)].sum(axis=1)
        self.features = [group.quota_rows for group in pool.groups]
        self.movable = np.array([group.size > 0 for group in pool.groups])
        # The interchangeable group with these features (else the first person who has them).
        self.type_of: dict[tuple[int, ...], int] = {}
        for g in sorted(range(len(self.features)), key=lambda g: (self.household_of[g] >= 0, g)):
            self.type_of.setdefault(self.features[g], g)
        self.num_categories = len(pool.categories)
        # Types by their features in a set of categories: for finding partners.
        self._projection: dict[tuple[int, ...], dict[tuple[int, ...], list[int]]] = {}
        self.moves = 0

    # ---- distance outside the windows
    def _outside(self, g: int, total: int) -> int:
        return max(0, total - int(self.high[g]), int(self.low[g]) - total)

    def distance(self) -> int:
        over = np.maximum(self.totals - self.high, 0)
        under = np.maximum(self.low - self.totals, 0)
        return int((over + under).sum())

    def _gain(self, changes: dict[int, int]) -> int:
        before = after = 0
        for g, delta in changes.items():
            total = int(self.totals[g])
            before += self._outside(g, total)
            after += self._outside(g, total + delta)
        return before - after

    # ---- search
    def run(self) -> int:
        while self.moves < MAX_SEAT_MOVES:
            if self.distance() == 0:
                break
            if not self._one_move():
                break
        return self.distance()

    def _violated(self) -> list[int]:
        over = np.maximum(self.totals - self.high, 0)
        under = np.maximum(self.low - self.totals, 0)
        off = over + under
        order = np.argsort(-off, kind="stable")
        return [int(g) for g in order if off[g] > 0]

    def _one_move(self) -> bool:
        violated = [x for x in self._violated() if self.movable[x]]
        if any(self._improve(x) for x in violated):
            return True
        # Stuck: a move that fixes x but pushes a neighbour just outside, then one that brings
        # that neighbour back inside elsewhere (a chain of two; undone if the second fails).
        for x in violated:
            excess = self.totals[x] > self.high[x]
            for other in self._targets(x) if excess else self._sources(x):
                seat_from, seat_to = (x, other) if excess else (other, x)
                changes = {seat_from: -1, seat_to: 1}
                if self._gain(changes) != 0:
                    continue
                ticket = self._move(changes)
                if ticket is None:
                    continue
                if self._improve(other):
                    return True
                self._apply(ticket, {g: -d for g, d in changes.items()})
                self.moves -= 2
        return False

    def _improve(self, x: int) -> bool:
        """One move that lowers the distance, for a type outside its window."""
        if self.totals[x] > self.high[x]:
            return any(self._try(x, h) for h in self._targets(x))  # a seat of x becomes h
        if self.totals[x] < self.low[x]:
            return any(self._try(g, x) for g in self._sources(x))  # a seat of g becomes x
        return False

    def _neighbours(self, x: int) -> list[int]:
        features = self.features[x]
        found = []
        for k in range(MAX_DIFFERENT_CATEGORIES + 1):
            for categories in itertools.combinations(range(self.num_categories), k):
                index = self._by_projection(
                    tuple(c for c in range(self.num_categories) if c not in categories)
                )
                key = tuple(features[c] for c in range(self.num_categories) if c not in categories)
                for g in index.get(key, ()):
                    if g != x and sum(a != b for a, b in zip(self.features[g], features, strict=True)) == k:
                        found.append(g)
        return found

    def _targets(self, x: int) -> list[int]:
        """Types a seat of x could become, those with most room first."""
        room = self.high - self.totals
        return sorted(self._neighbours(x), key=lambda h: (-int(room[h]), h))

    def _sources(self, x: int) -> list[int]:
        """Types whose seats could become x, those with most seats to spare first."""
        spare = self.totals - self.low
        return sorted(self._neighbours(x), key=lambda g: (-int(spare[g]), g))

    def _by_projection(self, categories: tuple[int, ...]) -> dict[tuple[int, ...], list[int]]:
        index = self._projection.get(categories)
        if index is None:
            grouped: dict[tuple[int, ...], list[int]] = defaultdict(list)
            for g, features in enumerate(self.features):
                if self.movable[g]:
                    grouped[tuple(features[c] for c in categories)].append(g)
            index = self._projection[categories] = dict(grouped)
        return index

    def _try(self, x: int, h: int) -> bool:
        """Turn one seat of x into h in some ticket (alone, or by exchange with a partner)."""
        differing = tuple(c for c in range(self.num_categories) if self.features[x][c] != self.features[h][c])
        if self._gain({x: -1, h: 1}) > 0 and self._move({x: -1, h: 1}) is not None:
            return True
        if not differing:
            return False
        # Exchange the differing categories' features with a partner y (y[S] == h[S]).
        index = self._by_projection(differing)
        key = tuple(self.features[h][c] for c in differing)
        for y in index.get(key, ()):
            if y == h:
                continue
            partner = list(self.features[y])
            for c in differing:
                partner[c] = self.features[x][c]
            y_new = self.type_of.get(tuple(partner))
            if y_new is None:
                continue
            changes: dict[int, int] = defaultdict(int)
            for g, delta in ((x, -1), (h, 1), (y, -1), (y_new, 1)):
                changes[g] += delta
            if self._gain(changes) > 0 and self._move(changes) is not None:
                return True
        return False

    def _move(self, changes: dict[int, int]) -> int | None:
        """Make the change in the first ticket where it keeps every quota and household rule."""
        changes = {g: d for g, d in changes.items() if d}
        ok = np.ones(len(self.counts), dtype=bool)
        row_delta = np.zeros(self.rows.shape[1], dtype=np.int64)
        house_delta: dict[int, int] = defaultdict(int)
        for g, delta in changes.items():
            if delta < 0:
                ok &= self.counts[:, g] >= -delta
            else:
                ok &= self.counts[:, g] + delta <= self.sizes[g]
            row_delta += delta * self.membership[g]
            if self.household_of[g] >= 0:
                house_delta[int(self.household_of[g])] += delta
        for row in np.flatnonzero(row_delta):
            after = self.rows[:, row] + row_delta[row]
            ok &= (after >= self.row_min[row]) & (after <= self.row_max[row])
        for house, delta in house_delta.items():
            if delta > 0:
                ok &= self.houses[:, house] + delta <= 1
        tickets = np.flatnonzero(ok)
        if not len(tickets):
            return None
        self._apply(int(tickets[0]), changes)
        return int(tickets[0])

    def _apply(self, ticket: int, changes: dict[int, int]) -> None:
        for g, delta in changes.items():
            if delta:
                self.counts[ticket, g] += delta
                self.totals[g] += delta
                self.rows[ticket] += delta * self.membership[g]
                if self.household_of[g] >= 0:
                    self.houses[ticket, self.household_of[g]] += delta
        self.moves += 1
