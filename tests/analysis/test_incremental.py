import pytest

from analysis import FakeEmbedder, analyse, assign_incremental
from tests.analysis.conftest import topic_corpus


@pytest.fixture(scope="module")
def previous():
    texts, _ = topic_corpus(per_topic=20)
    return analyse(texts, embedder=FakeEmbedder())


def theme_of(previous, word):
    return next(t.id for t in previous.top_themes if any(word in k for k in t.keywords))


class TestAssignIncremental:
    def test_new_texts_join_existing_themes(self, previous):
        update = assign_incremental(
            previous,
            ["bins rubbish collection recycling waste lorry", "library books opening hours reading shelves"],
            embedder=FakeEmbedder(),
        )
        assert update.assignment == (theme_of(previous, "bin"), theme_of(previous, "library"))
        assert update.new_themes == ()

    def test_unfamiliar_texts_become_proposed_themes(self, previous):
        new = [f"potholes pavement cracked road surface repairs {w}" for w in "abcdefgh"]
        update = assign_incremental(
            previous, [*new, "bins rubbish collection recycling waste lorry"], embedder=FakeEmbedder()
        )
        assert [t.id for t in update.new_themes] == ["new1"]
        assert update.new_themes[0].size == 8
        assert update.assignment[:8] == ("new1",) * 8
        assert update.assignment[8] == theme_of(previous, "bin")

    def test_existing_themes_untouched(self, previous):
        before = previous.to_dict()
        assign_incremental(previous, ["potholes everywhere"] * 3, embedder=FakeEmbedder())
        assert previous.to_dict() == before

    def test_no_comment_and_leftovers(self, previous):
        update = assign_incremental(previous, ["n/a", "zebra quantum"], embedder=FakeEmbedder())
        assert update.assignment == ("no_comment", "other")

    def test_refuses_a_different_model(self, previous):
        with pytest.raises(ValueError, match="fake-64"):
            assign_incremental(previous, ["x"], embedder=FakeEmbedder(dim=32))
