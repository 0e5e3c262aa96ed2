"""Direction per answer and per leaf theme; mixed leaves are split into their sides."""

import json

from analysis import FakeEmbedder, Options, analyse
from analysis.direction import (
    DirectionReader,
    leaf_direction,
    mixed_share,
    of_closed_answer,
)


def test_text_direction():
    reader = DirectionReader()
    assert reader.of_text("The staff were wonderful and kind") == "praise"
    assert reader.of_text("Waiting too long for an ambulance, terrible") == "criticism"
    assert reader.of_text("There should be more parking spaces") == "suggestion"


def test_closed_answer_wins():
    assert of_closed_answer("Strongly disagree") == "against"
    assert of_closed_answer("Agree") == "for"
    assert of_closed_answer("Neither agree nor disagree") == "neutral"
    assert of_closed_answer("5") == "praise" and of_closed_answer("1") == "criticism"
    assert of_closed_answer(None) is None
    reader = DirectionReader()
    assert reader.read(["lovely", "lovely"], ["Disagree", None]) == ["against", "praise"]


def test_leaf_direction_and_mixed_share():
    assert leaf_direction(["praise"] * 8 + ["criticism"] * 2) == "praise"
    assert leaf_direction(["praise"] * 6 + ["criticism"] * 2 + ["suggestion"] * 2) == "mixed"
    assert leaf_direction(["neutral"]) == "neutral"
    # leaf a: 3 positive, 1 negative -> mixed (25%); leaf b: all negative.
    truth = [3, 2, 1, -2, -1, -3, 0]
    leaves = ["a", "a", "a", "a", "b", "b", "b"]
    assert mixed_share(truth, leaves) == 4 / 6


def test_mixed_leaves_are_split_into_sides():
    praise = [f"the library opening hours and books are {w} and good"
              for w in ("wonderful", "great", "excellent", "lovely")]
    complaints = [f"the library opening hours and books are {w} and bad"
                  for w in ("terrible", "awful", "poor", "dreadful")]
    bins = [f"bins collection recycling waste lorry {w}" for w in ("late", "missed", "again", "often")]
    texts = (praise + complaints) * 3 + bins * 3
    result = analyse(texts, embedder=FakeEmbedder(), options=Options(subtheme_min_size=1000))
    library = next(t for t in result.top_themes if 0 in t.member_indices)
    assert library.direction == "mixed"
    sides = [t for t in result.themes if t.parent_id == library.id]
    assert {t.direction for t in sides} == {"praise", "criticism"}
    # Each side is labelled by what it says, not by what both sides share.
    assert len({t.label for t in sides}) == 2 and library.label not in {t.label for t in sides}


def test_json_shape_has_description_direction_and_tentative(tmp_path):
    from tests.analysis.conftest import topic_corpus

    texts, _ = topic_corpus()
    data = json.loads(json.dumps(analyse(texts, embedder=FakeEmbedder()).to_dict()))
    for theme in data["themes"]:
        assert {"id", "label", "keywords", "member_indices", "quotes", "parent_id", "description",
                "direction", "tentative"} <= set(theme)
        assert theme["direction"] in {"praise", "criticism", "suggestion", "for", "against", "mixed",
                                      "neutral"}
        assert isinstance(theme["tentative"], bool)


def test_answers_for_a_proposal_are_not_merged_as_praise():
    from tests.analysis.conftest import topic_corpus

    texts, _ = topic_corpus()
    result = analyse(texts, stance=["Agree"] * len(texts), embedder=FakeEmbedder())
    assert "General praise and thanks" not in {t.label for t in result.top_themes}
    assert len(result.top_themes) >= 4 and {t.direction for t in result.top_themes} == {"for"}
