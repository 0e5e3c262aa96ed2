"""Explain infeasible quotas by naming the categories responsible.

First simple counting per category (a feature's minimum exceeds the volunteers who have it;
a category's minimums add up to more than the panel; its maximums to less). If every
category passes on its own, a deletion filter over categories (the household rule counts
as one more) finds a minimal set that cannot be met together: an IIS at category level.
"""

from __future__ import annotations

from collections import Counter

from .models import InfeasibleQuotasError, Volunteer
from .panel_mip import PanelMip
from .pool import Pool

HOUSEHOLD_RULE = "one person per household"


def raise_infeasible(pool: Pool, *, solver_available: bool = True) -> None:
    findings = counting_findings(pool)
    if findings:
        categories = tuple(dict.fromkeys(category for category, _ in findings))
        details = tuple(detail for _, detail in findings)
        raise InfeasibleQuotasError(_message(pool, categories, details), categories, details)
    if not solver_available:
        details = ("each category can be met alone, but not all together",)
        message = _message(pool, pool.categories, details)
        raise InfeasibleQuotasError(message, pool.categories, details)
    culprits = minimal_conflicting_rules(pool)
    details = tuple(_describe_rule(pool, rule) for rule in culprits)
    categories = tuple(rule for rule in culprits if rule != HOUSEHOLD_RULE) or culprits
    raise InfeasibleQuotasError(_message(pool, culprits, details), categories, details)


def counting_findings(pool: Pool) -> list[tuple[str, str]]:
    available = _available_per_feature(pool)
    findings: list[tuple[str, str]] = []
    for category in pool.categories:
        quotas = [pool.quotas[row] for row in pool.rows_of_category(category)]
        for quota in quotas:
            have = available[(category, quota.feature)]
            if quota.min > have:
                findings.append((category, (
                    f"{category}: {quota.feature} needs at least {quota.min} "
                    f"but only {have} such volunteer(s) can be chosen"
                )))
        minimums = sum(q.min for q in quotas)
        if minimums > pool.size:
            findings.append((category, (
                f"{category}: the minimums add up to {minimums}, more than the panel size "
                f"{pool.size}"
            )))
        reachable = sum(min(q.max, available[(category, q.feature)]) for q in quotas)
        if reachable < pool.size:
            findings.append((category, (
                f"{category}: at most {reachable} seats can be filled within the maximums "
                f"and the pool, fewer than the panel size {pool.size}"
            )))
    return findings


def minimal_conflicting_rules(pool: Pool) -> tuple[str, ...]:
    rules = list(pool.categories)
    if pool.one_per_household and pool.households:
        rules.append(HOUSEHOLD_RULE)
    kept = list(rules)
    for rule in rules:
        trial = [r for r in kept if r != rule]
        if not _feasible(pool, trial):
            kept = trial
    return tuple(kept)


def _feasible(pool: Pool, rules: list[str]) -> bool:
    categories = [rule for rule in rules if rule != HOUSEHOLD_RULE]
    mip = PanelMip(pool, categories=categories, households=HOUSEHOLD_RULE in rules)
    return mip.any_panel() is not None


def _available_per_feature(pool: Pool) -> Counter[tuple[str, str]]:
    """Volunteers per feature; with the household rule, households count once per feature."""
    seen: set[tuple[str, str, str]] = set()
    available: Counter[tuple[str, str]] = Counter()
    for volunteer in pool.volunteers:
        for category, feature in volunteer.features.items():
            household = _household_key(volunteer) if pool.one_per_household else volunteer.id
            if (category, feature, household) not in seen:
                seen.add((category, feature, household))
                available[(category, feature)] += 1
    return available


def _household_key(volunteer: Volunteer) -> str:
    return f"household:{volunteer.household}" if volunteer.household else f"id:{volunteer.id}"


def _describe_rule(pool: Pool, rule: str) -> str:
    if rule == HOUSEHOLD_RULE:
        return f"{HOUSEHOLD_RULE}: shared addresses limit who can sit together"
    available = _available_per_feature(pool)
    parts = [
        f"{pool.quotas[row].feature} {pool.quotas[row].min}-{pool.quotas[row].max} "
        f"(pool {available[(rule, pool.quotas[row].feature)]})"
        for row in pool.rows_of_category(rule)
    ]
    return f"{rule}: " + ", ".join(parts)


def _message(pool: Pool, culprits: tuple[str, ...], details: tuple[str, ...]) -> str:
    names = " and ".join(f"'{name}'" for name in culprits)
    noun = "category" if len(culprits) == 1 else "categories"
    together = "" if len(culprits) == 1 else " together"
    return (
        f"No panel of {pool.size} can meet every quota: {noun} {names} cannot be met{together}. "
        + "; ".join(details)
    )
