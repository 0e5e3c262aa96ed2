from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sklearn.metrics import adjusted_rand_score

from analysis import FakeEmbedder, analyse

WORDS = ["bins", "parking", "library", "bus", "late", "cost", "staff", "n/a", "nothing", "", "lovely",
         "terrible", "...", "diolch", "yn", "fawr", "بہت", "服务"]
LETTER = "please keep the library on elm road open for the children and older people of our town"

texts = st.lists(
    st.one_of(
        st.lists(st.sampled_from(WORDS), max_size=6).map(" ".join),
        st.just(LETTER),
        st.none(),
        st.text(max_size=20),
        st.just(LETTER + " and I add a sentence of my own about the bus"),
    ),
    max_size=60,
)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(texts=texts, seed=st.integers(0, 3))
def test_every_text_ends_in_exactly_one_place(texts, seed):
    result = analyse(texts, embedder=FakeEmbedder(), seed=seed)
    acc = result.accounting
    assert len(result.assignment) == acc.total == len(texts)
    assert acc.balanced
    places: dict[int, str] = {}
    buckets = [(t.id, t.member_indices) for t in result.top_themes]
    buckets += [(c.id, c.member_indices) for c in result.campaigns]
    buckets += [("other", result.other_indices), ("no_comment", result.no_comment_indices)]
    buckets += [("blank", result.blank_indices)]
    buckets += [("other_language", tuple(i for i, _ in result.other_languages))]
    for name, members in buckets:
        for i in members:
            assert i not in places, f"text {i} in {places[i]} and {name}"
            places[i] = name
    assert places == dict(enumerate(result.assignment))
    for theme in result.themes:  # every sub-theme lies inside its parent, and siblings do not overlap
        if theme.parent_id:
            assert set(theme.member_indices) <= set(result.theme(theme.parent_id).member_indices)
    for top in result.top_themes:
        children = [t for t in result.themes if t.parent_id == top.id]
        seen = [i for c in children for i in c.member_indices]
        assert len(seen) == len(set(seen))
        if children:
            assert set(seen) == set(top.member_indices)


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(texts=texts, order=st.randoms(use_true_random=False), seed=st.integers(0, 3))
def test_the_same_answers_in_another_order_or_seed_give_the_same_themes(texts, order, seed):
    """Order independence: each answer ends in the same place (up to theme renaming), whatever
    the row order and seed."""
    first = analyse(texts, embedder=FakeEmbedder(), seed=0)
    perm = list(range(len(texts)))
    order.shuffle(perm)
    again = analyse([texts[i] for i in perm], embedder=FakeEmbedder(), seed=seed)
    back = [None] * len(texts)
    for j, i in enumerate(perm):
        back[i] = again.assignment[j]
    assert adjusted_rand_score(first.assignment, back) == 1.0 or _same_partition(first.assignment, back)
    assert sorted(t.label for t in first.top_themes) == sorted(t.label for t in again.top_themes)


def _same_partition(a, b) -> bool:
    pairs = set(zip(a, b, strict=True))
    return len(pairs) == len(set(a)) == len(set(b))
