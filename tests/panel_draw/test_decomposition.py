"""Peeling panels off the relaxation's LEXIMIN (decomposition.py): every panel meets the quotas,
the lottery is within the mass left of the targets, the same inputs give the same bytes, and
where the relaxation cannot be realised the column generation and the stage method take over."""

from __future__ import annotations

import numpy as np
import pytest

from bench.panel_pools import skewed_pool
from panel_draw import LEXIMIN, Quota, Volunteer, find_leximin_distribution
from panel_draw.decomposition import decompose
from panel_draw.draw import STAGES, TYPES
from panel_draw.leximin import Work, find_covering_panels
from panel_draw.models import WorkBudget
from panel_draw.panel_mip import PanelMip
from panel_draw.pool import build_pool
from panel_draw.typed import relaxation_leximin

STOP = 1e-5


def decomposed(volunteers, quotas, size):
    pool = build_pool(volunteers, quotas, size)
    _, unselectable = find_covering_panels(PanelMip(pool))
    target, _ = relaxation_leximin(pool, unselectable)
    found = decompose(PanelMip(pool), target, unselectable, stop_mass=STOP, work=Work(WorkBudget()))
    return pool, target, found


def meets_quotas(pool, counts):
    rows = PanelMip(pool).rows
    return all(low <= counts[members].sum() <= high for low, high, members in rows)


def test_a_skewed_six_category_pool_is_peeled_to_within_the_mass_left():
    volunteers, quotas, size = skewed_pool(1000, 100, seed=1000, categories=6)
    pool, target, found = decomposed(volunteers, quotas, size)
    sizes = np.array([g.size for g in pool.groups], dtype=np.float64)
    assert found.remaining <= STOP and found.projection_gap < 1e-5
    assert all(meets_quotas(pool, counts) for counts in found.panels)
    weights = np.array(found.weights)
    assert (weights > 0).all() and weights.sum() == pytest.approx(1.0 - found.remaining, abs=1e-12)
    probabilities = weights @ np.array(found.panels) / sizes
    assert np.abs(probabilities - target).max() <= found.remaining + found.projection_gap + 1e-9


def test_the_same_pool_gives_the_same_panels_and_weights():
    volunteers, quotas, size = skewed_pool(1000, 100, seed=1000, categories=5)
    _, _, first = decomposed(volunteers, quotas, size)
    _, _, second = decomposed(volunteers, quotas, size)
    assert np.array(first.panels).tobytes() == np.array(second.panels).tobytes()
    assert np.array(first.weights).tobytes() == np.array(second.weights).tobytes()


def test_the_type_based_draw_needs_no_pricing_round_after_the_decomposition():
    volunteers, quotas, size = skewed_pool(1000, 100, seed=1000, categories=6)
    found = find_leximin_distribution(volunteers, quotas, size, method=TYPES)
    assert found.algorithm == LEXIMIN and found.work["type_shortfall"] <= STOP
    assert found.work["decomposition_panels"] > 0 and found.work["pricing_rounds"] == 0


def unrealisable():
    # 11 volunteers, three yes/no categories, panels of 2: the relaxation's LEXIMIN gives 0.57
    # to one person no lottery of real panels can give it to (found by a seeded search).
    features = [
        "101", "001", "101", "100", "000", "111", "010", "001", "111", "100", "110",
    ]
    volunteers = [
        Volunteer(f"v{i}", {c: f"{c}{bit}" for c, bit in zip("abc", code, strict=True)})
        for i, code in enumerate(features)
    ]
    quotas = [
        Quota("a", "a0", 1, 2), Quota("a", "a1", 1, 2), Quota("b", "b0", 0, 1),
        Quota("b", "b1", 0, 1), Quota("c", "c0", 1, 2), Quota("c", "c1", 0, 1),
    ]
    return volunteers, quotas, 2


def test_where_the_relaxation_cannot_be_realised_the_stage_method_takes_over(monkeypatch):
    volunteers, quotas, size = unrealisable()
    _, _, found = decomposed(volunteers, quotas, size)
    assert found.remaining > 0.1  # stuck: no integer panel on the residual's face
    assert all(meets_quotas(build_pool(volunteers, quotas, size), c) for c in found.panels)
    monkeypatch.setattr("panel_draw.draw.TYPES_FROM_GROUPS", 1)
    drawn = find_leximin_distribution(volunteers, quotas, size)
    assert drawn.algorithm == LEXIMIN and drawn.work["method"] == STAGES
    assert "cannot be realised" in drawn.work["types_fallback"]


def test_types_no_panel_can_include_are_found_without_covering_panels():
    volunteers, quotas, size = skewed_pool(300, 30, seed=300, categories=4)
    # No seat for the centre ward, any number for the others.
    quotas = [
        Quota("ward", q.feature, 0, 0 if q.feature == "centre" else size)
        if q.category == "ward" else q
        for q in quotas
    ]
    centre = {v.id for v in volunteers if v.features["ward"] == "centre"}
    exact = find_leximin_distribution(volunteers, quotas, size, method=STAGES)
    typed = find_leximin_distribution(volunteers, quotas, size, method=TYPES)
    assert typed.work["pricing_rounds"] == 0
    assert set(typed.unselectable_ids) == set(exact.unselectable_ids) == centre
    for person, probability in exact.probabilities.items():
        assert typed.probabilities[person] == pytest.approx(probability, abs=1.5e-4), person
