"""Validate a pool against its quotas and fold interchangeable volunteers into groups.

Volunteers with the same feature in every category (and no household shared with anyone)
are interchangeable: any fair lottery can give them the same chance, and LEXIMIN does, since
its selection probabilities are unique. Solving over groups instead of people keeps the
LP/MIP small (a pool of 2,000 with two categories has at most a handful of groups).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from .models import PoolError, Quota, Volunteer

MAX_LISTED = 5


@dataclass(frozen=True)
class Group:
    member_indices: tuple[int, ...]
    quota_rows: tuple[int, ...]  # one index into Pool.quotas per category

    @property
    def size(self) -> int:
        return len(self.member_indices)


@dataclass(frozen=True)
class Pool:
    volunteers: tuple[Volunteer, ...]
    quotas: tuple[Quota, ...]
    categories: tuple[str, ...]
    size: int
    groups: tuple[Group, ...]
    households: tuple[tuple[int, ...], ...]  # group indices of people sharing an address
    one_per_household: bool

    def member_ids(self, group_index: int) -> tuple[str, ...]:
        return tuple(self.volunteers[i].id for i in self.groups[group_index].member_indices)

    def rows_of_category(self, category: str) -> tuple[int, ...]:
        return tuple(i for i, quota in enumerate(self.quotas) if quota.category == category)


def build_pool(
    volunteers: Sequence[Volunteer],
    quotas: Sequence[Quota],
    size: int,
    *,
    one_per_household: bool = False,
    group_interchangeable: bool = True,
) -> Pool:
    volunteers = tuple(volunteers)
    quotas = tuple(quotas)
    _check_size(size, len(volunteers))
    _check_unique_ids(volunteers)
    _check_quota_rows(quotas)
    categories = tuple(dict.fromkeys(quota.category for quota in quotas))
    rows_by_feature = {(q.category, q.feature): i for i, q in enumerate(quotas)}
    quota_rows = [_quota_rows_of(v, categories, rows_by_feature) for v in volunteers]
    _report_unknown_features(volunteers, quota_rows, categories)
    shared = _people_sharing_households(volunteers) if one_per_household else set()
    groups = _group_volunteers(quota_rows, shared, group_interchangeable)
    households = _household_groups(volunteers, groups, shared)
    return Pool(volunteers, quotas, categories, size, groups, households, one_per_household)


def _check_size(size: int, pool_size: int) -> None:
    if size < 1:
        raise PoolError(f"panel size must be at least 1, got {size}")
    if size > pool_size:
        raise PoolError(f"panel size {size} is larger than the pool ({pool_size} volunteers)")


def _check_unique_ids(volunteers: tuple[Volunteer, ...]) -> None:
    duplicates = [vid for vid, n in Counter(v.id for v in volunteers).items() if n > 1]
    if duplicates:
        listed = ", ".join(duplicates[:MAX_LISTED])
        raise PoolError(f"volunteer ids must be unique; repeated: {listed}")


def _check_quota_rows(quotas: tuple[Quota, ...]) -> None:
    if not quotas:
        raise PoolError("at least one quota row (category, feature, min, max) is needed")
    seen: set[tuple[str, str]] = set()
    for quota in quotas:
        key = (quota.category, quota.feature)
        if key in seen:
            raise PoolError(f"quota for {quota.category}={quota.feature} is given twice")
        seen.add(key)
        if quota.min < 0 or quota.max < quota.min:
            raise PoolError(
                f"quota for {quota.category}={quota.feature} needs 0 <= min <= max, "
                f"got min={quota.min} max={quota.max}"
            )


def _quota_rows_of(
    volunteer: Volunteer, categories: tuple[str, ...], rows: dict[tuple[str, str], int]
) -> tuple[int, ...] | None:
    try:
        return tuple(rows[(c, volunteer.features[c])] for c in categories)
    except KeyError:
        return None


def _report_unknown_features(
    volunteers: tuple[Volunteer, ...], quota_rows: list, categories: tuple[str, ...]
) -> None:
    bad = [v for v, rows in zip(volunteers, quota_rows, strict=True) if rows is None]
    if not bad:
        return
    examples = []
    for volunteer in bad[:MAX_LISTED]:
        missing = [c for c in categories if c not in volunteer.features]
        if missing:
            examples.append(f"{volunteer.id} has no value for {', '.join(missing)}")
        else:
            values = ", ".join(f"{c}={volunteer.features[c]!r}" for c in categories)
            examples.append(f"{volunteer.id} ({values})")
    raise PoolError(
        f"{len(bad)} volunteer(s) have a feature with no quota row: " + "; ".join(examples)
    )


def _people_sharing_households(volunteers: tuple[Volunteer, ...]) -> set[int]:
    by_household: dict[str, list[int]] = defaultdict(list)
    for index, volunteer in enumerate(volunteers):
        if volunteer.household:
            by_household[volunteer.household].append(index)
    return {i for members in by_household.values() if len(members) > 1 for i in members}


def _group_volunteers(
    quota_rows: list, shared: set[int], group_interchangeable: bool
) -> tuple[Group, ...]:
    members: dict[object, list[int]] = {}
    for index, rows in enumerate(quota_rows):
        key = rows if group_interchangeable and index not in shared else ("person", index)
        members.setdefault(key, []).append(index)
    return tuple(Group(tuple(m), quota_rows[m[0]]) for m in members.values())


def _household_groups(
    volunteers: tuple[Volunteer, ...], groups: tuple[Group, ...], shared: set[int]
) -> tuple[tuple[int, ...], ...]:
    group_of_person = {g.member_indices[0]: gi for gi, g in enumerate(groups) if g.size == 1}
    by_household: dict[str, list[int]] = defaultdict(list)
    for index in sorted(shared):
        by_household[volunteers[index].household or ""].append(group_of_person[index])
    return tuple(tuple(groups_) for groups_ in by_household.values())
