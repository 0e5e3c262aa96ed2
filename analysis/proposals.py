"""Guided coding's pure half: proposals, which answer to ask about next, and agreement between an
officer and the machine (percentage and Cohen's kappa). Pure Python, no numpy: safe in the web
process (import-linter forbids the web process the model stack; `analysis.coding`, which trains,
imports scikit-learn and belongs in worker jobs). `analysis.coding` re-exports all of this.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Proposal:
    """One answer's code: `code` None means abstained ("needs a person"). `confidence` is the
    classifier's probability for the code it proposes (1.0 for a code a person gave)."""

    code: str | None
    confidence: float


def least_sure(proposals: Sequence[Proposal], given: Sequence[str | None], k: int) -> list[int]:
    """Indices of up to `k` answers nobody has coded, the machine's least sure first (least
    confidence sampling; ties by position, so the order is the same every time)."""
    if len(proposals) != len(given):
        raise ValueError("one proposal per answer")
    open_rows = [i for i, g in enumerate(given) if g is None]
    open_rows.sort(key=lambda i: (proposals[i].confidence, i))
    return open_rows[: max(k, 0)]


@dataclass(frozen=True)
class Agreement:
    """How far the machine agrees with an officer coding the same answers blind.

    - percent: share of answers (0-100) where both gave the same code;
    - kappa: Cohen's kappa over all codes (agreement beyond what chance gives), None when it is
      undefined (no answers, or both sides used one and the same code throughout);
    - per_code: code -> (percent, kappa, n), where n is how many answers the officer gave that
      code, percent is the share of those the machine gave it too (0-100; None when n is 0),
      and kappa is Cohen's kappa of "this code or not" over all answers.
    A machine abstention (None) is a disagreement; it is nobody's code.
    """

    n: int
    percent: float | None
    kappa: float | None
    per_code: dict[str, tuple[float | None, float | None, int]] = field(default_factory=dict)

    def to_dict(self) -> dict:
        return {
            "n": self.n,
            "percent": self.percent,
            "kappa": self.kappa,
            "per_code": {c: list(v) for c, v in self.per_code.items()},
        }


def agreement(officer: Sequence[str], machine: Sequence[str | None]) -> Agreement:
    if len(officer) != len(machine):
        raise ValueError("the officer and the machine must code the same answers")
    n = len(officer)
    if n == 0:
        return Agreement(0, None, None, {})
    same = sum(a == b for a, b in zip(officer, machine, strict=True))
    per_code = {}
    for code in sorted({c for c in officer if c is not None} | {c for c in machine if c is not None}):
        mine = [a == code for a in officer]
        theirs = [b == code for b in machine]
        n_code = sum(mine)
        hit = sum(a and b for a, b in zip(mine, theirs, strict=True))
        percent = round(100.0 * hit / n_code, 2) if n_code else None
        per_code[code] = (percent, _kappa(mine, theirs), n_code)
    return Agreement(n, round(100.0 * same / n, 2), _kappa(list(officer), list(machine)), per_code)


def _kappa(a: Sequence, b: Sequence) -> float | None:
    """Cohen's kappa: (observed - expected) / (1 - expected), expected from each side's own
    shares of each category. None when expected agreement is 1 (nothing to beat)."""
    n = len(a)
    if n == 0:
        return None
    observed = sum(x == y for x, y in zip(a, b, strict=True)) / n
    count_a, count_b = Counter(a), Counter(b)
    expected = sum(count_a[c] * count_b.get(c, 0) for c in count_a) / (n * n)
    if expected >= 1.0:
        return None
    return round((observed - expected) / (1.0 - expected), 4)
