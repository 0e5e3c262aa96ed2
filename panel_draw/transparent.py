"""A draw anyone can verify: LEXIMIN rounded to a uniform lottery over M numbered panels.

Flanigan, Kehne and Procaccia ("Fair sortition made transparent", NeurIPS 2021). A LEXIMIN
lottery gives panels irrational probabilities; a uniform lottery over M panels (M tickets, one
panel each, panels may repeat) can be drawn in public with numbered balls or a published seed.

Rounding, with every volunteer's probability within 1/M of its LEXIMIN value:
  1. Each person of type g must sit on between lo_g = ceil(M p_g - 1) and hi_g = floor(M p_g + 1)
     of the M panels. A small integer program over the LEXIMIN lottery's panels (a_p >= 0 copies
     of panel p, sum a_p = M) keeps each type's seats between n_g lo_g and n_g hi_g; the
     fractional point a = M w meets it, so it is feasible in all but degenerate cases.
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

from .highs import highs_module, new_highs
from .models import PoolError, SolverUnavailableError, WeightedPanel

FORMAT_LINE = "# chorus panel lottery, format 1"
ROUNDING_NODES = 200
DISTANCE_COST = 0.0


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
) -> UniformLottery:
    """Round a LEXIMIN lottery (over compositions of groups) to M equally likely panels."""
    if lottery_size < 1:
        raise PoolError("the lottery needs at least one ticket")
    groups = _groups(panels)
    copies = _round_copies(panels, groups, probabilities, lottery_size)
    rng = random.Random(seed)  # noqa: S311 - reproducible from a published seed by design
    ids = sorted(probabilities)
    numbers = list(range(1, len(ids) + 1))
    rng.shuffle(numbers)
    number_of = dict(zip(ids, numbers, strict=True))
    members = {index: sorted(key) for key, index in groups.items()}
    for key in sorted(groups):
        rng.shuffle(members[groups[key]])
    index_of = {group.member_ids: groups[tuple(sorted(group.member_ids))]
                for p in panels for group in p.groups}
    order = sorted(range(len(panels)), key=lambda i: _composition_key(panels[i]))
    dealt = [0] * len(groups)
    tickets = []
    for i in order:
        seats = [(index_of[group.member_ids], group.count) for group in panels[i].groups]
        for _ in range(copies[i]):
            chosen = []
            for index, count in seats:
                people = members[index]
                for _ in range(count):
                    chosen.append(number_of[people[dealt[index] % len(people)]])
                    dealt[index] += 1
            tickets.append(tuple(sorted(chosen)))
    tickets.sort()
    held = dict.fromkeys(ids, 0)
    pseudonyms = {number: vid for vid, number in number_of.items()}
    for ticket in tickets:
        for number in ticket:
            held[pseudonyms[number]] += 1
    uniform = {vid: held[vid] / lottery_size for vid in ids}
    change = max(abs(uniform[vid] - probabilities[vid]) for vid in ids)
    panel_size = len(tickets[0]) if tickets else 0
    return UniformLottery(
        lottery_size, tuple(tickets), pseudonyms, uniform, change, len(ids), panel_size
    )


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
) -> list[int]:
    """a_p >= 0 integers, sum M, each group's seats within n_g * [lo_g, hi_g] (see module doc)."""
    highspy = highs_module()
    order = sorted(range(len(panels)), key=lambda i: _composition_key(panels[i]))
    weights = np.array([panels[i].probability for i in order])
    weights = weights / weights.sum()
    num_groups = len(groups)
    matrix = np.zeros((num_groups, len(order)))
    for column, index in enumerate(order):
        for group in panels[index].groups:
            matrix[groups[tuple(sorted(group.member_ids))], column] += group.count
    sizes = np.zeros(num_groups)
    low = np.zeros(num_groups)
    high = np.zeros(num_groups)
    for key, row in groups.items():
        target = lottery_size * probabilities[key[0]]
        sizes[row] = len(key)
        low[row] = len(key) * max(0, math.ceil(target - 1 - 1e-9))
        high[row] = len(key) * math.floor(target + 1 + 1e-9)
    highs = new_highs(random_seed=0, mip_max_nodes=ROUNDING_NODES, mip_rel_gap=1e-4)
    # Stay close to the LEXIMIN weights: minimise sum |a_p - M w_p| (d_p >= both signs).
    num = len(order)
    lp = highspy.HighsLp()
    lp.num_col_ = 2 * num
    starts, indices, values = [0], [], []
    lower_rows = [float(lottery_size), *list(low)]
    upper_rows = [float(lottery_size), *list(high)]
    # rows: 0 = sum a; 1..G = seats per group; then a_p - d_p <= Mw_p, a_p + d_p >= Mw_p
    extra_low, extra_high = [], []
    target_copies = lottery_size * weights
    for p in range(num):
        extra_low += [-highspy.kHighsInf, target_copies[p]]
        extra_high += [target_copies[p], highspy.kHighsInf]
    for p in range(num):
        rows = [0] + [1 + g for g in np.flatnonzero(matrix[:, p])] + [1 + num_groups + 2 * p,
                                                                     2 + num_groups + 2 * p]
        vals = [1.0, *list(matrix[np.flatnonzero(matrix[:, p]), p]), 1.0, 1.0]
        indices += rows
        values += vals
        starts.append(len(indices))
    for p in range(num):
        indices += [1 + num_groups + 2 * p, 2 + num_groups + 2 * p]
        values += [-1.0, 1.0]
        starts.append(len(indices))
    lp.num_row_ = 1 + num_groups + 2 * num
    lp.col_cost_ = np.concatenate([np.zeros(num), np.full(num, DISTANCE_COST)])
    lp.col_lower_ = np.zeros(2 * num)
    lp.col_upper_ = np.concatenate([np.full(num, float(lottery_size)), np.full(num, highspy.kHighsInf)])
    lp.row_lower_ = np.array(lower_rows + extra_low, dtype=np.float64)
    lp.row_upper_ = np.array(upper_rows + extra_high, dtype=np.float64)
    lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    lp.a_matrix_.start_ = np.array(starts, dtype=np.int32)
    lp.a_matrix_.index_ = np.array(indices, dtype=np.int32)
    lp.a_matrix_.value_ = np.array(values, dtype=np.float64)
    lp.integrality_ = [highspy.HighsVarType.kInteger] * num + [highspy.HighsVarType.kContinuous] * num
    highs.passModel(lp)
    highs.run()
    if highs.getInfo().primal_solution_status == 2:
        solution = np.rint(np.asarray(highs.getSolution().col_value)[:num]).astype(np.int64)
    else:  # no rounding within 1/M found in the node budget: systematic rounding instead
        solution = _systematic(target_copies)
    if solution.sum() != lottery_size:
        raise SolverUnavailableError(f"no uniform lottery of {lottery_size} panels found")
    copies = [0] * len(panels)
    for column, index in enumerate(order):
        copies[index] = int(solution[column])
    return copies


def _systematic(target_copies: np.ndarray) -> np.ndarray:
    """a_p from the cumulative targets rounded half up: each a_p is floor or ceil of M w_p."""
    cumulative = np.floor(np.cumsum(target_copies) + 0.5)
    cumulative[-1] = round(float(target_copies.sum()))
    return np.diff(np.concatenate([[0.0], cumulative])).astype(np.int64)
