"""Themes: consensus k-means that measures k itself, merges near-duplicates, keeps "other".

Everything here is linear in the number of texts: k is chosen on a fixed-size
sample, the final fit is (MiniBatch)KMeans, merging works on the k centroids.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from scipy import sparse
from scipy.optimize import linear_sum_assignment
from sklearn.cluster import KMeans, MiniBatchKMeans
from sklearn.metrics import adjusted_rand_score, silhouette_score
from threadpoolctl import threadpool_limits

OTHER_LABEL = -1


@dataclass(frozen=True)
class Clustering:
    labels: np.ndarray  # cluster per row, OTHER_LABEL for the "other" bucket
    centroids: np.ndarray  # unit-length, one row per cluster
    k_chosen: int
    scores: dict[int, float]  # selection criterion per candidate k
    other_threshold: float  # cosine below which a text joins no theme
    k_method: str = "given"  # "given", "silhouette", "stability" (no clear structure) or "too few"
    stability: dict[int, float] = field(default_factory=dict)  # restarts' mean ARI per candidate k
    recurrence: tuple[float, ...] = ()  # per cluster: share of restarts where it recurs
    tentative: tuple[bool, ...] = ()  # per cluster: recurs in too few restarts to be shown as fact


def unit_rows(x: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(x, axis=1, keepdims=True)
    return x / np.where(norms == 0, 1.0, norms)


class ThemeFinder:
    """Cluster unit vectors into a few distinct themes plus "other", the same whatever the seed
    or the row order.

    Order: rows are put in a canonical order first (by two fixed projections of their vectors),
    so the same answers in another order are the same input. Seed: k-means is restarted
    `restarts` times with fixed seeds on a canonical sample, the restarts' centroids are matched
    to the most typical restart's (Hungarian, on cosine) and averaged, and one final k-means on
    all rows starts from that consensus. A theme whose members do not recur (Jaccard >= 0.5 with
    some cluster) in at least `tentative_below` of the restarts is marked tentative.

    k is measured on the same restarts for every candidate in `k_candidates` (at most
    `max_k`, and at most one theme per `min_theme_answers` texts): where some candidate's cosine
    silhouette reaches `structure_floor` the texts have clear structure and the best silhouette
    wins ("silhouette"); otherwise there is no clear structure, which is said ("stability"),
    and k is the candidate whose restarts agree most (mean pairwise adjusted Rand index) among
    those of at least `min_k_unstructured`. Then clusters whose centroids are nearly parallel
    are merged, clusters smaller than `min_share` of the data are dissolved into "other", and
    so are texts far from every centroid.
    """

    def __init__(
        self,
        *,
        k: int | None = None,
        k_candidates: tuple[int, ...] = tuple(range(2, 13)),
        max_k: int = 12,
        min_theme_answers: int = 10,
        min_k_unstructured: int = 4,
        sample_size: int = 1500,
        restarts: int = 5,
        restart_offset: int = 0,
        tentative_below: float = 0.5,
        merge_threshold: float = 0.9,
        min_share: float = 0.005,
        min_size: int = 3,
        other_z: float = 2.5,
        structure_floor: float | None = 0.1,
        tolerance: float = 1.0,
        threads: int | None = None,
        sample_start_above: int = 10_000,
        seed: int = 0,
    ):
        self.k = k
        self.k_candidates = k_candidates
        self.max_k = max_k
        self.min_theme_answers = min_theme_answers
        self.min_k_unstructured = min_k_unstructured
        self.sample_size = sample_size
        self.restarts = restarts
        self.restart_offset = restart_offset
        self.tentative_below = tentative_below
        self.merge_threshold = merge_threshold
        self.min_share = min_share
        self.min_size = min_size
        self.other_z = other_z
        self.structure_floor = structure_floor
        self.tolerance = tolerance
        self.threads = threads
        self.sample_start_above = sample_start_above
        self.seed = seed  # kept for the record: the themes do not depend on it

    def fit(self, x: np.ndarray) -> Clustering:
        # Each BLAS/OpenMP pool capped at `threads` (default: one).
        # Uncapped nested pools oversubscribed a busy 2-core host (5x slower); small fits
        # such as sub-theme splits run faster on one thread than paying for two.
        # One thread by default, at any size: on this shared 2-core host two OpenMP threads made a
        # 300-row fit 9x slower (4.5 s against 0.5 s) and a 10,000-row fit 5x slower, and at
        # 50,000 rows (load 20-25) the top-level fit took 56-64 s and 8.2 CPU-s on two threads
        # against 23 s and 2.8-3.2 CPU-s on one (threads spin at every barrier while the other
        # waits for a CPU). The embedding, not the clustering, is what uses both CPUs.
        threads = self.threads or 1
        with threadpool_limits(threads):
            return self._fit(x)

    def _fit(self, x: np.ndarray) -> Clustering:
        x = unit_rows(np.asarray(x, dtype=np.float32))
        n = len(x)
        if n < 2 * self.min_size or n < 4:
            return _single(x)
        order = canonical_order(x)
        xc = x[order]
        stride = max(1, -(-n // self.sample_size))
        sample = xc[::stride]
        k_max = max(1, min(self.max_k, n // self.min_theme_answers))
        candidates = [self.k] if self.k else [c for c in self.k_candidates if c <= k_max]
        candidates = [c for c in candidates if 2 <= c < len(sample)]
        if not candidates:
            return _single(x)
        fits = {} if self.k else {c: self._sample_fit(sample, c, self.restart_offset) for c in candidates}
        scores = {c: self._silhouette_of(sample, fit) for c, fit in fits.items()}
        k, k_method = (self.k, "given") if self.k else self._choose_k(scores)
        runs_fits = [self._sample_fit(sample, k, self.restart_offset + 1 + r) for r in range(self.restarts)]
        runs = [(fit.labels_, unit_rows(fit.cluster_centers_)) for fit in runs_fits]
        # Above `sample_start_above` rows the final fit on every row starts from the best of the
        # sample's fits at k (lowest inertia): k-means++ on all rows (n_init 3) took most of a
        # 50,000-answer run's clustering (28 of 39 CPU-s), and the sample's fits are already
        # canonical, so order and seed still do not matter. Smaller sets keep k-means++ on all
        # rows: it is cheap there, and on the 100-answer gambling q2 the sample start moved the
        # leaves' NMI from 0.385 to 0.229 (the sub-theme splits change with the top level).
        init = None
        if len(xc) > self.sample_start_above:
            starts = [fit for fit in (fits.get(k), *runs_fits) if fit is not None]
            start = min(
                starts or [self._sample_fit(sample, k, self.restart_offset)], key=lambda fit: fit.inertia_
            )
            init = start.cluster_centers_
        labels, centroids = self._kmeans(xc, k, init)
        if self.k is None:
            labels, centroids = merge_close(xc, labels, centroids, self.merge_threshold)
        # Outliers first, so no theme drops below the size floor after losing them.
        labels, threshold = self._mark_outliers(xc, labels, centroids)
        labels, centroids = self._dissolve_small(xc, labels, centroids)
        labels, centroids = _relabel(labels, xc)
        recurrence = _recurrence(labels[::stride], runs, len(centroids))
        out = np.empty_like(labels)
        out[order] = labels
        return Clustering(
            out,
            centroids,
            k,
            scores,
            threshold,
            k_method,
            stability={k: _agreement(runs)},
            recurrence=tuple(recurrence),
            tentative=tuple(bool(r < self.tentative_below) for r in recurrence),
        )

    @staticmethod
    def _sample_fit(sample: np.ndarray, k: int, seed: int) -> KMeans:
        return KMeans(k, n_init=1, random_state=seed).fit(sample)

    @staticmethod
    def _silhouette_of(sample: np.ndarray, fit: KMeans) -> float:
        if len(set(fit.labels_.tolist())) < 2:
            return -1.0
        return float(silhouette_score(sample, fit.labels_, metric="cosine"))

    def _choose_k(self, scores: dict[int, float]) -> tuple[int, str]:
        """The candidate with the best silhouette; "silhouette" when it shows clear structure,
        "no structure" when no candidate reaches the floor (the best is then still taken, and
        on such data it is the largest k allowed: the silhouette rises steadily with k)."""
        top = max(scores.values())
        # The finest k scoring within `tolerance` of the best: silhouettes of a few hundred
        # answers are noisy and nearly flat across k, and merging undoes over-splitting.
        best = max(c for c in scores if scores[c] >= top - (1 - self.tolerance) * abs(top))
        if self.structure_floor is None or scores[best] >= self.structure_floor:
            return best, "silhouette"
        return best, "no structure"

    def _kmeans(self, x: np.ndarray, k: int, init: np.ndarray | None) -> tuple[np.ndarray, np.ndarray]:
        # A start from the canonical sample (or k-means++ with fixed internal seeds) on
        # canonically ordered rows: the same answers give the same themes whatever the
        # caller's seed or row order.
        start = "k-means++" if init is None else np.asarray(init, dtype=x.dtype)
        n_init = 3 if init is None else 1
        if len(x) > 60_000:
            km = MiniBatchKMeans(
                k,
                init=start,
                n_init=n_init,
                batch_size=4096,
                random_state=self.restart_offset,
                max_no_improvement=20,
            ).fit(x)
        else:
            km = KMeans(k, init=start, n_init=n_init, random_state=self.restart_offset).fit(x)
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


def canonical_order(x: np.ndarray) -> np.ndarray:
    """A row order that depends only on the vectors: sorted by two fixed random projections."""
    rng = np.random.default_rng(20)
    p = x.astype(np.float64) @ rng.standard_normal((x.shape[1], 2))
    return np.lexsort((np.round(p[:, 1], 6), np.round(p[:, 0], 6)))


def consensus_centroids(runs) -> np.ndarray:
    """The restarts' centroids matched to the most typical restart's and averaged."""
    medoid = int(np.argmax(_pairwise_ari(runs).mean(axis=1)))
    ref = runs[medoid][1]
    total = ref.astype(np.float64).copy()
    for r, (_, centroids) in enumerate(runs):
        if r == medoid:
            continue
        rows, cols = linear_sum_assignment(-(ref @ centroids.T))
        total[rows] += centroids[cols]
    return unit_rows(total).astype(np.float32)


def _pairwise_ari(runs) -> np.ndarray:
    m = np.eye(len(runs))
    for a in range(len(runs)):
        for b in range(a + 1, len(runs)):
            m[a, b] = m[b, a] = adjusted_rand_score(runs[a][0], runs[b][0])
    return m


def _agreement(runs) -> float:
    if len(runs) < 2:
        return 1.0
    m = _pairwise_ari(runs)
    return float(m[np.triu_indices(len(runs), 1)].mean())


def _silhouette(sample: np.ndarray, runs) -> float:
    labels = runs[int(np.argmax(_pairwise_ari(runs).mean(axis=1)))][0]
    if len(set(labels.tolist())) < 2:
        return -1.0
    return float(silhouette_score(sample, labels, metric="cosine"))


def _recurrence(labels: np.ndarray, runs, k: int) -> list[float]:
    """Per final cluster, the share of restarts holding a cluster with Jaccard >= 0.5 to it
    (on the sample rows; "other" rows left out)."""
    out = []
    for c in range(k):
        mine = labels == c
        if not mine.any():
            out.append(0.0)
            continue
        hits = 0
        for run_labels, _ in runs:
            best = 0.0
            for d in np.unique(run_labels[mine]):
                theirs = run_labels == d
                best = max(best, (mine & theirs).sum() / (mine | theirs).sum())
            hits += best >= 0.5
        out.append(hits / len(runs))
    return out


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
