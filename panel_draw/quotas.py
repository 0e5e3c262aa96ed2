"""Check a concrete panel against the quotas, the panel size and the household rule."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence

from .models import Quota, QuotaViolation, Volunteer

PANEL_SIZE = "panel size"
HOUSEHOLD = "household"


def check_quotas(
    volunteers: Sequence[Volunteer],
    quotas: Sequence[Quota],
    panel_ids: Iterable[str],
    *,
    size: int | None = None,
    one_per_household: bool = False,
) -> tuple[QuotaViolation, ...]:
    by_id = {v.id: v for v in volunteers}
    panel = [by_id[member] for member in panel_ids]
    violations = list(_size_violations(panel, size))
    violations.extend(_quota_violations(panel, quotas))
    if one_per_household:
        violations.extend(_household_violations(panel))
    return tuple(violations)


def feature_counts(panel: Iterable[Volunteer]) -> Counter[tuple[str, str]]:
    return Counter((c, f) for v in panel for c, f in v.features.items())


def _size_violations(panel: list[Volunteer], size: int | None) -> Iterable[QuotaViolation]:
    if size is not None and len(panel) != size:
        yield QuotaViolation(PANEL_SIZE, "members", size, size, len(panel))
    duplicates = len(panel) - len({v.id for v in panel})
    if duplicates:
        yield QuotaViolation(PANEL_SIZE, "duplicate members", 0, 0, duplicates)


def _quota_violations(panel: list[Volunteer], quotas: Sequence[Quota]) -> Iterable[QuotaViolation]:
    counts = feature_counts(panel)
    for quota in quotas:
        actual = counts[(quota.category, quota.feature)]
        if not quota.min <= actual <= quota.max:
            yield QuotaViolation(quota.category, quota.feature, quota.min, quota.max, actual)


def _household_violations(panel: list[Volunteer]) -> Iterable[QuotaViolation]:
    households = Counter(v.household for v in panel if v.household)
    for household, members in sorted(households.items()):
        if members > 1:
            yield QuotaViolation(HOUSEHOLD, household, 0, 1, members)
