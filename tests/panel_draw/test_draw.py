"""Citizens' panel draw: quotas, fairness (LEXIMIN against brute force), households, replacements."""

from __future__ import annotations

import json
from collections import Counter
from itertools import combinations
from pathlib import Path

import numpy as np
import pytest
from scipy.optimize import linprog

import panel_draw
from panel_draw import (
    LEGACY_FALLBACK,
    LEXIMIN,
    InfeasibleQuotasError,
    NoReplacementError,
    PoolError,
    Quota,
    SolverUnavailableError,
    Volunteer,
    WorkBudget,
    check_quotas,
    draw_panel,
    draw_replacement,
    find_leximin_distribution,
    gini,
    lottery_record,
    replay_sample,
    sample_panel,
    spreadsheets,
)

DATA = Path(__file__).resolve().parents[1] / "data" / "panels"
ROOT = Path(__file__).resolve().parents[2]
SMALL_POOL = DATA / "small_respondents.csv"
SMALL_QUOTAS = DATA / "small_categories.csv"
K = 4


def small_instance(households: bool = False) -> tuple[list[Volunteer], list[Quota]]:
    quotas = spreadsheets.read_quotas(str(SMALL_QUOTAS))
    volunteers = spreadsheets.read_pool(str(SMALL_POOL), quotas, "address" if households else None)
    return volunteers, quotas


def paper_example(pool: int = 2000, panel: int = 200) -> tuple[list[Volunteer], list[Quota]]:
    """The Nature paper's public example_large instance (Methods M8)."""
    half = pool // 2
    people = [("female", "conservative")] + [("female", "liberal")] * (half - 1)
    people += [("male", "conservative")] * half
    volunteers = [
        Volunteer(f"v{i}", {"gender": g, "leaning": lean}) for i, (g, lean) in enumerate(people)
    ]
    low = panel // 2 - 1
    quotas = [
        Quota(c, f, low, panel)
        for c, fs in (("gender", ("female", "male")), ("leaning", ("liberal", "conservative")))
        for f in fs
    ]
    return volunteers, quotas


def random_instance(seed: int, pool: int, categories: int) -> tuple[list[Volunteer], list[Quota]]:
    rng = np.random.default_rng(seed)
    volunteers = [
        Volunteer(f"r{i}", {f"c{c}": f"f{rng.integers(0, 3)}" for c in range(categories)})
        for i in range(pool)
    ]
    quotas = [Quota(f"c{c}", f"f{f}", 1, 4) for c in range(categories) for f in range(3)]
    return volunteers, quotas


def exhaustive_leximin(
    volunteers: list[Volunteer], quotas: list[Quota], size: int, households: bool
) -> dict[str, float]:
    """LEXIMIN from first principles: every feasible panel, and one LP per person per stage
    to decide who cannot rise above the stage's minimum (no duals, no column generation)."""
    panels = [
        panel for panel in combinations(range(len(volunteers)), size)
        if not check_quotas(
            volunteers, quotas, [volunteers[i].id for i in panel], one_per_household=households
        )
    ]
    n, m = len(volunteers), len(panels)
    membership = np.zeros((n, m))
    for column, panel in enumerate(panels):
        membership[list(panel), column] = 1.0
    fixed: dict[int, float] = {}
    while len(fixed) < n:
        free = [i for i in range(n) if i not in fixed]
        z = _maximin(membership, fixed, free)
        for person in free:
            if _best_for(membership, fixed, free, z, person) <= z + 1e-7:
                fixed[person] = z
    return {volunteers[i].id: p for i, p in fixed.items()}


def _maximin(membership: np.ndarray, fixed: dict[int, float], free: list[int]) -> float:
    m = membership.shape[1]
    # variables: lambda_1..lambda_m, z ; maximise z
    cost = np.zeros(m + 1)
    cost[-1] = -1.0
    rows, bounds = _probability_rows(membership, fixed, free, z_column=True)
    result = linprog(
        cost, A_ub=rows, b_ub=bounds, A_eq=[[1.0] * m + [0.0]], b_eq=[1.0],
        bounds=[(0, None)] * m + [(0, 1)], method="highs",
    )
    assert result.status == 0
    return -result.fun


def _best_for(
    membership: np.ndarray, fixed: dict[int, float], free: list[int], z: float, person: int
) -> float:
    m = membership.shape[1]
    floors = {**fixed, **{i: z - 1e-9 for i in free}}
    rows, bounds = _probability_rows(membership, floors, [], z_column=False)
    result = linprog(
        -membership[person], A_ub=rows, b_ub=bounds, A_eq=[[1.0] * m], b_eq=[1.0],
        bounds=[(0, None)] * m, method="highs",
    )
    assert result.status == 0
    return -result.fun


def _probability_rows(membership, floors, free, z_column):
    rows, bounds = [], []
    for person, floor in floors.items():
        rows.append(list(-membership[person]) + ([0.0] if z_column else []))
        bounds.append(-floor)
    for person in free:
        rows.append([*(-membership[person]), 1.0])
        bounds.append(0.0)
    return np.array(rows), np.array(bounds)


def realisation(panel: panel_draw.WeightedPanel) -> list[str]:
    return [member for group in panel.groups for member in group.member_ids[: group.count]]


# --- quotas are always met -------------------------------------------------------------


@pytest.mark.parametrize("households", [False, True])
def test_every_draw_and_every_panel_in_the_lottery_meets_the_quotas(households):
    volunteers, quotas = small_instance(households)
    for seed in range(15):
        draw = draw_panel(volunteers, quotas, K, seed, one_per_household=households)
        assert draw.algorithm == LEXIMIN
        assert draw.quotas_met, draw.quota_violations
        assert check_quotas(
            volunteers, quotas, draw.selected_ids, size=K, one_per_household=households
        ) == ()
    for panel in draw.distribution:
        members = realisation(panel)
        assert check_quotas(
            volunteers, quotas, members, size=K, one_per_household=households
        ) == ()


def test_quotas_met_on_a_larger_random_pool():
    volunteers, quotas = random_instance(seed=3, pool=300, categories=3)
    draw = draw_panel(volunteers, quotas, 10, seed=11)
    assert draw.quotas_met
    assert sum(draw.probabilities.values()) == pytest.approx(10, abs=1e-6)


TINY_BUDGET = WorkBudget(pricing_rounds=2, mip_calls=1)


def test_a_draw_cut_short_still_meets_quotas_and_states_how_far_from_optimal_it_may_be():
    volunteers, quotas = random_instance(seed=3, pool=300, categories=3)
    full = draw_panel(volunteers, quotas, 10, seed=11)
    cut = draw_panel(volunteers, quotas, 10, seed=11, budget=TINY_BUDGET)
    assert full.algorithm == panel_draw.LEXIMIN and full.details["settled_volunteers"] == 300
    assert full.details["pricing_rounds"] > TINY_BUDGET.pricing_rounds  # the budget does bite
    assert "stopped_by" not in full.details
    assert cut.algorithm == panel_draw.LEXIMIN_TRUNCATED and cut.quotas_met
    assert cut.details["stopped_by"] == "work-budget"
    assert cut.details["pricing_rounds"] <= 2 and cut.details["mip_calls"] <= 1
    assert 0 <= cut.details["settled_volunteers"] < 300 and cut.details["open_stage_gap"] >= 0
    assert "percentage points" in cut.details["note"] and "work budget" in cut.details["note"]
    # The proven bound holds for both, and the full draw reaches it.
    assert cut.min_selection_probability <= cut.maximin_upper_bound + 1e-9
    assert full.min_selection_probability == pytest.approx(full.maximin_upper_bound, abs=1e-5)


# --- infeasible quotas name the category ----------------------------------------------


def test_infeasible_quota_error_names_the_category():
    volunteers, _ = small_instance()
    quotas = spreadsheets.read_quotas(str(DATA / "infeasible_categories.csv"))
    with pytest.raises(InfeasibleQuotasError) as error:
        draw_panel(volunteers, quotas, K, seed=1)
    assert error.value.categories == ("age",)
    assert "'age'" in str(error.value)
    assert "16-34 needs at least 4 but only 3" in str(error.value)


def test_quotas_that_conflict_only_together_name_both_categories():
    volunteers, _ = small_instance()
    quotas = spreadsheets.read_quotas(str(DATA / "conflicting_categories.csv"))
    with pytest.raises(InfeasibleQuotasError) as error:
        draw_panel(volunteers, quotas, K, seed=1)
    assert error.value.categories == ("age", "area")
    assert "categories 'age' and 'area' cannot be met together" in str(error.value)


def test_household_rule_is_named_when_it_causes_infeasibility():
    volunteers = [Volunteer(f"p{i}", {"g": "x"}, household="same") for i in range(3)]
    with pytest.raises(InfeasibleQuotasError) as error:
        draw_panel(volunteers, [Quota("g", "x", 0, 3)], 2, seed=1, one_per_household=True)
    assert "x needs" not in str(error.value)
    assert "g" in error.value.categories


def test_malformed_pool_is_reported_with_the_volunteer():
    volunteers, quotas = small_instance()
    odd = [*volunteers[:-1], Volunteer("p12", {"gender": "other", "age": "65+", "area": "north"})]
    with pytest.raises(PoolError, match=r"p12 \(gender='other'"):
        draw_panel(odd, quotas, K, seed=1)
    with pytest.raises(PoolError, match="larger than the pool"):
        draw_panel(volunteers, quotas, 13, seed=1)


# --- reproducible ----------------------------------------------------------------------


def test_same_seed_gives_the_same_panel_and_the_record_redraws_it():
    volunteers, quotas = small_instance()
    first = draw_panel(volunteers, quotas, K, seed=42)
    again = draw_panel(volunteers, quotas, K, seed=42)
    assert first.selected_ids == again.selected_ids
    assert first.probabilities == again.probabilities
    assert set(sample_panel(first.distribution, 42)) == set(first.selected_ids)
    panels = {draw_panel(volunteers, quotas, K, seed=s).selected_ids for s in range(12)}
    assert len(panels) > 1


def test_a_draw_stopped_by_the_work_budget_is_the_same_every_time():
    volunteers, quotas = random_instance(seed=3, pool=300, categories=3)
    draws = [draw_panel(volunteers, quotas, 10, seed=5, budget=TINY_BUDGET) for _ in range(3)]
    assert {d.algorithm for d in draws} == {panel_draw.LEXIMIN_TRUNCATED}
    assert len({d.selected_ids for d in draws}) == 1
    assert len({tuple(sorted(d.probabilities.items())) for d in draws}) == 1
    assert len({json.dumps(d.details["lottery"]) for d in draws}) == 1
    # A different budget stops elsewhere: the budget, not chance, decides where.
    longer = draw_panel(volunteers, quotas, 10, seed=5, budget=WorkBudget(pricing_rounds=6))
    assert longer.details["pricing_rounds"] > draws[0].details["pricing_rounds"]


def test_the_recorded_lottery_replays_the_draw_after_a_json_round_trip():
    volunteers, quotas = random_instance(seed=3, pool=300, categories=3)
    for budget in (TINY_BUDGET, WorkBudget()):
        draw = draw_panel(volunteers, quotas, 10, seed=99, budget=budget)
        stored = json.loads(json.dumps(dict(draw.details)))["lottery"]
        assert set(replay_sample(stored, 99)) == set(draw.selected_ids)
        assert stored == lottery_record(draw.distribution)
        assert sum(p["probability"] for p in stored["panels"]) == pytest.approx(1.0)
        # ids only: nothing but the volunteers' ids appears in the record
        assert {m for g in stored["groups"] for m in g} <= {v.id for v in volunteers}
    assert set(replay_sample(stored, 100)) != set(draw.selected_ids) or len(stored["panels"]) == 1


def test_a_draw_stopped_by_the_safety_time_limit_says_it_may_not_be_reproducible():
    volunteers, quotas = random_instance(seed=3, pool=300, categories=3)
    cut = draw_panel(volunteers, quotas, 10, seed=11, time_limit_seconds=0.0)
    assert cut.algorithm == panel_draw.LEXIMIN_TRUNCATED and cut.quotas_met
    assert cut.details["stopped_by"] == "safety-time-limit"
    assert "may not be reproducible" in cut.details["note"]
    assert set(replay_sample(cut.details["lottery"], 11)) == set(cut.selected_ids)


# --- probabilities ---------------------------------------------------------------------


@pytest.mark.parametrize("households", [False, True])
def test_probabilities_sum_to_the_panel_size(households):
    volunteers, quotas = small_instance(households)
    draw = draw_panel(volunteers, quotas, K, seed=5, one_per_household=households)
    assert sum(draw.probabilities.values()) == pytest.approx(K, abs=1e-7)
    assert sum(panel.probability for panel in draw.distribution) == pytest.approx(1.0)
    assert draw.min_selection_probability == min(draw.probabilities.values())


@pytest.mark.parametrize("households", [False, True])
@pytest.mark.parametrize("grouped", [True, False])
def test_leximin_matches_exhaustive_computation(households, grouped):
    volunteers, quotas = small_instance(households)
    expected = exhaustive_leximin(volunteers, quotas, K, households)
    found = find_leximin_distribution(
        volunteers, quotas, K, one_per_household=households, group_interchangeable=grouped
    )
    assert found.algorithm == LEXIMIN
    assert len(set(np.round(list(expected.values()), 6))) > 2  # a non-trivial leximin
    for person, probability in expected.items():
        assert found.probabilities[person] == pytest.approx(probability, abs=1e-5), person


def test_paper_example_reaches_the_leximin_optimum():
    volunteers, quotas = paper_example()
    draw = draw_panel(volunteers, quotas, 200, seed=7)
    assert draw.min_selection_probability == pytest.approx(0.1, abs=1e-4)
    assert draw.maximin_upper_bound == pytest.approx(0.1, abs=1e-4)
    assert draw.gini < 1e-4
    assert draw.quotas_met


def test_gini():
    assert gini([0.1] * 10) == pytest.approx(0.0)
    assert gini([0.0, 0.0, 0.0, 1.0]) == pytest.approx(0.75)


# --- households ------------------------------------------------------------------------


def test_one_person_per_household():
    volunteers, quotas = small_instance(households=True)
    shared = {"a1": {"p01", "p02"}, "a7": {"p07", "p08"}}
    for seed in range(20):
        draw = draw_panel(volunteers, quotas, K, seed, one_per_household=True)
        for members in shared.values():
            assert len(members & set(draw.selected_ids)) <= 1
    households = Counter(v.household for v in volunteers)
    assert households["a1"] == 2 and households["a7"] == 2


# --- replacements ----------------------------------------------------------------------


@pytest.mark.parametrize("households", [False, True])
def test_replacements_keep_every_quota(households):
    volunteers, quotas = small_instance(households)
    draw = draw_panel(volunteers, quotas, K, seed=3, one_per_household=households)
    for declined in draw.selected_ids:
        try:
            swap = draw_replacement(
                volunteers, quotas, draw.selected_ids, declined, seed=9,
                one_per_household=households,
            )
        except NoReplacementError:
            continue
        assert swap.replacement_id not in draw.selected_ids
        assert declined not in swap.panel_ids
        assert check_quotas(
            volunteers, quotas, swap.panel_ids, size=K, one_per_household=households
        ) == ()
        again = draw_replacement(
            volunteers, quotas, draw.selected_ids, declined, seed=9, one_per_household=households
        )
        assert again == swap


def test_replacement_comes_from_those_who_fit_and_none_when_nobody_fits():
    volunteers, quotas = small_instance()
    panel = ("p03", "p04", "p05", "p10")
    assert check_quotas(volunteers, quotas, panel, size=K) == ()
    swap = draw_replacement(volunteers, quotas, panel, "p10", seed=1)
    assert swap.replacement_id in {"p08", "p12"}  # the other men in the north not aged 65+
    assert swap.candidates == 2
    with pytest.raises(NoReplacementError):
        draw_replacement(volunteers, quotas, panel, "p10", seed=1, excluded_ids=["p08", "p12"])
    with pytest.raises(NoReplacementError):
        draw_replacement(volunteers, quotas, panel, "p04", seed=1)  # the only 65+ woman


# --- fallback --------------------------------------------------------------------------


def test_falls_back_to_a_labelled_greedy_draw_only_when_leximin_cannot_run(monkeypatch):
    def unavailable(*_args, **_kwargs):
        raise SolverUnavailableError("the HiGHS solver (highspy) is not installed")

    monkeypatch.setattr("panel_draw.draw.leximin_for_pool", unavailable)
    volunteers, quotas = small_instance()
    draw = draw_panel(volunteers, quotas, K, seed=4)
    assert draw.algorithm == LEGACY_FALLBACK
    assert "highspy" in draw.fallback_reason
    assert draw.quotas_met
    assert sum(draw.probabilities.values()) == pytest.approx(K)
    assert draw_panel(volunteers, quotas, K, seed=4).selected_ids == draw.selected_ids
