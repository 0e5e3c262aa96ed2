"""Outreach: what recruiting more of a feature the pool is short of would do to the draw."""

from __future__ import annotations

import pytest

from bench.panel_pools import skewed_pool
from panel_draw import InfeasibleQuotasError, Quota, Volunteer, find_leximin_distribution
from panel_draw.draw import TYPES
from panel_draw.outreach import outreach_effects, recruits, short_features


def two_category_pool():
    """60 volunteers: young people and men are scarce; quotas ask for half of each."""
    people = [("f", "old")] * 30 + [("m", "old")] * 18 + [("f", "young")] * 9 + [("m", "young")] * 3
    volunteers = [Volunteer(f"v{i}", {"sex": s, "age": a}) for i, (s, a) in enumerate(people)]
    quotas = [Quota("sex", "f", 4, 6), Quota("sex", "m", 4, 6)]
    quotas += [Quota("age", "old", 4, 6), Quota("age", "young", 4, 6)]
    return volunteers, quotas, 10


def test_short_features_are_those_below_their_share_of_seats():
    volunteers, quotas, size = two_category_pool()
    assert [(q.category, q.feature) for q in short_features(volunteers, quotas, size)] == [
        ("sex", "m"),
        ("age", "young"),
    ]


def test_recruits_have_the_feature_and_follow_the_seat_shares_elsewhere():
    _, quotas, size = two_category_pool()
    made = recruits(quotas, size, "age", "young", 7)
    assert len(made) == 7 and all(v.features["age"] == "young" for v in made)
    assert sorted(v.features["sex"] for v in made) == ["f"] * 4 + ["m"] * 3  # 3.5 each, tie to f
    assert recruits(quotas, size, "age", "young", 7) == made


def test_each_short_feature_gets_every_step_with_progress_and_the_exact_current_leximin():
    volunteers, quotas, size = two_category_pool()
    calls = []
    effects = outreach_effects(
        volunteers, quotas, size, steps=(3, 12), progress=lambda d, n: calls.append((d, n))
    )
    assert calls == [(i, 5) for i in range(1, 6)]  # now, then 2 features x 2 steps
    exact = find_leximin_distribution(volunteers, quotas, size, method=TYPES)
    for effect in effects:
        assert [s.added for s in effect.steps] == [3, 12]
        assert effect.now.minimum == pytest.approx(min(exact.probabilities.values()), abs=1e-4)
    young = next(e for e in effects if e.feature == "young")
    # 12 more young people share the young seats (4, as the old take their 6): each one's
    # chance falls ...
    assert young.steps[-1].feature_average == pytest.approx(4 / 24, abs=1e-4)
    assert young.steps[-1].feature_average < young.now.feature_average - 0.1
    # ... while the minimum stays with the old, whose own quota (at most 6 of 48) sets it.
    assert young.now.minimum == young.steps[-1].minimum == pytest.approx(6 / 48, abs=1e-4)
    assert young.best.added == 0  # nothing raised it, and the report says so


def test_on_the_skewed_pool_no_recruit_raises_the_minimum_but_the_short_groups_chances_fall():
    # The finding of decision 0096, now a test: the minimum belongs to over-represented people.
    volunteers, quotas, size = skewed_pool(1000, 100, seed=1000, categories=4)
    effects = outreach_effects(volunteers, quotas, size, steps=(50,))
    young = next(e for e in effects if e.feature == "16-29")
    assert young.steps[0].minimum <= young.now.minimum + 1e-9
    assert young.steps[0].feature_average < young.now.feature_average - 0.05


def test_a_quota_with_no_upper_limit_asks_for_its_minimum_not_half_the_panel():
    # The app writes "no upper limit" as max = size: "Prefer not to say" (0..size) is not short,
    # and a group asked for at least 3 of 10 is short when under 30% of the pool.
    volunteers, _, size = two_category_pool()
    quotas = [Quota("sex", "f", 4, 6), Quota("sex", "m", 3, size), Quota("sex", "unsaid", 0, size)]
    assert short_features(volunteers, quotas, size) == []
    quotas[1] = Quota("sex", "m", 4, size)  # 21 of 60 men: 35% < 40%
    assert [q.feature for q in short_features(volunteers, quotas, size)] == ["m"]
    made = recruits([*quotas, Quota("age", "old", 0, size), Quota("age", "young", 0, size)],
                    size, "sex", "m", 4)
    assert sorted(v.features["age"] for v in made) == ["old", "old", "young", "young"]


def test_quotas_no_panel_can_meet_are_named_before_any_lp():
    volunteers, quotas, size = two_category_pool()
    quotas[0] = Quota("sex", "f", 9, 10)
    quotas[1] = Quota("sex", "m", 9, 10)
    with pytest.raises(InfeasibleQuotasError) as error:
        outreach_effects(volunteers, quotas, size, steps=(5,))
    assert error.value.categories == ("sex",)
