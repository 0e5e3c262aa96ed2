"""Fair citizens' panel draws: LEXIMIN over quota-meeting panels, with HiGHS.

Pure: no database and nothing from the rest of `app`. Frozen dataclasses in and out.

    draw_panel(volunteers, quotas, size, seed, one_per_household=False) -> PanelDraw
    find_leximin_distribution(volunteers, quotas, size, ...) -> PanelDistribution
    sample_panel(distribution.panels, seed) -> selected ids (re-draw from a record)
    replay_sample(draw.details["lottery"], seed) -> the same ids, from the stored record
    draw_replacement(volunteers, quotas, panel_ids, declined_id, seed, ...) -> Replacement
    check_quotas(volunteers, quotas, panel_ids, size=..., one_per_household=...) -> violations
    transparent.uniform_lottery(draw.distribution, draw.probabilities, M, seed) -> M panels to
        publish by number, with their SHA-256 digest (transparent.ticket_from_seed picks one)

LEXIMIN runs level by level (leximin.py) or, from 60 groups up, by types (typed.py).
"""

from .draw import draw_panel, find_leximin_distribution
from .models import (
    LEGACY_FALLBACK,
    LEXIMIN,
    LEXIMIN_TRUNCATED,
    InfeasibleQuotasError,
    NoReplacementError,
    PanelDistribution,
    PanelDraw,
    PanelGroup,
    PoolError,
    Quota,
    QuotaViolation,
    Replacement,
    SolverUnavailableError,
    Volunteer,
    WeightedPanel,
    WorkBudget,
)
from .quotas import check_quotas
from .replacement import draw_replacement
from .sampling import gini, lottery_record, panels_from_record, replay_sample, sample_panel

__all__ = [
    "LEGACY_FALLBACK",
    "LEXIMIN",
    "LEXIMIN_TRUNCATED",
    "InfeasibleQuotasError",
    "NoReplacementError",
    "PanelDistribution",
    "PanelDraw",
    "PanelGroup",
    "PoolError",
    "Quota",
    "QuotaViolation",
    "Replacement",
    "SolverUnavailableError",
    "Volunteer",
    "WeightedPanel",
    "WorkBudget",
    "check_quotas",
    "draw_panel",
    "draw_replacement",
    "find_leximin_distribution",
    "gini",
    "lottery_record",
    "panels_from_record",
    "replay_sample",
    "sample_panel",
]
