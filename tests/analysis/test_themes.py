import numpy as np
from sklearn.metrics import normalized_mutual_info_score

from analysis.themes import OTHER_LABEL, ThemeFinder, choose_k, merge_close, unit_rows


def blobs(k=5, per=60, dim=32, spread=0.15, seed=0):
    rng = np.random.default_rng(seed)
    centres = unit_rows(rng.standard_normal((k, dim)))
    x = np.repeat(centres, per, axis=0) + spread * rng.standard_normal((k * per, dim))
    return unit_rows(x).astype(np.float32), np.repeat(np.arange(k), per)


class TestThemeFinder:
    def test_finds_k_itself(self):
        x, truth = blobs(k=7)
        clustering = ThemeFinder(k_candidates=(2, 4, 7, 10, 14)).fit(x)
        assert len(clustering.centroids) == 7
        inside = clustering.labels >= 0
        assert normalized_mutual_info_score(truth[inside], clustering.labels[inside]) > 0.95

    def test_deterministic_for_a_seed(self):
        x, _ = blobs()
        a, b = ThemeFinder(seed=3).fit(x), ThemeFinder(seed=3).fit(x)
        assert np.array_equal(a.labels, b.labels)
        assert np.array_equal(a.centroids, b.centroids)

    def test_outliers_go_to_other(self):
        x, _ = blobs(k=4, spread=0.05)
        rng = np.random.default_rng(9)
        outliers = unit_rows(rng.standard_normal((5, x.shape[1]))).astype(np.float32)
        clustering = ThemeFinder(k_candidates=(2, 4, 6)).fit(np.vstack([x, outliers]))
        assert (clustering.labels[-5:] == OTHER_LABEL).all()
        assert (clustering.labels[:-5] != OTHER_LABEL).mean() > 0.97

    def test_given_k_is_respected(self):
        x, _ = blobs(k=3)
        assert len(ThemeFinder(k=3).fit(x).centroids) == 3

    def test_themes_ordered_largest_first(self):
        x, _ = blobs(k=3, per=50)
        x = np.vstack([x, blobs(k=1, per=120, seed=5)[0]])
        sizes = np.bincount(ThemeFinder(k_candidates=(2, 3, 4, 5)).fit(x).labels + 1)[1:]
        assert list(sizes) == sorted(sizes, reverse=True)

    def test_clear_structure_is_read_from_the_silhouette(self):
        x, _ = blobs(k=7)
        clustering = ThemeFinder(k_candidates=(2, 4, 7, 10, 14)).fit(x)
        assert clustering.k_method == "silhouette" and clustering.k_chosen == 7

    def test_no_structure_is_said_and_k_is_still_measured(self):
        # 300 points spread evenly on a 64-dimensional sphere: no k is better than another.
        x = unit_rows(np.random.default_rng(4).standard_normal((300, 64))).astype(np.float32)
        clustering = ThemeFinder().fit(x)
        assert max(clustering.scores.values()) < 0.1
        assert clustering.k_method == "no structure"
        assert clustering.k_chosen == max(
            clustering.scores, key=lambda c: (round(clustering.scores[c], 3), c)
        )
        assert len(clustering.centroids) <= 12

    def test_small_sets_are_not_shredded(self):
        x = unit_rows(np.random.default_rng(5).standard_normal((60, 64))).astype(np.float32)
        clustering = ThemeFinder().fit(x)
        assert clustering.k_chosen <= 6  # at most one theme per 10 answers
        assert np.bincount(clustering.labels[clustering.labels >= 0]).min() >= 3

    def test_same_themes_whatever_the_seed_or_row_order(self):
        from sklearn.metrics import adjusted_rand_score

        x, _ = blobs(k=5)
        first = ThemeFinder(seed=0).fit(x)
        other_seed = ThemeFinder(seed=7).fit(x)
        order = np.random.default_rng(1).permutation(len(x))
        shuffled = ThemeFinder(seed=3).fit(x[order])
        back = np.empty_like(shuffled.labels)
        back[order] = shuffled.labels
        assert adjusted_rand_score(first.labels, other_seed.labels) == 1.0
        assert adjusted_rand_score(first.labels, back) == 1.0

    def test_themes_that_do_not_recur_are_tentative(self):
        x, _ = blobs(k=4)
        clustering = ThemeFinder().fit(x)
        assert len(clustering.tentative) == len(clustering.centroids)
        assert not any(clustering.tentative)  # clear blobs recur in every restart
        assert all(r == 1.0 for r in clustering.recurrence)

    def test_tiny_input(self):
        x, _ = blobs(k=1, per=3)
        clustering = ThemeFinder().fit(x)
        assert set(clustering.labels) == {0}

    def test_empty_input(self):
        clustering = ThemeFinder().fit(np.zeros((0, 8), dtype=np.float32))
        assert clustering.labels.shape == (0,)


class TestMergeClose:
    def test_parallel_centroids_merge(self):
        x, truth = blobs(k=2, spread=0.02)
        split = truth.copy()
        split[: len(split) // 4] = 2  # cut cluster 0 in two
        centroids = np.stack([unit_rows(x[split == c].mean(0, keepdims=True))[0] for c in range(3)])
        labels, merged = merge_close(x, split, centroids, 0.9)
        assert len(merged) == 2
        assert normalized_mutual_info_score(truth, labels) == 1.0


class TestChooseK:
    def test_largest_within_tolerance(self):
        assert choose_k({4: 0.10, 8: 0.095, 12: 0.05}, 0.9) == 8
        assert choose_k({4: 0.10, 8: 0.08}, 0.9) == 4


class TestLargeSetsStartFromTheSample:
    """Above `sample_start_above` rows the final fit starts from the best fit on the canonical
    sample (no k-means++ over every row); forced here on small data with a small sample."""

    def test_finds_the_clusters_and_ignores_seed_and_row_order(self):
        from sklearn.metrics import adjusted_rand_score

        x, truth = blobs(k=6, per=150)
        finder = {"sample_start_above": 0, "sample_size": 200}
        first = ThemeFinder(seed=0, **finder).fit(x)
        assert first.k_chosen == 6
        inside = first.labels >= 0
        assert normalized_mutual_info_score(truth[inside], first.labels[inside]) > 0.95
        order = np.random.default_rng(2).permutation(len(x))
        shuffled = ThemeFinder(seed=5, **finder).fit(x[order])
        back = np.empty_like(shuffled.labels)
        back[order] = shuffled.labels
        assert adjusted_rand_score(first.labels, back) == 1.0

    def test_the_start_is_the_lowest_inertia_sample_fit(self, monkeypatch):
        import analysis.themes as themes

        seen = []
        original = themes.KMeans

        class Recording(original):
            def fit(self, x, *args, **kwargs):
                seen.append((len(x), self.init if isinstance(self.init, str) else "given", self.n_init))
                return super().fit(x, *args, **kwargs)

        monkeypatch.setattr(themes, "KMeans", Recording)
        x, _ = blobs(k=3, per=200)
        ThemeFinder(k=3, sample_start_above=0, sample_size=100).fit(x)
        final = [s for s in seen if s[0] == len(x)]
        assert final == [(len(x), "given", 1)]  # one fit on every row, from a sample start
        assert all(s[0] < len(x) for s in seen if s not in final)
        seen.clear()
        ThemeFinder(k=3, sample_size=100).fit(x)  # under the threshold: k-means++ on every row
        assert [s for s in seen if s[0] == len(x)] == [(len(x), "k-means++", 3)]
