"""Synthetic self-selected pools for the panel-draw benchmarks (documented generator).

`skewed_pool(volunteers, size, seed, categories=4)` draws each volunteer's features
independently with numpy's PCG64 (`numpy.random.default_rng(seed)`), one category after
another in the order below, from the *volunteering* shares: older people and the first wards
volunteer more, service users less. Quotas are set from the *population* shares: share x size,
-10% / +10% (floor / ceil, at least one apart), except the service-user quota, which asks for
at least 1.5 x its population share (above the share of service users in the pool), as a
council that wants to hear its service users would. Categories 5 and 6 (ethnicity, tenure) are
added when asked for. Ids are "v1".."vN" in draw order; no household column.

    python -m bench panel_pools --volunteers 10000 --size 100 --seed 10000 --categories 4 --out DIR

writes DIR/respondents.csv and DIR/categories.csv for `python -m app panel-draw`.

`self_selected(pool, size, categories, seed)` makes the pools of `python -m bench panels`
(CATEGORIES: gender 3, age 6, ward 8, ethnicity 5, tenure 4; the same PCG64 draws, one category
after another, from the volunteering shares; quotas population share x size, -10% / +10%).
"""

from __future__ import annotations

import argparse
import csv
import math
from pathlib import Path

import numpy as np

from panel_draw import Quota, Volunteer

# category: (features, population shares, volunteering shares)
SKEWED: dict[str, tuple[list[str], list[float], list[float]]] = {
    "gender": (["female", "male"], [0.51, 0.49], [0.57, 0.43]),
    "age": (["16-29", "30-44", "45-64", "65+"], [0.24, 0.26, 0.30, 0.20], [0.08, 0.17, 0.35, 0.40]),
    "ward": (
        ["north", "south", "east", "west", "centre"],
        [0.20, 0.20, 0.20, 0.20, 0.20],
        [0.32, 0.25, 0.18, 0.14, 0.11],
    ),
    "uses_service": (["yes", "no"], [0.15, 0.85], [0.12, 0.88]),
    "ethnicity": (
        ["white", "asian", "black", "mixed", "other"],
        [0.80, 0.09, 0.05, 0.04, 0.02],
        [0.88, 0.05, 0.03, 0.03, 0.01],
    ),
    "tenure": (
        ["owner", "social-rent", "private-rent", "other"],
        [0.62, 0.17, 0.19, 0.02],
        [0.75, 0.10, 0.13, 0.02],
    ),
}
# The 2,000 and 10,000 pools of `python -m bench panels` (self_selected below):
# (features, population shares, shares among volunteers)
CATEGORIES: dict[str, tuple[list[str], list[float], list[float]]] = {
    "gender": (["female", "male", "non-binary"], [0.51, 0.47, 0.02], [0.58, 0.40, 0.02]),
    "age": (
        ["16-24", "25-34", "35-44", "45-54", "55-64", "65+"],
        [0.13, 0.17, 0.16, 0.17, 0.15, 0.22],
        [0.05, 0.10, 0.14, 0.19, 0.23, 0.29],
    ),
    "ward": (
        [f"ward-{i}" for i in range(1, 9)],
        [0.125] * 8,
        [0.20, 0.16, 0.14, 0.12, 0.12, 0.10, 0.09, 0.07],
    ),
    "ethnicity": (
        ["white", "asian", "black", "mixed", "other"],
        [0.80, 0.09, 0.05, 0.04, 0.02],
        [0.88, 0.05, 0.03, 0.03, 0.01],
    ),
    "tenure": (
        ["owner", "social-rent", "private-rent", "other"],
        [0.62, 0.17, 0.19, 0.02],
        [0.75, 0.10, 0.13, 0.02],
    ),
}

SERVICE_USER = ("uses_service", "yes")
SERVICE_USER_BOOST = 1.5


def skewed_pool(
    volunteers: int, size: int, seed: int, categories: int = 4
) -> tuple[list[Volunteer], list[Quota], int]:
    names = list(SKEWED)[:categories]
    rng = np.random.default_rng(seed)
    draws = {c: rng.choice(len(SKEWED[c][0]), size=volunteers, p=SKEWED[c][2]) for c in names}
    pool = [Volunteer(f"v{i + 1}", {c: SKEWED[c][0][draws[c][i]] for c in names}) for i in range(volunteers)]
    quotas = []
    for category in names:
        features, shares, _ = SKEWED[category]
        for feature, share in zip(features, shares, strict=True):
            target = share * size
            if (category, feature) == SERVICE_USER:
                low = math.ceil(target * SERVICE_USER_BOOST)
                high = max(low + 1, math.ceil(target * SERVICE_USER_BOOST * 1.1))
            else:
                low = max(0, math.floor(target * 0.9))
                high = max(low + 1, math.ceil(target * 1.1))
            quotas.append(Quota(category, feature, low, high))
    return pool, quotas, size


def self_selected(
    pool: int, size: int, categories: list[str], seed: int
) -> tuple[list[Volunteer], list[Quota], int]:
    rng = np.random.default_rng(seed)
    draws = {c: rng.choice(len(CATEGORIES[c][0]), size=pool, p=CATEGORIES[c][2]) for c in categories}
    volunteers = [
        Volunteer(f"v{i}", {c: CATEGORIES[c][0][draws[c][i]] for c in categories}) for i in range(pool)
    ]
    quotas = []
    for category in categories:
        features, shares, _ = CATEGORIES[category]
        for feature, share in zip(features, shares, strict=True):
            target = share * size
            low = max(0, math.floor(target * 0.9))
            high = max(low + 1, math.ceil(target * 1.1))
            quotas.append(Quota(category, feature, low, high))
    return volunteers, quotas, size


def write_csv(directory: Path, volunteers: list[Volunteer], quotas: list[Quota]) -> tuple[Path, Path]:
    """respondents.csv and categories.csv, as `python -m app panel-draw` reads them."""
    directory.mkdir(parents=True, exist_ok=True)
    categories = list(dict.fromkeys(q.category for q in quotas))
    pool_path, quota_path = directory / "respondents.csv", directory / "categories.csv"
    with pool_path.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["id", *categories])
        for volunteer in volunteers:
            writer.writerow([volunteer.id, *(volunteer.features[c] for c in categories)])
    with quota_path.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["category", "feature", "min", "max"])
        for quota in quotas:
            writer.writerow([quota.category, quota.feature, quota.min, quota.max])
    return pool_path, quota_path


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench panel_pools", description=__doc__)
    parser.add_argument("--volunteers", type=int, default=10_000)
    parser.add_argument("--size", type=int, default=100)
    parser.add_argument("--seed", type=int, default=10_000)
    parser.add_argument("--categories", type=int, default=4, choices=range(1, len(SKEWED) + 1))
    parser.add_argument("--out", type=Path, required=True, help="directory for the two CSV files")
    options = parser.parse_args(argv)
    volunteers, quotas, _ = skewed_pool(options.volunteers, options.size, options.seed, options.categories)
    for path in write_csv(options.out, volunteers, quotas):
        print(path)
    return 0
