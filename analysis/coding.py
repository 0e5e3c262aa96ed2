"""Guided coding: an officer's coding frame and a hand-coded sample in, a code for every other
answer out (decision 0100). Trains on the worker, never in the web process.

    from analysis.coding import propose_codes, least_sure, agreement, Proposal

    proposals = propose_codes(
        texts,                     # list[str]: every answer
        given,                     # list[str | None]: the officer's code, None where not coded
        frame,                     # {code name: description}; descriptions are extra examples
        embedder=SentenceTransformerEmbedder(),  # default: the packaged MiniLM
        vectors=None,              # precomputed (n x d) embeddings of `texts`, if any
        seed=0,
        abstain_below=0.0,         # below this confidence: Proposal(None, p), "needs a person"
        progress=lambda stage, done, total: ...,  # embedding, training, proposing
    )
    proposals[i].code, proposals[i].confidence   # a given code comes back unchanged, at 1.0
    least_sure(proposals, given, k)              # indices to ask the officer about next
    agreement(officer_codes, machine_codes)      # percent, Cohen's kappa, per code

`Proposal`, `least_sure`, `agreement` and `Agreement` live in `analysis.proposals` (pure Python,
safe to import in the web process); this module brings scikit-learn and the embedder.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

from analysis.preparation import normalise
from analysis.proposals import Agreement, Proposal, agreement, least_sure

__all__ = ["Agreement", "Proposal", "agreement", "least_sure", "propose_codes"]

Progress = Callable[[str, int, int], None]

# Logistic regression's inverse regularisation; measured in `python -m bench coding`.
C = 4.0
# A code's description counts as this many coded answers.
DESCRIPTION_WEIGHT = 1.0


def propose_codes(
    texts: Sequence[str | None],
    given: Sequence[str | None],
    frame: dict[str, str] | None,
    *,
    embedder=None,
    vectors: np.ndarray | None = None,
    seed: int = 0,
    abstain_below: float = 0.0,
    progress: Progress | None = None,
    cache=None,
    use_descriptions: bool = True,
) -> list[Proposal]:
    """One Proposal per text, in order. given[i] not None -> Proposal(given[i], 1.0), never
    changed. The other answers get the code a classifier trained on the given codes (and on
    the frame's descriptions, each an example of its code) finds most likely, with that
    probability as confidence; below `abstain_below`, or for a blank answer, the code is None.
    With no code given and no frame there is nothing to learn from: every open answer abstains.
    """
    n = len(texts)
    if len(given) != n:
        raise ValueError("one given code (or None) per text")
    if vectors is not None and len(vectors) != n:
        raise ValueError("one vector per text")
    frame = dict(frame or {})
    clean = [normalise(t) for t in texts]
    given_codes = [None if g is None or not str(g).strip() else str(g).strip() for g in given]
    out: list[Proposal | None] = [Proposal(g, 1.0) if g is not None else None for g in given_codes]
    open_rows = [i for i in range(n) if out[i] is None and clean[i]]
    for i in range(n):
        if out[i] is None and not clean[i]:
            out[i] = Proposal(None, 0.0)
    coded_rows = [i for i in range(n) if given_codes[i] is not None]
    codes = sorted({given_codes[i] for i in coded_rows} | set(frame))
    if not open_rows:
        return list(out)
    if not codes:
        for i in open_rows:
            out[i] = Proposal(None, 0.0)
        return list(out)

    if vectors is None and embedder is None:
        from analysis.embedding import SentenceTransformerEmbedder

        embedder = SentenceTransformerEmbedder()
    x = _vectors(clean, vectors, embedder, cache, progress, coded_rows + open_rows)
    examples = [x[i] for i in coded_rows]
    labels = [given_codes[i] for i in coded_rows]
    weights = [1.0] * len(coded_rows)
    if use_descriptions and frame and embedder is not None:
        names = list(frame)
        described = [_description_text(name, frame[name]) for name in names]
        from analysis.embedding import embed

        described_vectors = embed(described, embedder, cache=cache)
        examples += list(described_vectors)
        labels += names
        weights += [DESCRIPTION_WEIGHT] * len(names)
    if not examples:
        for i in open_rows:
            out[i] = Proposal(None, 0.0)
        return list(out)

    _report(progress, "training", 0, 1)
    classes, probabilities = _fit_predict(
        np.asarray(examples, dtype=np.float32),
        labels,
        np.asarray(weights, dtype=np.float32),
        x[open_rows],
        seed=seed,
    )
    _report(progress, "training", 1, 1)
    best = probabilities.argmax(axis=1)
    for step, (i, b) in enumerate(zip(open_rows, best, strict=True)):
        p = float(probabilities[step, b])
        out[i] = Proposal(classes[b] if p >= abstain_below else None, round(p, 4))
    _report(progress, "proposing", len(open_rows), len(open_rows))
    return list(out)


def _description_text(name: str, description: str | None) -> str:
    description = normalise(description)
    return f"{normalise(name)}: {description}" if description else normalise(name)


def _vectors(clean, vectors, embedder, cache, progress, needed: list[int]) -> np.ndarray:
    if vectors is not None:
        x = np.asarray(vectors, dtype=np.float32)
        return x / np.maximum(np.linalg.norm(x, axis=1, keepdims=True), 1e-12)
    from analysis.embedding import embed

    x = np.zeros((len(clean), embedder.dim), dtype=np.float32)
    if needed:
        x[needed] = embed([clean[i] for i in needed], embedder, cache=cache, progress=progress)
    return x


def _fit_predict(examples, labels, weights, targets, *, seed: int) -> tuple[list[str], np.ndarray]:
    """The classes in order and each target's probability for each."""
    classes = sorted(set(labels))
    if len(classes) == 1:
        # Nothing to tell apart: the one code, as sure as the answer is like its examples.
        centre = examples.mean(axis=0)
        centre /= max(float(np.linalg.norm(centre)), 1e-12)
        similarity = np.clip(targets @ centre, 0.0, 1.0)
        return classes, similarity.reshape(-1, 1).astype(np.float64)
    from sklearn.linear_model import LogisticRegression

    y = np.array([classes.index(label) for label in labels])
    model = LogisticRegression(C=C, max_iter=1000, random_state=seed)
    model.fit(examples, y, sample_weight=weights)
    probabilities = np.zeros((len(targets), len(classes)))
    probabilities[:, model.classes_] = model.predict_proba(targets)
    return classes, probabilities


def _report(progress: Progress | None, stage: str, done: int, total: int) -> None:
    if progress is not None:
        progress(stage, done, total)
