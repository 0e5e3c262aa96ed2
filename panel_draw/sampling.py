"""Turn a panel lottery into one panel with a seeded RNG, and summarise fairness.

Only `random.Random(seed).random()` is used (its stream is stable across Python versions),
so an auditor holding the recorded distribution and seed re-draws the same panel.
"""

from __future__ import annotations

import random
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from .models import PanelGroup, WeightedPanel

LOTTERY_FORMAT = 1


def sample_panel(panels: Sequence[WeightedPanel], seed: int) -> tuple[str, ...]:
    """Pick a composition by its probability, then members uniformly within each group."""
    if not panels:
        raise ValueError("the distribution has no panels to draw from")
    rng = seeded_rng(seed)
    chosen = _pick_weighted(panels, rng.random())
    selected: list[str] = []
    for group in chosen.groups:
        selected.extend(_pick_members(group.member_ids, group.count, rng))
    return tuple(selected)


def lottery_record(panels: Sequence[WeightedPanel]) -> dict[str, Any]:
    """The lottery as JSON-ready data (ids only), from which `replay_sample` re-draws.

    Each distinct group of interchangeable volunteers is listed once, in the order sampling
    walks it; a panel is its exact probability (a float, which JSON round-trips) and, per
    group it draws from, [group index, how many]. Order matters: it is the sampling order.
    """
    index: dict[tuple[str, ...], int] = {}
    records = []
    for panel in panels:
        counts = []
        for group in panel.groups:
            position = index.setdefault(tuple(group.member_ids), len(index))
            counts.append([position, group.count])
        records.append({"probability": panel.probability, "counts": counts})
    return {"format": LOTTERY_FORMAT, "groups": [list(ids) for ids in index], "panels": records}


def panels_from_record(lottery: Mapping[str, Any]) -> tuple[WeightedPanel, ...]:
    if lottery.get("format") != LOTTERY_FORMAT:
        raise ValueError(f"unknown lottery record format: {lottery.get('format')!r}")
    groups = [tuple(str(member) for member in ids) for ids in lottery["groups"]]
    return tuple(
        WeightedPanel(
            float(panel["probability"]),
            tuple(PanelGroup(groups[g], int(count)) for g, count in panel["counts"]),
        )
        for panel in lottery["panels"]
    )


def replay_sample(lottery: Mapping[str, Any], seed: int) -> tuple[str, ...]:
    """The members a recorded lottery and seed select: the draw's last step, re-run."""
    return sample_panel(panels_from_record(lottery), seed)


def seeded_rng(seed: int) -> random.Random:
    # Reproducibility from a recorded seed is the point (anyone can re-run the draw);
    # unpredictability comes from choosing the seed publicly, not from the generator.
    return random.Random(seed)  # noqa: S311


def _pick_weighted(panels: Sequence[WeightedPanel], point: float) -> WeightedPanel:
    total = sum(panel.probability for panel in panels)
    cumulative = 0.0
    for panel in panels:
        cumulative += panel.probability / total
        if point < cumulative:
            return panel
    return panels[-1]


def _pick_members(member_ids: Sequence[str], count: int, rng: random.Random) -> list[str]:
    remaining = list(member_ids)
    picked = []
    for _ in range(count):
        index = min(int(rng.random() * len(remaining)), len(remaining) - 1)
        remaining[index], remaining[-1] = remaining[-1], remaining[index]
        picked.append(remaining.pop())
    return picked


def gini(values: Iterable[float]) -> float:
    """Gini coefficient (0 = everyone equally likely to be selected)."""
    ordered = sorted(values)
    total = sum(ordered)
    n = len(ordered)
    if n == 0 or total <= 0:
        return 0.0
    weighted = sum((rank + 1) * value for rank, value in enumerate(ordered))
    return max(0.0, (2.0 * weighted) / (n * total) - (n + 1) / n)
