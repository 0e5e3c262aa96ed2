"""What recruiting more volunteers of a feature would do to the draw (issue 26, part 3).

For each feature the pool is short of (its share of the pool below the share of seats its quota
asks for: the middle of min..max, or the minimum where the maximum is the whole panel, as the
app's "no upper limit" is), the pool is extended by j more volunteers with that feature,
for each j in `steps`, whose other features follow the shares of seats the quotas ask for
(`recruits`). Types no quota-meeting panel can hold in the pool as it is stay unselectable.
For each extended pool this reports the LEXIMIN levels of the LP relaxation (relaxation.py,
typed.py; one small LP per level, no panels): the minimum selection probability anyone gets
(a proven upper bound on the real draw's, equal to it within 5e-5 where the type-based draw
finishes), and the lowest and the average chance of the feature's own members.

Measured on the 1,000-pool of decision 0096: recruiting a short group rarely raises the minimum,
which belongs to over-represented volunteers whose chance their own quota's maximum sets; it
lowers the short group's (high) chances instead. So both are reported, never only the first.
"""

from __future__ import annotations

import itertools
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from .diagnosis import raise_infeasible
from .leximin import find_covering_panels
from .models import Quota, Volunteer
from .panel_mip import PanelMip
from .pool import build_pool
from .typed import relaxation_leximin

DEFAULT_STEPS = (5, 10, 20, 50)


@dataclass(frozen=True)
class OutreachStep:
    added: int
    minimum: float  # anyone's lowest chance (relaxation LEXIMIN) with `added` more volunteers
    feature_lowest: float  # the feature's members' lowest chance
    feature_average: float


@dataclass(frozen=True)
class OutreachEffect:
    category: str
    feature: str
    in_pool: int
    pool_share: float
    seat_share: float  # seat_share(quota, size)
    now: OutreachStep  # added == 0
    steps: tuple[OutreachStep, ...]

    @property
    def best(self) -> OutreachStep:
        """The step that raises the minimum most (the first such, or `now`)."""
        return max((self.now, *self.steps), key=lambda step: (round(step.minimum, 9), -step.added))


def seats_asked(quota: Quota, size: int) -> float:
    """The seats a quota aims at: the middle of min..max, or the minimum when the maximum is the
    whole panel (no upper limit: its middle would ask half the seats of a group with no target)."""
    return float(quota.min) if quota.max >= size else (quota.min + quota.max) / 2


def seat_share(quota: Quota, size: int) -> float:
    return seats_asked(quota, size) / size


def short_features(volunteers: Sequence[Volunteer], quotas: Sequence[Quota], size: int) -> list[Quota]:
    """Quota rows whose feature's share of the pool is below the share of seats it asks for."""
    counts: Counter = Counter()
    for volunteer in volunteers:
        for category, value in volunteer.features.items():
            counts[(category, value)] += 1
    short = []
    for quota in quotas:
        if counts[(quota.category, quota.feature)] / len(volunteers) < seat_share(quota, size):
            short.append(quota)
    return short


def outreach_effects(
    volunteers: Sequence[Volunteer],
    quotas: Sequence[Quota],
    size: int,
    *,
    steps: Sequence[int] = DEFAULT_STEPS,
    progress: Callable[[int, int], None] | None = None,
) -> list[OutreachEffect]:
    """For each short feature, the relaxation's LEXIMIN after 0 and each of `steps` recruits.

    `progress(done, total)` is called after each LP (for a worker job's progress bar). Quotas no
    panel can meet raise InfeasibleQuotasError before any LP, as `draw_panel` does.
    """
    volunteers = list(volunteers)
    short = short_features(volunteers, quotas, size)
    total = 1 + len(short) * len(steps)
    base_pool = build_pool(volunteers, quotas, size)
    base_mip = PanelMip(base_pool)
    if base_mip.any_panel() is None:
        raise_infeasible(base_pool)  # InfeasibleQuotasError naming the categories, as a draw would
    _, unselectable = find_covering_panels(base_mip)
    blocked = {base_pool.groups[g].quota_rows for g in unselectable}
    done = 0

    def chances(pool_volunteers: list[Volunteer]) -> dict[str, float]:
        nonlocal done
        pool = build_pool(pool_volunteers, quotas, size)
        unselectable_here = [g for g, group in enumerate(pool.groups) if group.quota_rows in blocked]
        per_type, _ = relaxation_leximin(pool, unselectable_here)
        done += 1
        if progress is not None:
            progress(done, total)
        return {
            pool.volunteers[i].id: float(per_type[g])
            for g, group in enumerate(pool.groups)
            for i in group.member_indices
        }

    def step(pool_volunteers: list[Volunteer], chance_of: dict[str, float], quota: Quota) -> OutreachStep:
        members = [
            chance_of[v.id] for v in pool_volunteers if v.features.get(quota.category) == quota.feature
        ]
        return OutreachStep(
            len(pool_volunteers) - len(volunteers),
            min(chance_of.values()),
            min(members, default=0.0),
            float(np.mean(members)) if members else 0.0,
        )

    now = chances(volunteers)
    effects = []
    for quota in short:
        in_pool = sum(1 for v in volunteers if v.features.get(quota.category) == quota.feature)
        found = []
        for added in steps:
            extended = volunteers + recruits(quotas, size, quota.category, quota.feature, added)
            found.append(step(extended, chances(extended), quota))
        effects.append(
            OutreachEffect(
                quota.category,
                quota.feature,
                in_pool,
                in_pool / len(volunteers),
                seat_share(quota, size),
                step(volunteers, now, quota),
                tuple(found),
            )
        )
    return effects


def recruits(quotas: Sequence[Quota], size: int, category: str, feature: str, count: int) -> list[Volunteer]:
    """`count` hypothetical volunteers with `feature` whose other features follow the shares of
    seats the quotas ask for (`seats_asked`; equal shares where a category asks for none),
    category by category: people an
    organisation reaches resemble the population more than a self-selected pool does.
    Apportioned over feature combinations by largest remainders (ties to the earlier combination
    in quota order), so the same inputs always give the same recruits."""
    categories = list(dict.fromkeys(q.category for q in quotas))
    options: list[list[tuple[str, float]]] = []
    for name in categories:
        if name == category:
            options.append([(feature, 1.0)])
            continue
        rows = [q for q in quotas if q.category == name]
        asked = [seats_asked(q, size) for q in rows]
        total = sum(asked)
        weights = [a / total for a in asked] if total else [1 / len(rows)] * len(rows)
        options.append([(q.feature, weight) for q, weight in zip(rows, weights, strict=True)])
    combos = list(itertools.product(*options))
    exact = [count * float(np.prod([share for _, share in combo])) for combo in combos]
    shares = [int(e) for e in exact]
    by_remainder = sorted(range(len(combos)), key=lambda i: (-(exact[i] - shares[i]), i))
    for i in by_remainder[: count - sum(shares)]:
        shares[i] += 1
    made = []
    for combo, share in zip(combos, shares, strict=True):
        features = {name: value for name, (value, _) in zip(categories, combo, strict=True)}
        made.extend(Volunteer(f"outreach-{len(made) + 1}", dict(features)) for _ in range(share))
    return made
