"""Agreement between found themes and human codes: NMI, ARI, Hungarian accuracy, V-measure."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass

from scipy.optimize import linear_sum_assignment
from sklearn.metrics import (
    adjusted_rand_score,
    normalized_mutual_info_score,
    v_measure_score,
)
from sklearn.metrics.cluster import contingency_matrix


@dataclass(frozen=True)
class Scores:
    n: int
    k_true: int
    k_found: int
    nmi: float
    ari: float
    acc: float
    v_measure: float
    other_fraction: float
    seconds: float

    def to_dict(self) -> dict:
        return asdict(self)


def hungarian_accuracy(truth: Sequence, found: Sequence) -> float:
    """Share of texts whose found cluster maps to their code under the best one-to-one match."""
    table = contingency_matrix(truth, found)
    rows, cols = linear_sum_assignment(-table)
    return float(table[rows, cols].sum() / max(len(truth), 1))


def score(truth: Sequence, found: Sequence, *, k_found: int, other_fraction: float, seconds: float) -> Scores:
    """Scores over all texts; "other" and "no_comment" count as clusters of their own."""
    truth = [str(t) for t in truth]
    found = [str(f) for f in found]
    return Scores(
        n=len(truth),
        k_true=len(set(truth)),
        k_found=k_found,
        nmi=round(float(normalized_mutual_info_score(truth, found)), 4),
        ari=round(float(adjusted_rand_score(truth, found)), 4),
        acc=round(hungarian_accuracy(truth, found), 4),
        v_measure=round(float(v_measure_score(truth, found)), 4),
        other_fraction=round(other_fraction, 4),
        seconds=round(seconds, 2),
    )


def flat_labels(assignment: Sequence[str], campaign_theme: dict[str, str | None]) -> list[str]:
    """Campaign members count as their campaign's theme when it has one."""
    return [campaign_theme.get(a) or a if a in campaign_theme else a for a in assignment]
