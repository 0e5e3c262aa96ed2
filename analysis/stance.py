"""Stance: split each theme's count by the answer to the closed question before it."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

UNKNOWN = "no answer"


def stance_counts(stance: Sequence[str | None] | None, members: Sequence[int]) -> dict[str, int]:
    """Counts of each closed answer among a theme's members, largest first."""
    if stance is None:
        return {}
    counts = Counter(_value(stance[i]) for i in members)
    return dict(sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])))


def is_mixed(counts: dict[str, int], dominance: float = 0.8) -> bool:
    """True when no single answer makes up `dominance` of the known answers."""
    known = {k: v for k, v in counts.items() if k != UNKNOWN}
    total = sum(known.values())
    return total > 0 and max(known.values()) / total < dominance


def _value(answer: str | None) -> str:
    if answer is None:
        return UNKNOWN
    answer = str(answer).strip()
    return answer or UNKNOWN
