import numpy as np
import pytest

from analysis.groups import GroupComparer, adjust, two_proportion_p
from analysis.stance import UNKNOWN, is_mixed, stance_counts


class TestStance:
    def test_counts_split_by_closed_answer(self):
        stance = ["Agree", "Disagree", "Agree", None, " ", "Agree"]
        assert stance_counts(stance, [0, 1, 2, 3, 4]) == {"Agree": 2, UNKNOWN: 2, "Disagree": 1}

    def test_no_stance_column(self):
        assert stance_counts(None, [0, 1]) == {}

    def test_mixed(self):
        assert is_mixed({"Agree": 5, "Disagree": 5})
        assert not is_mixed({"Agree": 9, "Disagree": 1, UNKNOWN: 40})


class TestProportionTest:
    def test_equal_shares_not_significant(self):
        assert two_proportion_p(10, 100, 20, 200) == pytest.approx(1.0)

    def test_known_value(self):
        # z = (0.6 - 0.4) / sqrt(0.5 * 0.5 * (2/100)) = 2.828 -> p = 0.00468
        assert two_proportion_p(60, 100, 40, 100) == pytest.approx(0.00468, abs=1e-4)

    def test_degenerate(self):
        assert two_proportion_p(0, 0, 3, 10) == 1.0
        assert two_proportion_p(5, 5, 10, 10) == 1.0


class TestCorrections:
    def test_benjamini_hochberg(self):
        # statsmodels multipletests(method="fdr_bh") on the same p-values
        p = [0.01, 0.04, 0.03, 0.2]
        assert np.allclose(adjust(p, "bh"), [0.04, 0.05333333, 0.05333333, 0.2])

    def test_holm(self):
        p = [0.01, 0.04, 0.03, 0.2]
        assert np.allclose(adjust(p, "holm"), [0.04, 0.09, 0.09, 0.2])


class TestGroupComparer:
    def setup_method(self):
        # 200 people; theme 0 is mostly "online" answers, theme 1 mirrors the population
        self.channel = ["online"] * 100 + ["paper"] * 100
        self.themes = [[*list(range(0, 60)), 150], list(range(60, 100)) + list(range(100, 140))]

    def test_over_and_under_flagged(self):
        flags = GroupComparer().compare({"channel": self.channel}, self.themes, range(200))
        theme0 = {f.value: f for f in flags[0]}
        assert theme0["online"].flag == "over" and theme0["paper"].flag == "under"
        assert theme0["online"].theme_share == pytest.approx(60 / 61)
        assert theme0["online"].overall_share == pytest.approx(0.5)
        assert all(f.flag is None for f in flags[1])

    def test_tiny_groups_never_singled_out(self):
        channel = ["online"] * 195 + ["phone"] * 5
        themes = [[195, 196, 197, 198, 199, 0, 1]]
        flags = GroupComparer(min_count=10).compare({"channel": channel}, themes, range(200))
        assert next(f for f in flags[0] if f.value == "phone").flag is None

    def test_missing_values_are_a_group(self):
        channel = [None] * 100 + ["paper"] * 100
        flags = GroupComparer().compare({"channel": channel}, self.themes, range(200))
        assert {f.value for f in flags[0]} == {"unknown", "paper"}

    def test_holm_is_available(self):
        flags = GroupComparer(correction="holm").compare({"c": self.channel}, self.themes, range(200))
        assert flags[0][0].q_value >= flags[0][0].p_value

    def test_significant_but_slight_differences_not_flagged(self):
        # 20,000 answers; a theme of 5,000 where "online" is 55% against 50% overall:
        # p far below 0.001, but 1.1 times the overall share is not a marked difference.
        channel = ["online"] * 10_000 + ["paper"] * 10_000
        theme = list(range(0, 2750)) + list(range(10_000, 12_250))
        slight = GroupComparer().compare({"channel": channel}, [theme], range(20_000))[0]
        online = next(f for f in slight if f.value == "online")
        assert online.q_value < 0.001 and online.flag is None
        strict = GroupComparer(min_ratio=1.05).compare({"channel": channel}, [theme], range(20_000))[0]
        assert {f.value: f.flag for f in strict} == {"online": "over", "paper": "under"}

    def test_rejects_a_ratio_below_one(self):
        with pytest.raises(ValueError):
            GroupComparer(min_ratio=0.5)

    def test_rejects_unknown_correction(self):
        with pytest.raises(ValueError):
            GroupComparer(correction="bonferroni-ish")
