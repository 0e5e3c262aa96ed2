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

__all__ = ["Agreement", "Proposal", "agreement", "describe_frame", "least_sure", "propose_codes"]

Progress = Callable[[str, int, int], None]

# Logistic regression's inverse regularisation; measured in `python -m bench coding`.
C = 4.0
# A code's description counts as this many coded answers.
DESCRIPTION_WEIGHT = 1.0
# Class weights: each code's examples weigh (largest code's count / its count) ** BALANCE, so a
# rare code is not drowned by the common ones (0: none, 1: fully balanced); measured in the bench.
BALANCE = 0.5
METHODS = ("frozen", "finetune")
# The method `method="chosen"` means (decision 0100).
CHOSEN = "frozen"
# Few-shot fine-tuning (method "finetune"): SetFit-style pairs of coded answers (same code: 1,
# different codes: 0), cosine-similarity loss, this many optimiser steps of PAIRS_PER_STEP pairs.
FINETUNE_STEPS = 100
PAIRS_PER_STEP = 16
FINETUNE_MAX_TOKENS = 64


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
    method: str = "chosen",
    finetune_steps: int = FINETUNE_STEPS,
) -> list[Proposal]:
    """One Proposal per text, in order. given[i] not None -> Proposal(given[i], 1.0), never
    changed. The other answers get the code a classifier trained on the given codes (and on
    the frame's descriptions, each an example of its code) finds most likely, with that
    probability as confidence; below `abstain_below`, or for a blank answer, the code is None.
    With no code given and no frame there is nothing to learn from: every open answer abstains.

    `method`: "frozen" (logistic regression on the embedder's vectors, or on `vectors`),
    "finetune" (the sentence model first fine-tuned on the coded answers, SetFit-style, for
    `finetune_steps` steps; needs the SentenceTransformerEmbedder, ignores `vectors`), or
    "chosen" (the one decision 0100 chose: CHOSEN). Descriptions need an embedder: with only
    `vectors`, they are not used.
    """
    method = CHOSEN if method == "chosen" else method
    if method not in METHODS:
        raise ValueError(f"method must be one of {', '.join(METHODS)} or 'chosen'")
    n = len(texts)
    if len(given) != n:
        raise ValueError("one given code (or None) per text")
    if vectors is not None and len(vectors) != n:
        raise ValueError("one vector per text")
    frame = dict(frame or {})
    clean = [normalise(t) for t in texts]
    # A code is kept exactly as given; an empty one ("" or spaces) means not coded.
    given_codes = [g if g is not None and str(g).strip() else None for g in given]
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

    if (vectors is None or method == "finetune") and embedder is None:
        from analysis.embedding import SentenceTransformerEmbedder

        embedder = SentenceTransformerEmbedder()
    names = list(frame) if use_descriptions and embedder is not None else []
    described = describe_frame({name: frame[name] for name in names})
    if method == "finetune":
        tuned = finetuned(
            embedder,
            [clean[i] for i in coded_rows] + described,
            [given_codes[i] for i in coded_rows] + names,
            steps=finetune_steps,
            seed=seed,
            progress=progress,
        )
        x = np.zeros((n, tuned.dim), dtype=np.float32)
        needed = coded_rows + open_rows
        from analysis.embedding import embed

        x[needed] = embed([clean[i] for i in needed], tuned, progress=progress)
        described_vectors = embed(described, tuned) if described else None
    else:
        x = _vectors(clean, vectors, embedder, cache, progress, coded_rows + open_rows)
        if described:
            from analysis.embedding import embed

            described_vectors = embed(described, embedder, cache=cache)
        else:
            described_vectors = None
    examples = [x[i] for i in coded_rows]
    labels = [given_codes[i] for i in coded_rows]
    weights = [1.0] * len(coded_rows)
    if described_vectors is not None:
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
        np.asarray(weights, dtype=np.float32) * _balance(labels),
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


def describe_frame(frame: dict[str, str]) -> list[str]:
    """The text each code of the frame is an example of: "name: description", or the name."""
    return [_description_text(name, description) for name, description in frame.items()]


def _description_text(name: str, description: str | None) -> str:
    description = normalise(description)
    return f"{normalise(name)}: {description}" if description else normalise(name)


def _balance(labels: list[str]) -> np.ndarray:
    counts: dict[str, int] = {}
    for label in labels:
        counts[label] = counts.get(label, 0) + 1
    most = max(counts.values())
    return np.array([(most / counts[label]) ** BALANCE for label in labels], dtype=np.float32)


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
    from threadpoolctl import threadpool_limits

    y = np.array([classes.index(label) for label in labels])
    model = LogisticRegression(C=C, max_iter=1000, random_state=seed)
    # One BLAS thread: these matrices are small, and on a busy host OpenBLAS's second thread
    # spun for 50 times the CPU (7 s against 0.14 s for one fit on 517 answers, 44 codes).
    with threadpool_limits(1):
        model.fit(examples, y, sample_weight=weights)
        probabilities = np.zeros((len(targets), len(classes)))
        probabilities[:, model.classes_] = model.predict_proba(targets)
    return classes, probabilities


class FinetunedEmbedder:
    """A sentence model fine-tuned on one coding's examples; embeds like the packaged one (in
    OpenVINO bf16 where the CPU has bf16 units, else torch fp32). Never cached: its vectors
    belong to this training alone."""

    def __init__(self, model, name: str):
        self.model = model
        self.dim = int(model.get_embedding_dimension())
        self.name = name
        self._openvino = None
        from analysis.embedding import cpu_precision
        from analysis.openvino_runtime import openvino_available

        if cpu_precision() == "bf16" and openvino_available():
            from analysis.openvino_runtime import OpenVinoTransformer

            self._openvino = OpenVinoTransformer(model, precision="bf16")

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        import torch

        if self._openvino is not None:
            vectors = self._openvino.encode(texts, 32)
        else:
            with torch.inference_mode():
                vectors = self.model.encode(list(texts), batch_size=32, convert_to_numpy=True)
        vectors = np.asarray(vectors, dtype=np.float32).reshape(len(texts), self.dim)
        return vectors / np.maximum(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-12)


def finetuned(embedder, texts: list[str], labels: list[str], *, steps: int, seed: int, progress=None):
    """A copy of the embedder's sentence model fine-tuned SetFit-style on (text, code) examples:
    each step, PAIRS_PER_STEP pairs, half of the same code (target cosine 1) and half of different
    codes (target 0), sentence-transformers' CosineSimilarityLoss, AdamW at 2e-5; bf16 autocast
    where the CPU multiplies bf16 natively."""
    path = getattr(embedder, "model_path", None)
    if path is None:
        raise ValueError("fine-tuning needs the packaged sentence model (SentenceTransformerEmbedder)")
    import random

    import torch
    from sentence_transformers import SentenceTransformer
    from sentence_transformers.sentence_transformer.losses import CosineSimilarityLoss

    from analysis.embedding import cpu_precision

    torch.manual_seed(seed)
    rng = random.Random(seed)  # noqa: S311 - seeded sampling of training pairs, not secrets
    model = SentenceTransformer(str(path), device="cpu", local_files_only=True)
    model.max_seq_length = FINETUNE_MAX_TOKENS
    by_code: dict[str, list[str]] = {}
    for text, label in zip(texts, labels, strict=True):
        by_code.setdefault(label, []).append(text)
    codes = sorted(by_code)
    loss = CosineSimilarityLoss(model)
    optimiser = torch.optim.AdamW(model.parameters(), lr=2e-5)
    autocast = cpu_precision() == "bf16"
    model.train()
    for step in range(steps if len(codes) > 1 else 0):
        left, right, same = [], [], []
        for _ in range(PAIRS_PER_STEP):
            i = rng.randrange(len(texts))
            code = labels[i]
            if rng.random() < 0.5 and len(by_code[code]) > 1:
                right.append(rng.choice(by_code[code]))
                same.append(1.0)
            else:
                other = rng.choice([c for c in codes if c != code])
                right.append(rng.choice(by_code[other]))
                same.append(0.0)
            left.append(texts[i])
        features = [model.preprocess(left), model.preprocess(right)]
        with torch.autocast("cpu", dtype=torch.bfloat16, enabled=autocast):
            value = loss(features, torch.tensor(same))
        optimiser.zero_grad()
        value.backward()
        optimiser.step()
        _report(progress, "fine-tuning", step + 1, steps)
    model.eval()
    model.max_seq_length = 256
    return FinetunedEmbedder(model, f"{getattr(embedder, 'name', 'model')}+finetuned-{seed}")


def _report(progress: Progress | None, stage: str, done: int, total: int) -> None:
    if progress is not None:
        progress(stage, done, total)
