import json

import pytest

from analysis import AnalysisResult, Options, analyse
from tests.analysis.conftest import topic_corpus

TEMPLATE = (
    "I object to closing the Elm Road library because it is the only free warm place where "
    "older residents and children can read"
)


@pytest.fixture(scope="module")
def consultation():
    texts, truth = topic_corpus(per_topic=20)
    texts = [*texts, "n/a", "Nothing to add", "", *[TEMPLATE] * 6, "jo@example.com 07700 900123"]
    channel = ["online" if i % 3 else "paper" for i in range(len(texts))]
    stance = ["Agree" if i % 2 else "Disagree" for i in range(len(texts))]
    return texts, truth, {"channel": channel}, stance


@pytest.fixture(scope="module")
def result(consultation):
    from analysis import FakeEmbedder

    texts, _, groups, stance = consultation
    return analyse(texts, groups=groups, stance=stance, embedder=FakeEmbedder(), seed=1)


class TestAnalyse:
    def test_finds_every_topic_in_pure_themes(self, result, consultation):
        _texts, truth, _, _ = consultation
        assert 6 <= len(result.top_themes) <= 8
        found = set()
        for theme in result.top_themes:
            topics = {truth[i] for i in theme.member_indices if i < len(truth)}
            assert len(topics) == 1
            found |= topics
        assert found == set(truth)

    def test_every_text_accounted_for_once(self, result, consultation):
        texts = consultation[0]
        acc = result.accounting
        assert acc.total == len(texts) == len(result.assignment)
        assert acc.balanced
        assert acc.no_comment == 2 and acc.blank == 1 and acc.in_campaigns == 6
        assert acc.in_themes == sum(t.size for t in result.top_themes)
        assert sorted(result.other_indices) == [i for i, a in enumerate(result.assignment) if a == "other"]

    def test_campaign_counted_once_with_its_size(self, result):
        (campaign,) = result.campaigns
        assert campaign.size == 6 and campaign.id == "c1"
        assert all(result.assignment[i] == "c1" for i in campaign.member_indices)
        assert all(campaign.representative_index not in t.member_indices for t in result.themes)

    def test_stance_split_per_theme(self, result):
        for theme in result.top_themes:
            assert sum(theme.stance_counts.values()) == theme.size
            assert set(theme.stance_counts) <= {"Agree", "Disagree"}

    def test_group_breakdown_per_theme(self, result):
        for theme in result.top_themes:
            assert {g.value for g in theme.groups} == {"online", "paper"}

    def test_quotes_and_labels(self, result):
        for theme in result.top_themes:
            assert theme.label and theme.keywords
            assert 3 <= len(theme.quotes) <= 5
            assert all(i in theme.member_indices for i, _ in theme.quotes)

    def test_ids_stable_and_largest_first(self, result):
        tops = result.top_themes
        assert [t.id for t in tops] == [f"t{i + 1}" for i in range(len(tops))]
        assert [t.size for t in tops] == sorted((t.size for t in tops), reverse=True)

    def test_deterministic_for_a_seed(self, consultation, result):
        from analysis import FakeEmbedder

        texts, _, groups, stance = consultation
        again = analyse(texts, groups=groups, stance=stance, embedder=FakeEmbedder(), seed=1)
        assert again.assignment == result.assignment
        assert [t.label for t in again.themes] == [t.label for t in result.themes]

    def test_json_round_trip(self, result):
        data = json.loads(json.dumps(result.to_dict()))
        restored = AnalysisResult.from_dict(data)
        assert restored.to_dict() == result.to_dict()
        assert restored.accounting.balanced

    def test_records_model_seed_and_parameters(self, result):
        assert result.model_name == "fake-64" and result.seed == 1
        assert set(result.parameters["fit_thresholds"]) == {t.id for t in result.top_themes}
        assert result.seconds > 0

    def test_progress_stages(self, consultation, fake):
        calls = []
        analyse(consultation[0], embedder=fake, progress=lambda *a: calls.append(a))
        stages = list(dict.fromkeys(c[0] for c in calls))
        assert stages[:5] == ["preparing", "embedding", "clustering", "sub-themes", "labelling"]
        assert all(0 <= done <= total for _, done, total in calls)

    def test_given_k(self, consultation, fake):
        result = analyse(consultation[0], embedder=fake, options=Options(k=2, subthemes=False))
        assert len(result.top_themes) <= 2

    def test_rejects_misaligned_columns(self, fake):
        with pytest.raises(ValueError, match="channel"):
            analyse(["a", "b"], groups={"channel": ["x"]}, embedder=fake)

    def test_nothing_to_analyse(self, fake):
        result = analyse(["n/a", "", None], embedder=fake)
        assert result.themes == () and result.accounting.no_comment == 1
        assert result.accounting.blank == 2 and result.assignment == ("no_comment", "blank", "blank")

    def test_subthemes_nest_inside_parents(self, fake):
        texts, _ = topic_corpus(per_topic=40)
        result = analyse(texts, embedder=fake, options=Options(subtheme_min_size=40))
        for sub in (t for t in result.themes if t.parent_id):
            parent = result.theme(sub.parent_id)
            assert set(sub.member_indices) <= set(parent.member_indices)
