"""The fallback when LEXIMIN cannot run: a seeded greedy stratified draw (like "LEGACY").

It repeatedly takes a random volunteer from the feature whose minimum is hardest to reach,
dropping anyone whose features are full. It can dead-end, so it retries. Its selection
probabilities are not known exactly: they are estimated from repeated seeded draws, and the
panel drawn is one of those draws.
"""

from __future__ import annotations

import random
from collections import Counter

from .models import LEGACY_FALLBACK, PanelDistribution, PanelGroup, PoolError, WeightedPanel
from .pool import Pool
from .sampling import seeded_rng

ATTEMPTS_PER_PANEL = 50
ESTIMATION_DRAWS = 100


def legacy_distribution(pool: Pool, seed: int, reason: str) -> PanelDistribution:
    rng = seeded_rng(seed)
    person_rows = _person_quota_rows(pool)
    panels: list[tuple[int, ...]] = []
    for _ in range(ESTIMATION_DRAWS):
        panel = _draw_with_retries(pool, person_rows, rng)
        if panel is None:
            break
        panels.append(tuple(sorted(panel)))
    if not panels:
        raise PoolError(
            f"LEXIMIN could not run ({reason}) and the greedy fallback found no panel "
            f"meeting the quotas in {ATTEMPTS_PER_PANEL} attempts"
        )
    return _empirical_distribution(pool, panels, reason)


def _person_quota_rows(pool: Pool) -> list[tuple[int, ...]]:
    rows: list[tuple[int, ...]] = [()] * len(pool.volunteers)
    for group in pool.groups:
        for person in group.member_indices:
            rows[person] = group.quota_rows
    return rows


def _draw_with_retries(
    pool: Pool, person_rows: list[tuple[int, ...]], rng: random.Random
) -> list[int] | None:
    for _ in range(ATTEMPTS_PER_PANEL):
        panel = _greedy_panel(pool, person_rows, rng)
        if panel is not None:
            return panel
    return None


def _greedy_panel(
    pool: Pool, person_rows: list[tuple[int, ...]], rng: random.Random
) -> list[int] | None:
    remaining = list(range(len(pool.volunteers)))
    counts = [0] * len(pool.quotas)
    selected: list[int] = []
    while len(selected) < pool.size:
        if not remaining:
            return None
        person = _next_person(pool, person_rows, remaining, counts, rng)
        selected.append(person)
        for row in person_rows[person]:
            counts[row] += 1
        remaining = _still_eligible(pool, person_rows, remaining, counts, person)
    if any(not q.min <= counts[r] <= q.max for r, q in enumerate(pool.quotas)):
        return None
    return selected


def _next_person(
    pool: Pool,
    person_rows: list[tuple[int, ...]],
    remaining: list[int],
    counts: list[int],
    rng: random.Random,
) -> int:
    available = Counter(row for person in remaining for row in person_rows[person])
    short = [
        ((pool.quotas[row].min - counts[row]) / available[row], row)
        for row in range(len(pool.quotas))
        if counts[row] < pool.quotas[row].min and available[row] > 0
    ]
    if short:
        _, row = max(short)
        remaining = [p for p in remaining if row in person_rows[p]]
    return remaining[int(rng.random() * len(remaining))]


def _still_eligible(
    pool: Pool,
    person_rows: list[tuple[int, ...]],
    remaining: list[int],
    counts: list[int],
    chosen: int,
) -> list[int]:
    full = {row for row, quota in enumerate(pool.quotas) if counts[row] >= quota.max}
    household = pool.volunteers[chosen].household if pool.one_per_household else None
    return [
        person
        for person in remaining
        if person != chosen
        and not full.intersection(person_rows[person])
        and not (household and pool.volunteers[person].household == household)
    ]


def _empirical_distribution(
    pool: Pool, panels: list[tuple[int, ...]], reason: str
) -> PanelDistribution:
    frequency = Counter(panels)
    weighted = tuple(
        WeightedPanel(
            times / len(panels),
            tuple(PanelGroup((pool.volunteers[p].id,), 1) for p in panel),
        )
        for panel, times in frequency.items()
    )
    selections = Counter(person for panel in panels for person in panel)
    probabilities = {v.id: selections[i] / len(panels) for i, v in enumerate(pool.volunteers)}
    return PanelDistribution(
        panels=weighted,
        probabilities=probabilities,
        algorithm=LEGACY_FALLBACK,
        note=(
            f"LEXIMIN could not run: {reason}. Probabilities are estimated from "
            f"{len(panels)} seeded greedy draws, not exact."
        ),
    )
