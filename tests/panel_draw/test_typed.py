"""Type-based LEXIMIN (the relaxation's levels, realised by one column generation) against the
stage-by-stage method, which is exact, on the public examples and a skewed pool."""

from __future__ import annotations

import numpy as np
import pytest

from bench.panel_pools import skewed_pool
from panel_draw import LEXIMIN, Quota, Volunteer, find_leximin_distribution
from panel_draw.draw import STAGES, TYPES, TYPES_TOLERANCE

from .test_draw import paper_example, small_instance


def both(volunteers, quotas, size):
    exact = find_leximin_distribution(volunteers, quotas, size, method=STAGES)
    typed = find_leximin_distribution(volunteers, quotas, size, method=TYPES)
    return exact, typed


def assert_same_leximin(exact, typed, tolerance):
    assert exact.algorithm == typed.algorithm == LEXIMIN
    assert typed.work["method"] == TYPES and typed.work["type_shortfall"] <= tolerance
    for person, probability in exact.probabilities.items():
        assert typed.probabilities[person] == pytest.approx(probability, abs=tolerance), person
    assert sum(typed.probabilities.values()) == pytest.approx(sum(exact.probabilities.values()))


def test_paper_example_everyone_gets_k_over_n():
    volunteers, quotas = paper_example()
    exact, typed = both(volunteers, quotas, 200)
    assert_same_leximin(exact, typed, TYPES_TOLERANCE)
    assert min(typed.probabilities.values()) == pytest.approx(0.1, abs=TYPES_TOLERANCE)


def test_small_public_example_matches():
    volunteers, quotas = small_instance()
    exact, typed = both(volunteers, quotas, 4)
    assert_same_leximin(exact, typed, TYPES_TOLERANCE)


def test_self_selected_two_categories_match():
    rng = np.random.default_rng(2000)
    genders, ages = ["f", "m", "x"], [f"a{i}" for i in range(6)]
    g = rng.choice(3, size=2000, p=[0.58, 0.40, 0.02])
    a = rng.choice(6, size=2000, p=[0.05, 0.10, 0.14, 0.19, 0.23, 0.29])
    volunteers = [
        Volunteer(f"v{i}", {"gender": genders[g[i]], "age": ages[a[i]]}) for i in range(2000)
    ]
    quotas = [Quota("gender", "f", 91, 113), Quota("gender", "m", 84, 104), Quota("gender", "x", 3, 5)]
    quotas += [Quota("age", band, 26, 40) for band in ages]
    exact, typed = both(volunteers, quotas, 200)
    assert_same_leximin(exact, typed, TYPES_TOLERANCE)


def test_skewed_pool_with_a_service_user_quota_matches():
    volunteers, quotas, size = skewed_pool(1000, 100, seed=1000, categories=4)
    exact, typed = both(volunteers, quotas, size)
    # Both sides carry an error: the type-based lottery is within TYPES_TOLERANCE of its
    # targets, and the stage method's upper levels sit up to ~1e-4 under theirs (fixing slack).
    assert_same_leximin(exact, typed, 1.5e-4)
    assert typed.stages == exact.stages  # the same number of LEXIMIN levels
    # the relaxation's first level is a proven upper bound on the LEXIMIN minimum
    assert min(typed.probabilities.values()) <= typed.maximin_upper_bound + 1e-9


def test_a_relaxation_that_does_not_solve_falls_back_to_the_stage_method(monkeypatch):
    # The demo council's pool once hit this (levels fixed too tightly for HiGHS's tolerance):
    # the draw must then run level by level, never fall to the greedy LEGACY method.
    volunteers, quotas = paper_example()
    monkeypatch.setattr("panel_draw.draw.TYPES_FROM_GROUPS", 1)  # AUTO tries types on 3 groups
    monkeypatch.setattr("panel_draw.typed.RelaxationBound.bound", lambda self: None)
    found = find_leximin_distribution(volunteers, quotas, 200)
    assert found.algorithm == LEXIMIN
    assert found.work["method"] == STAGES and "relaxation" in found.work["types_fallback"]
