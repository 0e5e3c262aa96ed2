"""Chorus analysis: free-text answers in, honest themes out. Never imports `app`.

Public API (stable; the web app's jobs call only this)::

    from analysis import (
        analyse, assign_incremental, AnalysisResult,
        SentenceTransformerEmbedder, FakeEmbedder, SqliteEmbeddingCache,
    )

    result = analyse(
        texts,                       # Sequence[str | None]
        groups={"channel": [...]},   # optional: column -> one value (or None) per text
        stance=[...],                # optional: closed answer ("Agree"...) per text
        embedder=SentenceTransformerEmbedder(),   # packaged all-MiniLM-L6-v2, offline, bf16/int8 by CPU
        cache=SqliteEmbeddingCache("var/embeddings.sqlite"),  # optional
        seed=0,
        progress=lambda stage, done, total: ...,  # stages: preparing, embedding,
    )                                             # clustering, sub-themes, labelling
    result.to_dict()  # plain JSON; AnalysisResult.from_dict(d) restores it

    update = assign_incremental(result, new_texts, embedder=..., cache=...)
    update.assignment   # per new text: existing theme id, "newN", "other", "no_comment",
                        # "blank" or "other_language"
    update.new_themes   # proposed themes for what fitted no existing theme

AnalysisResult (frozen):
- themes: top-level themes ("t1", "t2", ... by size; at most 12 by default) then sub-themes
  ("t1.1", parent_id "t1"). Each has label (a phrase several answers use), description (a
  scrubbed central answer as a quote), direction ("praise", "criticism", "suggestion", "for",
  "against", "mixed", "neutral"; every leaf is one direction, a mixed theme is split into its
  sides), tentative (did not recur across k-means restarts), keywords, size, share (of texts
  that said something), member indices, quotes as (index, scrubbed text), centroid,
  stance_counts, direction_counts, groups (GroupFlag per column/value with p, q and flag
  "over"/"under"/None), campaign_ids and campaign_responses.
- assignment[i]: where input i ended: a top-level theme id, a campaign id ("c1"...),
  "other", "no_comment", "blank" or "other_language". Each input ends in exactly one;
  `accounting` counts them.
- other_indices, no_comment_indices, blank_indices, other_languages ((index, language)),
  campaigns (representative, members, size, theme_id), model_name, seed, parameters (k chosen,
  how, scores, thresholds), seconds. The same answers give the same themes whatever the seed
  or row order (decision 0094).

Scrubbing (`analysis.privacy.scrub`) and language naming (`analysis.language`) are pure Python.
"""

import importlib

# Names load on first use (PEP 562): the web process imports `analysis.privacy` to scrub quotes, and
# must not pay for (or hold) scikit-learn, scipy and torch, which `analysis.pipeline` brings.
_HOMES = {
    "FakeEmbedder": "analysis.embedding",
    "InMemoryEmbeddingCache": "analysis.embedding",
    "SentenceTransformerEmbedder": "analysis.embedding",
    "SqliteEmbeddingCache": "analysis.embedding",
    "IncrementalResult": "analysis.incremental",
    "assign_incremental": "analysis.incremental",
    "Options": "analysis.pipeline",
    "analyse": "analysis.pipeline",
    "Accounting": "analysis.result",
    "AnalysisResult": "analysis.result",
    "Campaign": "analysis.result",
    "GroupFlag": "analysis.result",
    "Theme": "analysis.result",
}


def __getattr__(name: str):
    if name not in _HOMES:
        raise AttributeError(f"module 'analysis' has no attribute {name!r}")
    return getattr(importlib.import_module(_HOMES[name]), name)


def __dir__() -> list[str]:
    return sorted([*globals(), *_HOMES])


__all__ = [
    "Accounting",
    "AnalysisResult",
    "Campaign",
    "FakeEmbedder",
    "GroupFlag",
    "InMemoryEmbeddingCache",
    "IncrementalResult",
    "Options",
    "SentenceTransformerEmbedder",
    "SqliteEmbeddingCache",
    "Theme",
    "analyse",
    "assign_incremental",
]
