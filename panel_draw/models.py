"""Frozen inputs and outputs of the citizens' panel draw, and its errors."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

LEXIMIN = "leximin"
LEXIMIN_TRUNCATED = "leximin-truncated"
LEGACY_FALLBACK = "legacy-greedy-fallback"


@dataclass(frozen=True)
class WorkBudget:
    """How much LEXIMIN may do before it stops, counted in work rather than seconds.

    A stopping rule that counted seconds would stop at a different point on a busier machine,
    and the same seed could then give a different panel. These counts (with one solver
    thread, a fixed solver seed and a node limit per MIP) make the lottery, and so the draw,
    a function of the inputs alone.
    """

    # The type-based method peels its panels off the relaxation's targets and then needs no
    # pricing round on the benchmark pools up to 50,000 -> 150 with six categories; these
    # bound the column generation that remains its fallback (decision 0102).
    pricing_rounds: int = 1000  # master-LP re-solves asking for a better panel, all stages
    mip_calls: int = 250  # exact panel-MIP pricing calls, all stages
    mip_nodes: int = 20_000  # branch-and-bound nodes per MIP call

    def __post_init__(self) -> None:
        if min(self.pricing_rounds, self.mip_calls, self.mip_nodes) < 0:
            raise ValueError("a work budget cannot be negative")


@dataclass(frozen=True)
class Volunteer:
    """One member of the pool: an id, one feature per quota category, an optional household key."""

    id: str
    features: Mapping[str, str]
    household: str | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "features", MappingProxyType(dict(self.features)))


@dataclass(frozen=True)
class Quota:
    """A target for one feature of one category: the panel holds between `min` and `max` of it."""

    category: str
    feature: str
    min: int
    max: int


@dataclass(frozen=True)
class QuotaViolation:
    """A quota (or the panel size, or a household limit) that a panel does not meet."""

    category: str
    feature: str
    min: int
    max: int
    actual: int


@dataclass(frozen=True)
class PanelGroup:
    """`count` people drawn uniformly at random from `member_ids` (all interchangeable)."""

    member_ids: tuple[str, ...]
    count: int


@dataclass(frozen=True)
class WeightedPanel:
    """One panel composition of the distribution and the probability it is drawn with.

    Volunteers with identical features (and no shared household) are interchangeable, so a
    composition says how many to take from each such group; when every group has one
    member, a composition is an explicit panel.
    """

    probability: float
    groups: tuple[PanelGroup, ...]

    def is_explicit(self) -> bool:
        return all(len(group.member_ids) == group.count for group in self.groups)

    def explicit_member_ids(self) -> tuple[str, ...]:
        if not self.is_explicit():
            raise ValueError("this composition draws members at random within groups")
        return tuple(member for group in self.groups for member in group.member_ids)


@dataclass(frozen=True)
class PanelDistribution:
    """A lottery over quota-meeting panels and every volunteer's resulting selection chance."""

    panels: tuple[WeightedPanel, ...]
    probabilities: Mapping[str, float]
    algorithm: str
    stages: int = 0
    panels_generated: int = 0
    maximin_upper_bound: float | None = None
    unselectable_ids: tuple[str, ...] = ()
    note: str | None = None
    settled_volunteers: int = 0  # whose probability is LEXIMIN-final (all, when finished)
    open_stage_gap: float | None = None  # when cut short: how far the open stage may be from optimal
    stopped_by: str | None = None  # "work-budget" or "safety-time-limit" when cut short
    work: Mapping[str, object] = field(default_factory=dict)  # rounds, MIP calls, budget, method

    def __post_init__(self) -> None:
        object.__setattr__(self, "probabilities", MappingProxyType(dict(self.probabilities)))


@dataclass(frozen=True)
class PanelDraw:
    """The auditable record of one draw."""

    selected_ids: tuple[str, ...]
    probabilities: Mapping[str, float]
    distribution: tuple[WeightedPanel, ...]
    quota_violations: tuple[QuotaViolation, ...]
    min_selection_probability: float
    gini: float
    algorithm: str
    seed: int
    seconds: float
    fallback_reason: str | None = None
    maximin_upper_bound: float | None = None
    unselectable_ids: tuple[str, ...] = ()
    details: Mapping[str, object] = field(default_factory=dict)

    def __post_init__(self) -> None:
        object.__setattr__(self, "probabilities", MappingProxyType(dict(self.probabilities)))
        object.__setattr__(self, "details", MappingProxyType(dict(self.details)))

    @property
    def quotas_met(self) -> bool:
        return not self.quota_violations


@dataclass(frozen=True)
class Replacement:
    """Who replaces a member who declined, and the panel after the swap."""

    replacement_id: str
    declined_id: str
    panel_ids: tuple[str, ...]
    candidates: int
    seed: int


class PoolError(ValueError):
    """The pool, the quotas or the panel size are malformed."""


class InfeasibleQuotasError(ValueError):
    """No panel of the requested size meets every quota; `categories` names the culprits."""

    def __init__(self, message: str, categories: tuple[str, ...], details: tuple[str, ...]):
        super().__init__(message)
        self.categories = categories
        self.details = details


class NoReplacementError(ValueError):
    """Nobody left in the pool can take the declined member's seat without breaking a quota."""


class SolverUnavailableError(RuntimeError):
    """The LP/MIP solver cannot be used (missing, or it failed)."""
