"""One entry point, `analyse`, tying preparation, embedding, themes, labels, stance and groups."""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from analysis.embedding import Embedder, EmbeddingCache, embed
from analysis.groups import GroupComparer
from analysis.labels import Labeller
from analysis.preparation import Prepared, Preparer, scrub
from analysis.result import NO_COMMENT, OTHER, Accounting, AnalysisResult, Campaign, Theme
from analysis.stance import stance_counts
from analysis.themes import OTHER_LABEL, Clustering, ThemeFinder

Progress = Callable[[str, int, int], None]


@dataclass(frozen=True)
class Options:
    k: int | None = None
    subthemes: bool = True
    subtheme_min_size: int = 80
    fit_z: float = 2.5  # incremental: a new text fits above mean - fit_z * sd of members' cosine
    alpha: float = 0.05
    min_group_count: int = 10
    min_group_ratio: float = 1.25  # a flagged share differs from the overall share by this factor
    correction: str = "bh"


def analyse(
    texts: Sequence[str | None],
    *,
    groups: Mapping[str, Sequence[str | None]] | None = None,
    stance: Sequence[str | None] | None = None,
    embedder: Embedder,
    cache: EmbeddingCache | None = None,
    seed: int = 0,
    progress: Progress | None = None,
    options: Options | None = None,
) -> AnalysisResult:
    """Analyse free-text answers; see the `analysis` package docstring for the contract."""
    started = time.perf_counter()
    opts = options or Options()
    report = progress or _quiet
    _check_lengths(len(texts), groups, stance)
    report("preparing", 0, len(texts))
    prepared = Preparer(seed=seed).prepare(texts)
    report("preparing", len(texts), len(texts))
    rows = list(prepared.analysable)
    x = embed([prepared.texts[i] for i in rows], embedder, cache=cache, progress=report)
    report("clustering", 0, 1)
    clustering = ThemeFinder(k=opts.k, seed=seed).fit(x)
    report("clustering", 1, 1)
    builder = _Builder(prepared, rows, x, clustering, opts, seed)
    themes = builder.themes(report)
    themes = _annotate(themes, builder.population(), stance, groups, opts)
    return _result(prepared, builder, themes, embedder, seed, opts, started)


def _quiet(stage: str, done: int, total: int) -> None:
    return None


def _check_lengths(n, groups, stance) -> None:
    for name, values in {**(groups or {}), **({"stance": stance} if stance else {})}.items():
        if len(values) != n:
            raise ValueError(f"{name!r} has {len(values)} values for {n} texts")


class _Builder:
    """Turns cluster labels over the analysable rows into themes keyed by input index."""

    def __init__(self, prepared: Prepared, rows, x, clustering: Clustering, opts, seed):
        self.prepared = prepared
        self.rows = np.asarray(rows, dtype=int)
        self.x = x
        self.clustering = clustering
        self.opts = opts
        self.seed = seed
        self.campaign_of = {c.representative: n for n, c in enumerate(prepared.campaigns)}
        self.ids = [f"t{i + 1}" for i in range(len(clustering.centroids))]

    def members(self, label: int) -> list[int]:
        """Input indices in a cluster, campaign representatives excluded (counted as campaigns)."""
        rows = self.rows[self.clustering.labels == label]
        return [int(i) for i in rows if int(i) not in self.campaign_of]

    def population(self) -> list[int]:
        return [int(i) for i in self.rows if int(i) not in self.campaign_of]

    def label_of_row(self) -> dict[int, int]:
        return {int(i): int(c) for i, c in zip(self.rows, self.clustering.labels, strict=True)}

    def themes(self, report: Progress) -> list[Theme]:
        tops = [self.members(c) for c in range(len(self.ids))]
        positions = [np.flatnonzero(self.clustering.labels == c) for c in range(len(self.ids))]
        report("labelling", 0, len(tops))
        texts = self.prepared.texts
        x_by_index = _IndexedVectors(self.rows, self.x)
        labeller = Labeller(seed=self.seed)
        labels = labeller.label(texts, x_by_index, tops, self.clustering.centroids)
        denominator = max(len(texts) - len(self.prepared.no_comment), 1)
        themes = []
        for c, (tid, members, lab) in enumerate(zip(self.ids, tops, labels, strict=True)):
            themes.append(_theme(tid, lab, members, self.clustering.centroids[c], denominator))
            themes[-1] = _with_campaigns(themes[-1], self._campaign_ids(positions[c]))
        report("labelling", len(tops), len(tops))
        if self.opts.subthemes:
            themes += self._subthemes(themes, positions, labeller, x_by_index, denominator, report)
        return themes

    def _campaign_ids(self, positions: np.ndarray) -> tuple[str, ...]:
        reps = (int(i) for i in self.rows[positions])
        return tuple(f"c{self.campaign_of[i] + 1}" for i in reps if i in self.campaign_of)

    def _subthemes(self, tops, positions, labeller, x_by_index, denominator, report):
        out: list[Theme] = []
        big = [t for t in tops if t.size >= self.opts.subtheme_min_size]
        for n, parent in enumerate(big):
            report("sub-themes", n, len(big))
            out += self._split(parent, labeller, x_by_index, denominator)
        report("sub-themes", len(big), len(big))
        return out

    def _split(self, parent: Theme, labeller, x_by_index, denominator) -> list[Theme]:
        members = np.asarray(parent.member_indices)
        finder = ThemeFinder(
            k_candidates=(2, 3, 4, 5),
            sample_size=1000,
            min_share=0.08,
            merge_threshold=0.9,
            structure_floor=None,  # split by silhouette alone; no size-based split
            threads=1,  # 50,000 answers: splits took 6.3 s on one thread, 11-12 s on two
            seed=self.seed,
        )
        sub = finder.fit(x_by_index[members])
        if len(sub.centroids) < 2:
            return []
        groups = [[int(i) for i in members[sub.labels == c]] for c in range(len(sub.centroids))]
        labels = labeller.label(self.prepared.texts, x_by_index, groups, sub.centroids)
        return [
            _theme(f"{parent.id}.{c + 1}", lab, g, sub.centroids[c], denominator, parent.id)
            for c, (g, lab) in enumerate(zip(groups, labels, strict=True))
        ]


class _IndexedVectors:
    """Lets labelling index embeddings by input index rather than by analysable row."""

    def __init__(self, rows: np.ndarray, x: np.ndarray):
        self.x = x
        self.position = {int(i): p for p, i in enumerate(rows)}

    def __getitem__(self, index):
        if np.ndim(index) == 0:
            return self.x[self.position[int(index)]]
        return self.x[[self.position[int(i)] for i in index]]


def _theme(tid, lab, members, centroid, denominator, parent_id=None) -> Theme:
    return Theme(
        id=tid,
        label=lab.label,
        keywords=lab.keywords,
        size=len(members),
        share=len(members) / denominator,
        member_indices=tuple(members),
        quotes=lab.quotes,
        centroid=tuple(float(v) for v in centroid),
        parent_id=parent_id,
    )


def _with_campaigns(theme: Theme, campaign_ids: tuple[str, ...]) -> Theme:
    return Theme(**{**theme.__dict__, "campaign_ids": campaign_ids})


def _annotate(themes, population, stance, groups, opts: Options) -> list[Theme]:
    flags = [[] for _ in themes]
    if groups:
        comparer = GroupComparer(
            alpha=opts.alpha,
            min_count=opts.min_group_count,
            correction=opts.correction,
            min_ratio=opts.min_group_ratio,
        )
        flags = comparer.compare(groups, [t.member_indices for t in themes], population)
    return [
        Theme(
            **{
                **t.__dict__,
                "stance_counts": stance_counts(stance, t.member_indices),
                "groups": tuple(f),
            }
        )
        for t, f in zip(themes, flags, strict=True)
    ]


def _result(prepared, builder: _Builder, themes, embedder, seed, opts, started) -> AnalysisResult:
    n = len(prepared.texts)
    assignment = [OTHER] * n
    for i in prepared.no_comment:
        assignment[i] = NO_COMMENT
    top = [t for t in themes if t.parent_id is None]
    for t in top:
        for i in t.member_indices:
            assignment[i] = t.id
    campaigns = _campaigns(prepared, builder, top)
    for c in campaigns:
        for i in c.member_indices:
            assignment[i] = c.id
    other = tuple(i for i, a in enumerate(assignment) if a == OTHER)
    accounting = Accounting(
        total=n,
        in_themes=sum(t.size for t in top),
        other=len(other),
        no_comment=len(prepared.no_comment),
        in_campaigns=sum(c.size for c in campaigns),
    )
    return AnalysisResult(
        themes=tuple(themes),
        other_indices=other,
        no_comment_indices=tuple(prepared.no_comment),
        campaigns=tuple(campaigns),
        assignment=tuple(assignment),
        accounting=accounting,
        model_name=embedder.name,
        seed=seed,
        parameters=_parameters(builder, top, opts),
        seconds=time.perf_counter() - started,
    )


def _campaigns(prepared, builder: _Builder, top) -> list[Campaign]:
    label_of = builder.label_of_row()
    out = []
    for n, group in enumerate(prepared.campaigns):
        label = label_of.get(group.representative, OTHER_LABEL)
        out.append(
            Campaign(
                id=f"c{n + 1}",
                representative_index=group.representative,
                member_indices=group.members,
                size=len(group.members),
                theme_id=top[label].id if label != OTHER_LABEL else None,
                quote=scrub(prepared.texts[group.representative]),
            )
        )
    return out


def _parameters(builder: _Builder, top, opts: Options) -> dict:
    clustering = builder.clustering
    x_by_index = _IndexedVectors(builder.rows, builder.x)
    fit = {}
    for t in top:
        sims = x_by_index[list(t.member_indices)] @ np.asarray(t.centroid, dtype=np.float32)
        fit[t.id] = float(sims.mean() - opts.fit_z * sims.std()) if len(sims) else 1.0
    return {
        "k": opts.k,
        "k_chosen": clustering.k_chosen,
        "k_method": clustering.k_method,
        "k_scores": {str(k): v for k, v in clustering.scores.items()},
        "other_threshold": clustering.other_threshold,
        "fit_thresholds": fit,
        "subthemes": opts.subthemes,
    }
