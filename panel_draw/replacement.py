"""Replace a panel member who declined with someone who keeps every quota met."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence

from .models import NoReplacementError, PoolError, Quota, Replacement, Volunteer
from .quotas import feature_counts
from .sampling import seeded_rng


def draw_replacement(
    volunteers: Sequence[Volunteer],
    quotas: Sequence[Quota],
    panel_ids: Sequence[str],
    declined_id: str,
    seed: int,
    *,
    excluded_ids: Iterable[str] = (),
    one_per_household: bool = False,
) -> Replacement:
    """Pick, uniformly with a seeded RNG, one of the remaining volunteers whose joining in
    place of `declined_id` leaves every quota (and the household rule) met.

    `excluded_ids` are volunteers who must not be asked (e.g. earlier decliners).
    """
    by_id = {v.id: v for v in volunteers}
    if declined_id not in panel_ids:
        raise PoolError(f"{declined_id} is not on the panel")
    staying = [by_id[member] for member in panel_ids if member != declined_id]
    unavailable = set(panel_ids) | set(excluded_ids) | {declined_id}
    counts = feature_counts(staying)
    taken_households = {m.household for m in staying if m.household} if one_per_household else set()
    candidates = [
        v for v in volunteers
        if v.id not in unavailable
        and not (v.household and v.household in taken_households)
        and _keeps_quotas(counts, v, quotas)
    ]
    if not candidates:
        raise NoReplacementError(
            f"nobody left in the pool can replace {declined_id} while keeping every quota; "
            "consider redrawing the panel or relaxing a quota"
        )
    chosen = candidates[int(seeded_rng(seed).random() * len(candidates))]
    new_panel = tuple(chosen.id if member == declined_id else member for member in panel_ids)
    return Replacement(chosen.id, declined_id, new_panel, len(candidates), seed)


def _keeps_quotas(
    staying_counts: Counter[tuple[str, str]], candidate: Volunteer, quotas: Sequence[Quota]
) -> bool:
    for quota in quotas:
        joins = candidate.features.get(quota.category) == quota.feature
        if not quota.min <= staying_counts[(quota.category, quota.feature)] + joins <= quota.max:
            return False
    return True
