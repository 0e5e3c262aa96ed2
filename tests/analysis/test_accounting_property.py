from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from analysis import FakeEmbedder, Options, analyse

WORDS = ["bins", "parking", "library", "bus", "late", "cost", "staff", "n/a", "nothing", ""]
LETTER = "please keep the library on elm road open for the children and older people of our town"

texts = st.lists(
    st.one_of(
        st.lists(st.sampled_from(WORDS), max_size=6).map(" ".join),
        st.just(LETTER),
        st.none(),
        st.text(max_size=20),
    ),
    max_size=60,
)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(texts=texts, seed=st.integers(0, 3))
def test_every_text_ends_in_exactly_one_place(texts, seed):
    result = analyse(texts, embedder=FakeEmbedder(), seed=seed, options=Options(subthemes=False))
    acc = result.accounting
    assert len(result.assignment) == acc.total == len(texts)
    assert acc.balanced
    places: dict[int, str] = {}
    buckets = [(t.id, t.member_indices) for t in result.top_themes]
    buckets += [(c.id, c.member_indices) for c in result.campaigns]
    buckets += [("other", result.other_indices), ("no_comment", result.no_comment_indices)]
    for name, members in buckets:
        for i in members:
            assert i not in places, f"text {i} in {places[i]} and {name}"
            places[i] = name
    assert places == dict(enumerate(result.assignment))
