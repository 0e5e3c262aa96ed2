"""One entry point, `analyse`, tying preparation, embedding, themes, labels, stance and groups."""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from analysis.direction import (
    CRITICISM,
    MIXED,
    NEUTRAL,
    PRAISE,
    SIDE,
    SUGGESTION,
    DirectionReader,
    leaf_direction,
)
from analysis.embedding import Embedder, EmbeddingCache, embed
from analysis.groups import GroupComparer
from analysis.labels import Labeller, PhraseLabeller
from analysis.preparation import Prepared, Preparer, scrub
from analysis.result import (
    BLANK,
    NO_COMMENT,
    OTHER,
    OTHER_LANGUAGE,
    Accounting,
    AnalysisResult,
    Campaign,
    Theme,
)
from analysis.stance import stance_counts
from analysis.themes import Clustering, ThemeFinder

Progress = Callable[[str, int, int], None]


@dataclass(frozen=True)
class Options:
    k: int | None = None
    max_themes: int = 12
    min_theme_size: int = 5  # a smaller top-level cluster is dissolved into "other"
    praise_merge: float = 0.8  # a theme this positive joins the one "general praise" theme
    subthemes: bool = True
    subtheme_min_size: int = 20
    subtheme_max_k: int = 8
    subtheme_min_answers: int = 6  # at most one sub-theme per this many answers of its theme
    max_leaves: int = 40  # sub-themes (or undivided themes) in all, sides of mixed leaves included
    split_mixed: bool = True  # split leaves that mix praise and complaint into their sides
    subtheme_tolerance: float = 0.6  # sub-theme k: the finest within this share of the best silhouette
    tolerance: float = 1.0  # top-level k: the finest within this share of the best silhouette
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
    clustering = ThemeFinder(k=opts.k, max_k=opts.max_themes, tolerance=opts.tolerance,
                             min_size=opts.min_theme_size, seed=seed).fit(x)
    report("clustering", 1, 1)
    reader = DirectionReader()
    directions = dict(zip(rows, reader.read([prepared.texts[i] for i in rows],
                                            [stance[i] for i in rows] if stance else None), strict=True))
    builder = _Builder(prepared, rows, x, clustering, opts, seed, directions)
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
    """Turns cluster labels over the analysable rows into themes keyed by input index.

    Order of work: top-level themes (consensus k-means); each answer's direction; top-level
    themes that are praise (at least `praise_merge` of their directed answers positive) become
    one "general praise" theme with them as its sub-themes; other large themes are split into
    sub-themes; every leaf that mixes sides (minority >= 25%) is marked "mixed" and split into
    its sides; then labels, descriptions, quotes and keywords.
    """

    def __init__(self, prepared: Prepared, rows, x, clustering: Clustering, opts, seed,
                 directions: dict[int, str]):
        self.prepared = prepared
        self.rows = np.asarray(rows, dtype=int)
        self.x = x
        self.clustering = clustering
        self.opts = opts
        self.seed = seed
        self.directions = directions
        self.campaign_of = {c.representative: n for n, c in enumerate(prepared.campaigns)}
        self.x_by_index = _IndexedVectors(self.rows, self.x)

    def population(self) -> list[int]:
        return [int(i) for i in self.rows if int(i) not in self.campaign_of]

    def _cluster_rows(self, label: int) -> list[int]:
        return [int(i) for i in self.rows[self.clustering.labels == label]]

    def themes(self, report: Progress) -> list[Theme]:
        n_top = len(self.clustering.centroids)
        tentative = list(self.clustering.tentative) or [False] * n_top
        groups = [_Group(self._cluster_rows(c), tentative[c]) for c in range(n_top)]
        groups = self._merge_praise(groups)
        # Leaves are budgeted (`max_leaves`): larger themes are split first, each into at most as
        # many sub-themes as the budget still allows, and sides of mixed leaves count too.
        used = sum(len(g.children) or 1 for g in groups)
        report("sub-themes", 0, len(groups))
        for n, g in enumerate(sorted(groups, key=lambda g: -self._count(g.rows))):
            before = len(g.children) or 1
            room = self.opts.max_leaves - used
            if not g.children and room >= 1 and self._count(g.rows) >= self.opts.subtheme_min_size:
                g.children = self._split(g.rows, g.tentative, max_k=min(self.opts.subtheme_max_k, room + 1))
            g.children = [side for child in g.children for side in self._sides(child)]
            if not g.children:
                sides = self._sides(g)
                if len(sides) > 1:
                    g.children = sides
            used += (len(g.children) or 1) - before
            report("sub-themes", n + 1, len(groups))
        groups.sort(key=lambda g: (-self._count(g.rows), min(g.rows) if g.rows else 0))
        return self._label(groups, report)

    def _count(self, rows) -> int:
        return sum(1 for i in rows if i not in self.campaign_of)

    def _direction_of(self, rows) -> str:
        return leaf_direction([self.directions.get(i, NEUTRAL) for i in rows])

    def _merge_praise(self, groups: list[_Group]) -> list[_Group]:
        praise = [g for g in groups if self._is_praise(g.rows)]
        if len(praise) < 2:
            return groups
        merged = _Group(sorted(i for g in praise for i in g.rows), False, children=praise, praise=True)
        return [g for g in groups if g not in praise] + [merged]

    def _is_praise(self, rows) -> bool:
        """Praise read from the text: answers "for" a proposal (a closed answer) are not praise."""
        said = Counter(self.directions.get(i) for i in rows)
        praise, against = said[PRAISE], said[CRITICISM] + said[SUGGESTION]
        return praise > 0 and praise >= self.opts.praise_merge * (praise + against)

    def _split(self, rows: list[int], parent_tentative: bool, max_k: int = 6) -> list[_Group]:
        members = np.asarray(rows)
        finder = ThemeFinder(
            k_candidates=tuple(range(2, max_k + 1)),
            max_k=max_k,
            sample_size=1000,
            min_share=0.08,
            min_theme_answers=self.opts.subtheme_min_answers,
            merge_threshold=0.9,
            structure_floor=None,  # split by silhouette alone; no size-based split
            tolerance=self.opts.subtheme_tolerance,
            restarts=3,
            threads=1,  # 50,000 answers: splits took 6.3 s on one thread, 11-12 s on two
            seed=self.seed,
        )
        sub = finder.fit(self.x_by_index[members])
        if len(sub.centroids) < 2:
            return []
        tentative = list(sub.tentative) or [False] * len(sub.centroids)
        out = [_Group([int(i) for i in members[sub.labels == c]], parent_tentative or tentative[c])
               for c in range(len(sub.centroids))]
        leftover = [int(i) for i in members[sub.labels < 0]]
        if leftover:  # texts the split left unplaced stay in their nearest sub-theme
            out = _attach(out, leftover, self.x_by_index)
        return out

    def _sides(self, group: _Group) -> list[_Group]:
        """The group itself when it has one direction; else one group per side, answers with
        no side joining the side whose centre is nearer."""
        if not self.opts.split_mixed or self._direction_of(group.rows) != MIXED:
            return [group]
        sides: dict[str, list[int]] = {"positive": [], "negative": []}
        undecided = []
        for i in group.rows:
            side = SIDE.get(self.directions.get(i, NEUTRAL))
            (sides[side] if side else undecided).append(i)
        out = [_Group(sides[s], group.tentative, side=s) for s in ("negative", "positive") if sides[s]]
        if undecided:
            out = _attach(out, undecided, self.x_by_index)
        return out

    def _label(self, groups: list[_Group], report) -> list[Theme]:
        texts = self.prepared.texts
        phrases = PhraseLabeller(texts, self.population(), seed=self.seed)
        keywords_of = Labeller(seed=self.seed, docs_per_theme=600)
        everything = [g for g in groups] + [c for g in groups for c in g.children]
        report("labelling", 0, len(everything))
        members = [[i for i in g.rows if i not in self.campaign_of] or list(g.rows) for g in everything]
        centroids = np.array([_centroid(self.x_by_index[g.rows]) for g in everything], dtype=np.float32)
        keyword_lists = keywords_of.keywords(texts, members, clean=phrases.clean)
        out: list[Theme] = []
        denominator = max(len(self.population()), 1)
        ids = {}
        for n, g in enumerate(groups):
            ids[id(g)] = f"t{n + 1}"
            for m, child in enumerate(sorted(g.children, key=lambda c: (-self._count(c.rows), min(c.rows)))):
                ids[id(child)] = f"t{n + 1}.{m + 1}"
        for pos, g in enumerate(everything):
            rows, centroid = members[pos], centroids[pos]
            parent = next((p for p in groups if g in p.children), None)
            avoid: set[str] = set()
            if g.side is not None and parent is not None:
                for sibling in parent.children:
                    if sibling is not g and sibling.side is not None:
                        avoid |= phrases.common(sibling.rows)
            label, _ = phrases.label(rows, avoid=avoid)
            if g.praise:
                label = "General praise and thanks"
            direction = self._direction_of(g.rows)
            counts = Counter(self.directions.get(i, NEUTRAL) for i in g.rows)
            description, described = phrases.description_of(rows, self.x_by_index, centroid, label)
            out.append(Theme(
                id=ids[id(g)],
                label=label,
                keywords=tuple(keyword_lists[pos]),
                size=len([i for i in g.rows if i not in self.campaign_of]),
                share=len([i for i in g.rows if i not in self.campaign_of]) / denominator,
                member_indices=tuple(i for i in g.rows if i not in self.campaign_of),
                quotes=keywords_of.quotes(texts, self.x_by_index, rows, centroid),
                centroid=tuple(float(v) for v in centroid),
                parent_id=ids[id(parent)] if parent is not None else None,
                campaign_ids=tuple(f"c{self.campaign_of[i] + 1}" for i in g.rows if i in self.campaign_of),
                campaign_responses=sum(len(self.prepared.campaigns[self.campaign_of[i]].members)
                                       for i in g.rows if i in self.campaign_of),
                description=description,
                description_index=described,
                direction=direction,
                tentative=bool(g.tentative),
                direction_counts=dict(sorted(counts.items())),
            ))
            report("labelling", pos + 1, len(everything))
        order = {t.id: k for k, t in enumerate(out)}
        return sorted(out, key=lambda t: (t.parent_id is not None, _id_key(t.id), order[t.id]))


class _Group:
    def __init__(self, rows, tentative: bool, children=None, praise: bool = False, side: str | None = None):
        self.rows = list(rows)
        self.tentative = tentative
        self.children: list[_Group] = list(children or [])
        self.praise = praise
        self.side = side


def _attach(groups: list[_Group], rows: list[int], x_by_index) -> list[_Group]:
    centres = np.array([_centroid(x_by_index[g.rows]) for g in groups], dtype=np.float32)
    nearest = (x_by_index[rows] @ centres.T).argmax(axis=1)
    for i, g in zip(rows, nearest, strict=True):
        groups[int(g)].rows.append(int(i))
    for g in groups:
        g.rows.sort()
    return groups


def _centroid(x: np.ndarray) -> np.ndarray:
    c = np.asarray(x, dtype=np.float64).reshape(-1, x.shape[-1]).sum(axis=0)
    norm = np.linalg.norm(c)
    return (c / norm if norm else c).astype(np.float32)


def _id_key(tid: str) -> tuple[int, ...]:
    return tuple(int(p) for p in tid[1:].split("."))


class _IndexedVectors:
    """Lets labelling index embeddings by input index rather than by analysable row."""

    def __init__(self, rows: np.ndarray, x: np.ndarray):
        self.x = x
        self.position = {int(i): p for p, i in enumerate(rows)}

    def __getitem__(self, index):
        if np.ndim(index) == 0:
            return self.x[self.position[int(index)]]
        return self.x[[self.position[int(i)] for i in index]]


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
    for i in prepared.blank:
        assignment[i] = BLANK
    for i in prepared.other_language:
        assignment[i] = OTHER_LANGUAGE
    top = [t for t in themes if t.parent_id is None]
    for t in top:
        for i in t.member_indices:
            assignment[i] = t.id
    campaigns = _campaigns(prepared, top)
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
        blank=len(prepared.blank),
        other_language=len(prepared.other_language),
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
        blank_indices=tuple(prepared.blank),
        other_languages=tuple(sorted(prepared.other_language.items())),
    )


def _campaigns(prepared, top) -> list[Campaign]:
    theme_of = {f"c{n + 1}": t.id for t in top for n in range(len(prepared.campaigns))
                if f"c{n + 1}" in t.campaign_ids}
    out = []
    for n, group in enumerate(prepared.campaigns):
        out.append(
            Campaign(
                id=f"c{n + 1}",
                representative_index=group.representative,
                member_indices=group.members,
                size=len(group.members),
                theme_id=theme_of.get(f"c{n + 1}"),
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
        "restart_agreement": {str(k): v for k, v in clustering.stability.items()},
        "other_threshold": clustering.other_threshold,
        "fit_thresholds": fit,
        "subthemes": opts.subthemes,
    }
