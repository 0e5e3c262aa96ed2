import numpy as np

from analysis import FakeEmbedder
from analysis.labels import Labeller, c_tf_idf, short_label

PARKING = [
    "parking permits cost too much",
    "parking permits for residents please",
    "the car park is full of commuters",
    "parking permits are too expensive here",
    "cheaper parking permits and more spaces",
    "the car park needs more spaces",
]
BINS = [
    "the bins are collected late",
    "bin collection missed again",
    "recycling bins overflow",
    "the bins smell in summer",
    "weekly bin collection please",
    "bin collection is unreliable",
]


def label_two():
    texts = PARKING + BINS
    x = FakeEmbedder().encode(texts)
    members = [list(range(6)), list(range(6, 12))]
    centroids = np.stack([x[m].mean(0) / np.linalg.norm(x[m].mean(0)) for m in members])
    return texts, Labeller().label(texts, x, members, centroids)


def label_first_of_two(first: list[str], second: list[str]):
    texts = first + second
    x = FakeEmbedder().encode(texts)
    members = [list(range(len(first))), list(range(len(first), len(texts)))]
    return Labeller().label(texts, x, members, x[[0, len(first)]])[0]


class TestKeywords:
    def test_distinctive_phrases_first(self):
        _, (parking, bins) = label_two()
        assert parking.keywords[0] == "parking permits"
        assert "bin collection" in bins.keywords[:3]

    def test_no_stop_words_or_repeats(self):
        _, labels = label_two()
        for label in labels:
            for kw in label.keywords:
                assert kw.split()[0] not in {"the", "are", "and", "is", "for"}
                assert len(set(kw.split())) == len(kw.split())

    def test_no_keyword_contained_in_another(self):
        _, labels = label_two()
        for label in labels:
            for a in label.keywords:
                assert not any(a != b and set(a.split()) <= set(b.split()) for b in label.keywords)

    def test_inflections_of_one_word_count_once(self):
        texts = [
            "The nurses were kind and the nursing was excellent",
            "Nurses listened, the nurse on nights was kind",
            "Kind nurses and good nursing care every day",
            "The parking was full",
        ]
        x = FakeEmbedder().encode(texts)
        centroid = x[:3].mean(0) / np.linalg.norm(x[:3].mean(0))
        other = x[3:] / np.linalg.norm(x[3:])
        (nurses, _) = Labeller().label(texts, x, [[0, 1, 2], [3]], np.stack([centroid, other[0]]))
        nursish = [k for k in nurses.keywords if any(w.startswith("nurs") for w in k.split())]
        assert len(nursish) == 1, nurses.keywords

    def test_phrases_are_only_what_was_written(self):
        from analysis.labels import phrases

        found = phrases("No trouble, great service! Couldn\u2019t fault the food - excellent meals")
        assert "great service" in found and "excellent meals" in found
        assert not any(p in found for p in ("trouble great", "service couldnt", "food excellent"))
        assert "couldnt" not in found  # a stop-word once the apostrophe goes

    def test_no_phrase_joins_two_answers(self):
        texts = ["parking permits cost too much", "parking permits please", "cheap parking", "bins late"]
        x = FakeEmbedder().encode(texts)
        (first, _) = Labeller().label(texts, x, [[0, 1, 2], [3]], x[[0, 3]])
        phrases_ = [k for k in first.keywords if " " in k]
        assert phrases_ and all(any(k in t for t in texts[:3]) for k in phrases_), first.keywords

    def test_a_word_one_answer_repeats_does_not_name_the_theme(self):
        ward = [
            "more staff on the ward at night please",
            "the ward needs more staff at weekends",
            "staff on the ward are rushed off their feet",
            "not enough staff, the ward is always busy",
            "male staff have takeaways daily, takeaways every night, takeaways I cannot afford",
            "more staff would make the ward calmer",
        ]
        food = ["the food was cold", "better food choices", "hot food at supper", "food arrives late"]
        staffing = label_first_of_two(ward, food)
        assert "takeaways" not in staffing.keywords[:3], staffing.keywords
        assert staffing.label.split(" / ")[0].lower() in {"staff", "ward"}, staffing.label

    def test_a_term_needs_two_answers_at_least(self):
        visits = [
            "visits are too short",
            "short visits, carers rushed",
            "visits cut short again",
            "the visits feel rushed and short",
            "my mother's zebra blanket was lost on the ward",
        ]
        calls = ["phone calls unanswered", "nobody answers the phone", "phone line always busy", "phone again"]
        short_visits = label_first_of_two(visits, calls)
        # No keyword may come from the words of a single answer.
        assert not [k for k in short_visits.keywords if "zebra" in k], short_visits.keywords

    def test_c_tf_idf_favours_distinctive_terms(self):
        from scipy.sparse import csr_matrix

        counts = csr_matrix(np.array([[5, 5, 0], [0, 5, 5]]))
        scores = c_tf_idf(counts)
        assert scores[0, 0] > scores[0, 1] and scores[1, 2] > scores[1, 1]


class TestLabel:
    def test_short_and_readable(self):
        _, (parking, _) = label_two()
        assert parking.label.startswith("Parking permits")
        assert len(parking.label.split()) <= 7

    def test_no_keywords(self):
        assert short_label([]) == "Unlabelled"


class TestQuotes:
    def test_three_to_five_distinct_members(self):
        _texts, (parking, bins) = label_two()
        for label, members in ((parking, range(6)), (bins, range(6, 12))):
            assert 3 <= len(label.quotes) <= 5
            indices = [i for i, _ in label.quotes]
            assert set(indices) <= set(members) and len(set(indices)) == len(indices)

    def test_quotes_are_scrubbed(self):
        texts = [f"parking permits too dear, call 07700 900{i:03d}" for i in range(5)]
        x = FakeEmbedder().encode(texts)
        quotes = Labeller().quotes(texts, x, list(range(5)), x.mean(0) / np.linalg.norm(x.mean(0)))
        assert quotes and all("[phone]" in q and "07700" not in q for _, q in quotes)

    def test_answers_worded_almost_alike_not_quoted_twice(self):
        texts = [
            "Everything was very good.",
            "Everything was extremely good.",
            "Everything was good.",
            "The staff on the ward explained my treatment clearly.",
            "Parking at the hospital was easy and free.",
            "The food arrived hot and on time every day.",
        ]
        x = np.eye(len(texts), 8)  # orthogonal vectors: only the wording tells them apart
        quotes = Labeller().quotes(texts, x, list(range(6)), x[0])
        assert sum(1 for i, _ in quotes if i < 3) == 1
        assert {i for i, _ in quotes} >= {3, 4, 5}

    def test_near_duplicates_not_quoted_twice(self):
        texts = ["bins are late again"] * 4 + ["bins smell awful", "bin lorry blocks road"]
        x = FakeEmbedder().encode(texts)
        quotes = Labeller().quotes(texts, x, list(range(6)), x[0])
        assert sum(1 for i, _ in quotes if i < 4) == 1
