"""A draw anyone can verify: LEXIMIN rounded to a uniform lottery over M numbered panels.

Flanigan, Kehne and Procaccia ("Fair sortition made transparent", NeurIPS 2021). A LEXIMIN
lottery gives panels irrational probabilities; a uniform lottery over M panels (M tickets, one
panel each, panels may repeat) can be drawn in public with numbered balls or a published seed.

Rounding, with every volunteer's probability within 1/M of its LEXIMIN value:
  1. Each person of type g should sit on between lo_g = ceil(M p_g - 1) and hi_g =
     floor(M p_g + 1) of the M panels. Copies of the LEXIMIN lottery's panels (a_p >= 0, sum M)
     start from systematic rounding of M w_p. With the pool given, seats then move between types
     inside tickets while every quota and household rule holds (seat_moves.py; decision 0102),
     which reaches windows that copies of the LEXIMIN panels cannot; without it, single tickets
     move from one panel to another while that shrinks how far types' seats per person lie
     outside [lo_g, hi_g]. When every type ends inside, everyone is within 1/M; otherwise the
     largest change is reported (it is always computed and published with the lottery).
  2. Type counts become named volunteers: the type's members in a seeded shuffle, seats dealt
     round-robin in ticket order. Every member gets floor or ceil of (seats / n_g), which stays
     in [lo_g, hi_g]; a panel never holds the same person twice (it takes at most n_g seats of
     a type, consecutively).
  3. Volunteers are published only as pseudonymous numbers (1..N, a seeded shuffle of the pool
     sorted by id); the number -> volunteer key is kept privately, so erasing someone breaks
     nothing that was published.
  4. Tickets are sorted panels (each a sorted tuple of numbers), listed in order, 1..M.

The published file is plain text (format below) whose SHA-256 digest is published with it.
The winning ticket is typed in after a public event, or derived from a published seed:
`ticket_from_seed(seed, M) = int(sha256(seed as UTF-8).hexdigest(), 16) % M + 1`.

Everything that makes the bytes is sorted or seeded, and every solver runs single-threaded
with fixed options (highs.py), so the same pool, quotas, size, seed and M give the same file.
"""

from __future__ import annotations

import hashlib
import math
import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from .models import PoolError, WeightedPanel
from .pool import Pool
from .seat_moves import SeatRepair, windows

FORMAT_LINE = "# chorus panel lottery, format 1"
MAX_MOVES = 2_000
MOVE_DONORS = 200
WINDOW_EPSILON = 1e-9


@dataclass(frozen=True)
class UniformLottery:
    size: int  # M
    tickets: tuple[tuple[int, ...], ...]  # ticket i (1-based) is tickets[i - 1]: sorted numbers
    pseudonyms: Mapping[int, str]  # number -> volunteer id (private, never published)
    probabilities: Mapping[str, float]  # volunteer id -> tickets holding them / M
    largest_change: float  # max |uniform - LEXIMIN| over volunteers
    pool_size: int
    panel_size: int

    def published_text(self) -> str:
        return published_text(self.tickets, self.size, self.pool_size, self.panel_size)

    def digest(self) -> str:
        return sha256_hex(self.published_text().encode("utf-8"))

    def panel_ids(self, ticket: int) -> tuple[str, ...]:
        return tuple(self.pseudonyms[number] for number in self.tickets[ticket - 1])

    @property
    def min_selection_probability(self) -> float:
        return min(self.probabilities.values())


def ticket_from_seed(seed: str, lottery_size: int) -> int:
    """The winning ticket from a published seed: int(SHA-256(seed).hexdigest(), 16) % M + 1."""
    return int(sha256_hex(str(seed).encode("utf-8")), 16) % lottery_size + 1


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def uniform_lottery(
    panels: Sequence[WeightedPanel],
    probabilities: Mapping[str, float],
    lottery_size: int,
    seed: int,
    *,
    pool: Pool | None = None,
) -> UniformLottery:
    """Round a LEXIMIN lottery (over compositions of groups) to M equally likely panels.

    With the `pool` (its types and quotas), tickets may change seats between types while every
    quota still holds (seat_moves.py), which keeps everyone within 1/M where re-weighting the
    LEXIMIN panels alone cannot; without it, only the panels' copies are moved.
    """
    if lottery_size < 1:
        raise PoolError("the lottery needs at least one ticket")
    groups = _groups(panels) if pool is None else _pool_groups(pool)
    matrix = _ticket_counts(panels, groups, probabilities, lottery_size, pool)
    rng = random.Random(seed)  # noqa: S311 - reproducible from a published seed by design
    ids = sorted(probabilities)
    numbers = list(range(1, len(ids) + 1))
    rng.shuffle(numbers)
    number_of = dict(zip(ids, numbers, strict=True))
    members = {index: sorted(key) for key, index in groups.items()}
    for key in sorted(groups):
        rng.shuffle(members[groups[key]])
    first_member = {index: key[0] for key, index in groups.items()}
    rows = [
        (tuple(sorted((first_member[g], int(row[g])) for g in np.flatnonzero(row))), r)
        for r, row in enumerate(matrix)
    ]
    rows.sort()
    dealt = [0] * len(groups)
    tickets = []
    for _, r in rows:
        chosen = []
        for g in sorted(np.flatnonzero(matrix[r]), key=lambda g: first_member[int(g)]):
            people = members[int(g)]
            for _ in range(int(matrix[r, g])):
                chosen.append(number_of[people[dealt[g] % len(people)]])
                dealt[g] += 1
        tickets.append(tuple(sorted(chosen)))
    tickets.sort()
    held = dict.fromkeys(ids, 0)
    pseudonyms = {number: vid for vid, number in number_of.items()}
    for ticket in tickets:
        for number in ticket:
            held[pseudonyms[number]] += 1
    uniform = {vid: held[vid] / lottery_size for vid in ids}
    # The LEXIMIN values are floats: a difference below 1e-12 is their rounding, not a change (a
    # type exactly 1/M away otherwise reads 1/M + 2e-16).
    change = round(max(abs(uniform[vid] - probabilities[vid]) for vid in ids), 12)
    panel_size = len(tickets[0]) if tickets else 0
    return UniformLottery(lottery_size, tuple(tickets), pseudonyms, uniform, change, len(ids), panel_size)


def _pool_groups(pool: Pool) -> dict[tuple[str, ...], int]:
    return {tuple(sorted(pool.member_ids(g))): g for g in range(len(pool.groups))}


def _ticket_counts(
    panels: Sequence[WeightedPanel],
    groups: dict[tuple[str, ...], int],
    probabilities: Mapping[str, float],
    lottery_size: int,
    pool: Pool | None,
) -> np.ndarray:
    """M x G: each ticket's seats per type."""
    copies = _round_copies(panels, groups, probabilities, lottery_size, repair=pool is None)
    matrix = np.zeros((lottery_size, len(groups)), dtype=np.int64)
    row = 0
    for panel, count in zip(panels, copies, strict=True):
        for _ in range(count):
            for group in panel.groups:
                matrix[row, groups[tuple(sorted(group.member_ids))]] += group.count
            row += 1
    if pool is not None:
        sizes = np.array([len(key) for key in sorted(groups, key=groups.get)], dtype=np.int64)
        chances = np.array([probabilities[key[0]] for key in sorted(groups, key=groups.get)])
        low, high = windows(chances, sizes, lottery_size)
        repair = SeatRepair(pool, matrix, low, high)
        repair.run()
        matrix = repair.counts
    return matrix


def published_text(
    tickets: Sequence[Sequence[int]], lottery_size: int, pool_size: int, panel_size: int
) -> str:
    lines = [
        FORMAT_LINE,
        f"# tickets {lottery_size}",
        f"# volunteers {pool_size} (numbered 1..{pool_size}; the key is kept by the council)",
        f"# panel size {panel_size}",
        "# ticket: the numbers of the volunteers on that ticket's panel",
    ]
    lines += [f"{i}: {' '.join(map(str, ticket))}" for i, ticket in enumerate(tickets, start=1)]
    return "\n".join(lines) + "\n"


def parse_published(text: str) -> dict[int, tuple[int, ...]]:
    """Ticket number -> panel numbers, from a published file (raises ValueError if malformed)."""
    lines = text.splitlines()
    if not lines or lines[0] != FORMAT_LINE:
        raise ValueError("not a Chorus panel lottery file (first line differs)")
    tickets: dict[int, tuple[int, ...]] = {}
    for line in lines[1:]:
        if line.startswith("#") or not line.strip():
            continue
        ticket, _, numbers = line.partition(":")
        tickets[int(ticket)] = tuple(int(n) for n in numbers.split())
    if sorted(tickets) != list(range(1, len(tickets) + 1)):
        raise ValueError("tickets must be numbered 1..M without gaps")
    return tickets


def _groups(panels: Sequence[WeightedPanel]) -> dict[tuple[str, ...], int]:
    keys: dict[tuple[str, ...], int] = {}
    for panel in panels:
        for group in panel.groups:
            keys.setdefault(tuple(sorted(group.member_ids)), len(keys))
    return keys


def _composition_key(panel: WeightedPanel) -> tuple:
    return tuple(sorted((min(g.member_ids), g.count) for g in panel.groups))


def _round_copies(
    panels: Sequence[WeightedPanel],
    groups: dict[tuple[str, ...], int],
    probabilities: Mapping[str, float],
    lottery_size: int,
    *,
    repair: bool = True,
) -> list[int]:
    """a_p >= 0 integers, sum M: systematic rounding of M w_p, then moves of one ticket from one
    panel to another while they shrink how far types fall outside their 1/M windows."""
    order = sorted(range(len(panels)), key=lambda i: _composition_key(panels[i]))
    weights = np.array([panels[i].probability for i in order])
    weights = weights / weights.sum()
    # Person units: a copy of panel p gives each member of type g c_pg / n_g seats.
    share = np.zeros((len(groups), len(order)))
    low = np.zeros(len(groups))
    high = np.zeros(len(groups))
    for key, row in groups.items():
        target = lottery_size * probabilities[key[0]]
        low[row] = max(0, math.ceil(target - 1 - 1e-9))
        high[row] = math.floor(target + 1 + 1e-9)
    for column, index in enumerate(order):
        for group in panels[index].groups:
            row = groups[tuple(sorted(group.member_ids))]
            share[row, column] += group.count / len(group.member_ids)
    copies = _systematic(lottery_size * weights)
    if repair:
        copies = _repair(copies, share, low, high)
    result = [0] * len(panels)
    for column, index in enumerate(order):
        result[index] = int(copies[column])
    return result


def _outside(seats: np.ndarray, low: np.ndarray, high: np.ndarray) -> np.ndarray:
    """How far each type's seats per person lie outside [low, high] (0 inside), along the last axis."""
    return np.maximum(0.0, np.maximum(seats - high, low - seats) - WINDOW_EPSILON).sum(axis=-1)


def _repair(copies: np.ndarray, share: np.ndarray, low: np.ndarray, high: np.ndarray) -> np.ndarray:
    """Best single-ticket moves (panel p -> panel q) until every type is inside its window, no
    move helps, or MAX_MOVES; deterministic (ties go to the lowest indices)."""
    copies = copies.copy()
    seats = share @ copies
    for _ in range(MAX_MOVES):
        current = float(_outside(seats, low, high))
        if current <= 0.0:
            break
        excess = np.maximum(seats - high, 0.0)
        deficit = np.maximum(low - seats, 0.0)
        blame = share.T @ excess - share.T @ deficit  # how much removing a copy of p would help
        donors = np.flatnonzero(copies > 0)
        donors = donors[np.argsort(-blame[donors], kind="stable")[:MOVE_DONORS]]
        best, move = current - 1e-12, None
        for p in donors:
            moved = seats[None, :] + (share.T - share[:, p][None, :])  # every q at once
            outside = _outside(moved, low, high)
            outside[p] = np.inf
            q = int(np.argmin(outside))
            if outside[q] < best:
                best, move = float(outside[q]), (int(p), q)
        if move is None:
            break
        p, q = move
        copies[p] -= 1
        copies[q] += 1
        seats += share[:, q] - share[:, p]
    return copies


def _systematic(target_copies: np.ndarray) -> np.ndarray:
    """a_p from the cumulative targets rounded half up: each a_p is floor or ceil of M w_p."""
    cumulative = np.floor(np.cumsum(target_copies) + 0.5)
    cumulative[-1] = round(float(target_copies.sum()))
    return np.diff(np.concatenate([[0.0], cumulative])).astype(np.int64)
