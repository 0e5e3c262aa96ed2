"""Themes: k-means that chooses k itself, merges near-duplicates and keeps an "other" bucket.

Everything here is linear in the number of texts: k is chosen on a fixed-size
sample, the final fit is (MiniBatch)KMeans, merging works on the k centroids.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import sparse
from sklearn.cluster import KMeans, MiniBatchKMeans
from sklearn.metrics import silhouette_score
from threadpoolctl import threadpool_limits

from analysis.embedding import usable_cpus

OTHER_LABEL = -1


@dataclass(frozen=True)
class Clustering:
    labels: np.ndarray  # cluster per row, OTHER_LABEL for the "other" bucket
    centroids: np.ndarray  # unit-length, one row per cluster
    k_chosen: int
    scores: dict[int, float]  # selection criterion per candidate k
    other_threshold: float  # cosine below which a text joins no theme
    k_method: str = "given"  # "given", "silhouette", "size" (no structure to find) or "too few"


def unit_rows(x: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(x, axis=1, keepdims=True)
    return x / np.where(norms == 0, 1.0, norms)


class ThemeFinder:
    """Cluster unit vectors into a few distinct themes plus "other".

    k is the candidate with the best cosine silhouette on a sample, after which
    clusters whose centroids are nearly parallel are merged, clusters smaller
    than `min_share` of the data are dissolved into "other", and so are texts far
    from every centroid.

    When no candidate's silhouette reaches `structure_floor` the texts have no natural
    number of clusters (on 100 consultation answers the silhouette wanders between 0.02
    and 0.10 for every k, and the k it picks flips with the seed), so k is set by size
    instead: about `mean_theme_size` texts per theme, within the candidate range.
    """

    def __init__(
        self,
        *,
        k: int | None = None,
        k_candidates: tuple[int, ...] = (6, 8, 10, 12, 15, 20, 25),
        sample_size: int = 2500,
        merge_threshold: float = 0.9,
        min_share: float = 0.005,
        min_size: int = 3,
        other_z: float = 2.5,
        tolerance: float = 0.9,
        structure_floor: float | None = 0.1,
        mean_theme_size: int = 8,
        threads: int | None = None,
        seed: int = 0,
    ):
        self.k = k
        self.k_candidates = k_candidates
        self.sample_size = sample_size
        self.merge_threshold = merge_threshold
        self.min_share = min_share
        self.min_size = min_size
        self.other_z = other_z
        self.tolerance = tolerance
        self.structure_floor = structure_floor
        self.mean_theme_size = mean_theme_size
        self.threads = threads
        self.seed = seed

    def fit(self, x: np.ndarray) -> Clustering:
        # Each BLAS/OpenMP pool capped at `threads` (default: the CPUs this process may use).
        # Uncapped nested pools oversubscribed a busy 2-core host (5x slower); small fits
        # such as sub-theme splits run faster on one thread than paying for two.
        with threadpool_limits(self.threads or usable_cpus()):
            return self._fit(x)

    def _fit(self, x: np.ndarray) -> Clustering:
        x = unit_rows(np.asarray(x, dtype=np.float32))
        n = len(x)
        if n < 2 * self.min_size or n < 4:
            return _single(x)
        scores = {} if self.k else self.score_candidates(x)
        k, k_method = (self.k, "given") if self.k else self._choose_k(scores, n)
        labels, centroids = self._kmeans(x, min(k, n - 1))
        if self.k is None:
            labels, centroids = merge_close(x, labels, centroids, self.merge_threshold)
        # Outliers first, so no theme drops below the size floor after losing them.
        labels, threshold = self._mark_outliers(x, labels, centroids)
        labels, centroids = self._dissolve_small(x, labels, centroids)
        labels, centroids = _relabel(labels, x)
        return Clustering(labels, centroids, k, scores, threshold, k_method)

    def score_candidates(self, x: np.ndarray) -> dict[int, float]:
        rng = np.random.default_rng(self.seed)
        sample = x[rng.choice(len(x), min(len(x), self.sample_size), replace=False)]
        candidates = [c for c in self.k_candidates if c < len(sample) // max(self.min_size, 2)]
        scores = {}
        for c in candidates or [2]:
            km = KMeans(c, n_init=1, random_state=self.seed).fit(sample)
            scores[c] = float(silhouette_score(sample, km.labels_, metric="cosine"))
        return scores

    def _choose_k(self, scores: dict[int, float], n: int) -> tuple[int, str]:
        if self.structure_floor is None or max(scores.values()) >= self.structure_floor:
            return choose_k(scores, self.tolerance), "silhouette"
        return int(np.clip(round(n / self.mean_theme_size), min(scores), max(scores))), "size"

    def _kmeans(self, x: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
        if len(x) > 60_000:
            km = MiniBatchKMeans(
                k, n_init=3, batch_size=4096, random_state=self.seed, max_no_improvement=20
            ).fit(x)
        else:
            km = KMeans(k, n_init=3, random_state=self.seed).fit(x)
        return _relabel(km.labels_, x)

    def _dissolve_small(self, x, labels, centroids):
        floor = max(self.min_size, int(self.min_share * len(x)))
        sizes = np.bincount(labels[labels >= 0], minlength=len(centroids))
        keep = np.flatnonzero(sizes >= floor)
        if len(keep) == 0:
            return _single_labels(x)
        mapping = np.full(len(centroids), OTHER_LABEL)
        mapping[keep] = np.arange(len(keep))
        labels = np.where(labels >= 0, mapping[np.maximum(labels, 0)], OTHER_LABEL)
        return labels, centroids[keep]

    def _mark_outliers(self, x, labels, centroids):
        inside = labels >= 0
        sims = np.einsum("ij,ij->i", x[inside], centroids[labels[inside]])
        threshold = float(sims.mean() - self.other_z * sims.std())
        labels = labels.copy()
        idx = np.flatnonzero(inside)
        labels[idx[sims < threshold]] = OTHER_LABEL
        return labels, threshold


def choose_k(scores: dict[int, float], tolerance: float) -> int:
    """The largest k scoring within `tolerance` of the best: sample silhouettes are
    noisy and nearly flat across k, and merging undoes any over-splitting."""
    best = max(scores.values())
    return max(c for c, s in scores.items() if s >= tolerance * best)


def merge_close(x, labels, centroids, threshold: float):
    """Union clusters whose centroids have cosine >= threshold, then recompute centroids."""
    k = len(centroids)
    parent = list(range(k))
    sims = centroids @ centroids.T
    for a, b in zip(*np.nonzero(np.triu(sims, 1) >= threshold), strict=True):
        ra, rb = _root(parent, a), _root(parent, b)
        parent[max(ra, rb)] = min(ra, rb)
    roots = np.array([_root(parent, i) for i in range(k)])
    return _relabel(np.where(labels >= 0, roots[np.maximum(labels, 0)], OTHER_LABEL), x)


def _root(parent: list[int], i: int) -> int:
    while parent[i] != i:
        i = parent[i]
    return i


def _relabel(labels: np.ndarray, x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Renumber clusters by size (largest first) and return their unit centroids."""
    present = np.unique(labels[labels >= 0])
    sizes = np.array([(labels == c).sum() for c in present])
    order = present[np.lexsort((present, -sizes))]
    mapping = np.full(labels.max() + 1 if len(present) else 1, OTHER_LABEL)
    mapping[order] = np.arange(len(order))
    new = np.where(labels >= 0, mapping[np.maximum(labels, 0)], OTHER_LABEL)
    return new, centroids_of(x, new, len(order))


def centroids_of(x: np.ndarray, labels: np.ndarray, k: int) -> np.ndarray:
    inside = np.flatnonzero(labels >= 0)
    # A k x n one-hot matrix times x: one BLAS-backed product, where np.add.at took 9 s of a
    # 50,000-answer run.
    members = sparse.csr_matrix(
        (np.ones(len(inside), dtype=x.dtype), (labels[inside], inside)), shape=(k, len(x))
    )
    sums = np.asarray(members @ x, dtype=np.float64)
    return unit_rows(sums).astype(np.float32)


def _single_labels(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    labels = np.zeros(len(x), dtype=int)
    return labels, centroids_of(x, labels, 1)


def _single(x: np.ndarray) -> Clustering:
    if len(x) == 0:
        return Clustering(np.zeros(0, dtype=int), np.zeros((0, x.shape[1])), 0, {}, 0.0, "too few")
    labels, centroids = _single_labels(x)
    return Clustering(labels, centroids, 1, {}, -1.0, "too few")
