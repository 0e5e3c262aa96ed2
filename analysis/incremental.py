"""Incremental: place new texts in existing themes; propose new themes only for the rest."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from analysis.embedding import Embedder, EmbeddingCache, embed
from analysis.labels import Labeller
from analysis.language import has_content, language_of
from analysis.preparation import is_no_comment, normalise
from analysis.result import BLANK, NO_COMMENT, OTHER, OTHER_LANGUAGE, AnalysisResult, Theme
from analysis.themes import ThemeFinder

Progress = Callable[[str, int, int], None]


@dataclass(frozen=True)
class IncrementalResult:
    """`assignment[j]` for new text j: an existing theme id, a proposed id, "other",
    "no_comment", "blank" or "other_language". Proposed themes have ids "new1", "new2", ... and
    indices into new_texts."""

    assignment: tuple[str, ...]
    new_themes: tuple[Theme, ...]
    similarities: tuple[float, ...]  # cosine to the nearest existing theme
    other_languages: tuple[tuple[int, str], ...] = ()  # (new text index, language named)

    @property
    def counts(self) -> dict[str, int]:
        out: dict[str, int] = {}
        for a in self.assignment:
            out[a] = out.get(a, 0) + 1
        return out


def assign_incremental(
    previous: AnalysisResult,
    new_texts: Sequence[str | None],
    *,
    embedder: Embedder,
    cache: EmbeddingCache | None = None,
    threshold: float | None = None,
    min_new_theme_size: int = 5,
    seed: int = 0,
    progress: Progress | None = None,
) -> IncrementalResult:
    """A new text joins the nearest existing top-level theme when its cosine to that
    theme's centroid reaches the theme's fit threshold (its members' mean cosine
    minus 2.5 standard deviations, the rule that made "other", or `threshold` if given);
    the rest are clustered into proposed themes; what still fits nowhere goes to "other"."""
    if embedder.name != previous.model_name:
        raise ValueError(f"previous result used {previous.model_name}, not {embedder.name}")
    texts = [normalise(t) for t in new_texts]
    languages = {j: language_of(t) for j, t in enumerate(texts) if has_content(t)}
    languages = {j: lang for j, lang in languages.items() if lang is not None}
    assignment = [
        BLANK if not has_content(t) else OTHER_LANGUAGE if j in languages
        else NO_COMMENT if is_no_comment(t) else OTHER
        for j, t in enumerate(texts)
    ]
    rows = [j for j, a in enumerate(assignment) if a == OTHER]
    found = tuple(sorted(languages.items()))
    top = previous.top_themes
    x = embed([texts[j] for j in rows], embedder, cache=cache, progress=progress)
    sims = np.zeros(len(texts))
    if not top or not rows:
        return IncrementalResult(tuple(assignment), (), tuple(float(s) for s in sims), found)
    centroids = np.array([t.centroid for t in top], dtype=np.float32)
    fit = previous.parameters.get("fit_thresholds", {})
    scores = x @ centroids.T
    best = scores.argmax(axis=1)
    sims[rows] = scores[np.arange(len(rows)), best]
    leftovers = []
    for p, j in enumerate(rows):
        theme = top[best[p]]
        limit = threshold if threshold is not None else fit.get(theme.id, 0.0)
        if sims[j] >= limit:
            assignment[j] = theme.id
        else:
            leftovers.append(p)
    new_themes = _propose(texts, rows, x, leftovers, assignment, min_new_theme_size, seed)
    return IncrementalResult(tuple(assignment), tuple(new_themes), tuple(float(s) for s in sims), found)


def _propose(texts, rows, x, leftovers, assignment, min_size, seed) -> list[Theme]:
    if len(leftovers) < min_size:
        return []
    xl = x[leftovers]
    finder = ThemeFinder(k_candidates=(2, 3, 4, 6, 8), min_size=min_size, structure_floor=None, seed=seed)
    clustering = finder.fit(xl)
    groups = [
        [rows[leftovers[p]] for p in np.flatnonzero(clustering.labels == c)]
        for c in range(len(clustering.centroids))
    ]
    kept = [(c, g) for c, g in enumerate(groups) if len(g) >= min_size]
    vectors = {rows[p]: x[p] for p in leftovers}
    lookup = _Lookup(vectors)
    labeller = Labeller(seed=seed)
    labels = labeller.label(texts, lookup, [g for _, g in kept], clustering.centroids[[c for c, _ in kept]])
    themes = []
    for n, ((c, g), lab) in enumerate(zip(kept, labels, strict=True)):
        tid = f"new{n + 1}"
        for j in g:
            assignment[j] = tid
        themes.append(
            Theme(
                id=tid,
                label=lab.label,
                keywords=lab.keywords,
                size=len(g),
                share=len(g) / max(len(texts), 1),
                member_indices=tuple(g),
                quotes=lab.quotes,
                centroid=tuple(float(v) for v in clustering.centroids[c]),
            )
        )
    return themes


class _Lookup:
    def __init__(self, vectors: dict[int, np.ndarray]):
        self.vectors = vectors

    def __getitem__(self, index):
        if np.ndim(index) == 0:
            return self.vectors[int(index)]
        return np.array([self.vectors[int(i)] for i in index])
