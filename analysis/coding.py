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

The proposals average two classifiers' probabilities: logistic regression on the sentence
vectors and on TF-IDF words and character pieces (`lexical_probabilities`), 0.7 and 0.3. The
sentence vectors come from the model fine-tuned on the coded answers (`finetuned`) once 100 are
coded and the packaged model is in use, else from the model as packaged (`chosen_method`).

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
# Fine-tuned vectors separate the codes better, and weigh rare codes more without losing accuracy.
FINETUNE_BALANCE = 0.75
# The lexical model (TF-IDF of words and character n-grams, logistic regression) beside the
# vector model: its share of the averaged probabilities, chosen by cross-validation inside the
# coded sample (decision 0100). 0 turns it off.
LEXICAL_WEIGHT = 0.3
LEXICAL_C = 10.0
METHODS = ("frozen", "finetune")
# The method `method="chosen"` means (decision 0100): fine-tuning, where the embedder is the
# packaged sentence model and at least FINETUNE_MIN_CODED answers are coded; otherwise frozen.
CHOSEN = "finetune"
FINETUNE_MIN_CODED = 100
# Fine-tuning (method "finetune"): the sentence model and a linear head, the head started from
# the frozen-vector classifier, trained end to end with cross-entropy on the coded answers for
# FINETUNE_EPOCHS passes of FINETUNE_BATCH answers, AdamW at FINETUNE_LR (the head 10 times it).
FINETUNE_EPOCHS = 6
FINETUNE_BATCH = 16
# Examples are batched with others of like length within windows of this many batches.
FINETUNE_WINDOW = 8
FINETUNE_LR = 2e-4
FINETUNE_MAX_TOKENS = 64
# At most this many batches, however many answers are coded: the passes are cut to fit, so a
# re-training stays within minutes (5% of the NHS answers coded, 6 passes: 198 batches).
FINETUNE_MAX_STEPS = 200


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
    finetune_epochs: int = FINETUNE_EPOCHS,
    lexical_weight: float | None = None,
) -> list[Proposal]:
    """One Proposal per text, in order. given[i] not None -> Proposal(given[i], 1.0), never
    changed. The other answers get the code a classifier trained on the given codes (and on
    the frame's descriptions, each an example of its code) finds most likely, with that
    probability as confidence; below `abstain_below`, or for a blank answer, the code is None.
    With no code given and no frame there is nothing to learn from: every open answer abstains.

    `method`: "frozen" (logistic regression on the embedder's vectors, or on `vectors`),
    "finetune" (the sentence model first fine-tuned on the coded answers for `finetune_epochs`
    passes, then the same on its vectors; needs the SentenceTransformerEmbedder), or "chosen"
    (decision 0100: `chosen_method`, fine-tuning with the packaged model and enough coded answers,
    else frozen). Either way a lexical model (TF-IDF, fitted on every
    answer) is averaged in at `lexical_weight` (default LEXICAL_WEIGHT; 0: vectors alone).
    Descriptions need an embedder: with only `vectors`, they are not used.
    """
    lexical_weight = LEXICAL_WEIGHT if lexical_weight is None else lexical_weight
    if method not in (*METHODS, "chosen"):
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
    if method == "chosen":
        method = chosen_method(embedder, len(coded_rows))
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
    labels = [given_codes[i] for i in coded_rows] + names
    if not labels:
        for i in open_rows:
            out[i] = Proposal(None, 0.0)
        return list(out)
    weights = np.asarray([1.0] * len(coded_rows) + [DESCRIPTION_WEIGHT] * len(names), dtype=np.float32)
    weights *= _balance(labels, FINETUNE_BALANCE if method == "finetune" else BALANCE)
    needed = coded_rows + open_rows
    x = _vectors(clean, vectors, embedder, cache, progress, needed)
    described_vectors = _described_vectors(described, embedder, cache)
    if method == "finetune":
        tuned = finetuned(
            embedder,
            [clean[i] for i in coded_rows] + described,
            labels,
            head=_stack(x[coded_rows], described_vectors),
            weights=weights,
            epochs=finetune_epochs,
            seed=seed,
            progress=progress,
        )
        x = _vectors(clean, None, tuned, None, progress, needed)
        described_vectors = _described_vectors(described, tuned, None)

    _report(progress, "training", 0, 1)
    classes, probabilities = _fit_predict(
        _stack(x[coded_rows], described_vectors), labels, weights, x[open_rows], seed=seed
    )
    if lexical_weight and len(classes) > 1:
        lexical = lexical_probabilities(
            [clean[i] for i in coded_rows] + described,
            labels,
            weights,
            [clean[i] for i in open_rows],
            every_text=[t for t in clean if t] + described,
            seed=seed,
        )
        if lexical is not None:
            probabilities = (1.0 - lexical_weight) * probabilities + lexical_weight * lexical
    _report(progress, "training", 1, 1)
    best = probabilities.argmax(axis=1)
    for step, (i, b) in enumerate(zip(open_rows, best, strict=True)):
        p = float(probabilities[step, b])
        out[i] = Proposal(classes[b] if p >= abstain_below else None, round(p, 4))
    _report(progress, "proposing", len(open_rows), len(open_rows))
    return list(out)


def chosen_method(embedder, coded: int) -> str:
    """What `method="chosen"` runs: "finetune" where it can and pays (decision 0100), else
    "frozen". Fine-tuning needs the packaged model (an embedder with a `model_path`, or none
    given: the packaged one is loaded); with fewer than FINETUNE_MIN_CODED coded answers it
    has too little to learn from to be worth its minutes."""
    tunable = embedder is None or getattr(embedder, "model_path", None) is not None
    return CHOSEN if tunable and coded >= FINETUNE_MIN_CODED else "frozen"


def lexical_probabilities(texts, labels, weights, targets, *, every_text, seed: int) -> np.ndarray | None:
    """Each target's probability for each code (in sorted order), from logistic regression on
    TF-IDF of word 1-2 grams and character 2-5 grams within words (sublinear term frequency).
    The vocabulary and its weights come from `every_text` (the coded and the uncoded answers
    alike: short comments, where a code's own words matter and the uncoded text says which
    words are rare); the classifier learns from the coded examples only. None where the answers
    have no words to count."""
    from scipy import sparse
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from threadpoolctl import threadpool_limits

    vectorisers = []
    for vectoriser in (
        TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True),
        TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), sublinear_tf=True, min_df=2),
    ):
        try:
            vectorisers.append(vectoriser.fit(every_text))
        except ValueError:  # no word (or no repeated piece) in any answer: nothing to learn from
            continue
    if not vectorisers:
        return None

    def features(batch):
        return sparse.hstack([v.transform(batch) for v in vectorisers]).tocsr()

    classes = sorted(set(labels))
    y = np.array([classes.index(label) for label in labels])
    model = LogisticRegression(C=LEXICAL_C, max_iter=2000, random_state=seed)
    with threadpool_limits(1):
        model.fit(features(texts), y, sample_weight=weights)
        probabilities = np.zeros((len(targets), len(classes)))
        probabilities[:, model.classes_] = model.predict_proba(features(targets))
    return probabilities


def describe_frame(frame: dict[str, str]) -> list[str]:
    """The text each code of the frame is an example of: "name: description", or the name."""
    return [_description_text(name, description) for name, description in frame.items()]


def _description_text(name: str, description: str | None) -> str:
    description = normalise(description)
    return f"{normalise(name)}: {description}" if description else normalise(name)


def _balance(labels: list[str], power: float) -> np.ndarray:
    counts: dict[str, int] = {}
    for label in labels:
        counts[label] = counts.get(label, 0) + 1
    most = max(counts.values())
    return np.array([(most / counts[label]) ** power for label in labels], dtype=np.float32)


def _described_vectors(described: list[str], embedder, cache) -> np.ndarray | None:
    if not described:
        return None
    from analysis.embedding import embed

    return embed(described, embedder, cache=cache)


def _stack(examples: np.ndarray, described_vectors: np.ndarray | None) -> np.ndarray:
    if described_vectors is None:
        return np.asarray(examples, dtype=np.float32)
    return np.vstack([examples, described_vectors]).astype(np.float32)


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
    from threadpoolctl import threadpool_limits

    model = _classifier(examples, labels, weights, seed=seed)
    with threadpool_limits(1):
        probabilities = np.zeros((len(targets), len(classes)))
        probabilities[:, model.classes_] = model.predict_proba(targets)
    return classes, probabilities


def _classifier(examples, labels, weights, *, seed: int):
    """Logistic regression from the examples to the codes' indices in sorted order."""
    from sklearn.linear_model import LogisticRegression
    from threadpoolctl import threadpool_limits

    classes = sorted(set(labels))
    y = np.array([classes.index(label) for label in labels])
    model = LogisticRegression(C=C, max_iter=1000, random_state=seed)
    # One BLAS thread: these matrices are small, and on a busy host OpenBLAS's second thread
    # spun for 50 times the CPU (7 s against 0.14 s for one fit on 517 answers, 44 codes).
    with threadpool_limits(1):
        model.fit(examples, y, sample_weight=weights)
    return model


class FinetunedEmbedder:
    """A sentence model fine-tuned on one coding's examples; embeds in OpenVINO (bf16 where the
    CPU has bf16 units, else fp32), or torch fp32 without it. Never cached: its vectors belong to
    this training alone."""

    def __init__(self, model, name: str):
        self.model = model
        self.dim = int(model.get_embedding_dimension())
        self.name = name
        self._openvino = None
        from analysis.embedding import cpu_precision
        from analysis.openvino_runtime import openvino_available

        if openvino_available():
            from analysis.openvino_runtime import OpenVinoTransformer

            # fp32 where the CPU has no bf16 units: on an AVX2-only host OpenVINO embedded the
            # 10,334 NHS answers in 44 s against torch's 113 s (torch int8: 131 s).
            precision = "bf16" if cpu_precision() == "bf16" else "fp32"
            self._openvino = OpenVinoTransformer(model, precision=precision)

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        import torch

        if self._openvino is not None:
            vectors = self._openvino.encode(texts, 32)
        else:
            with torch.inference_mode():
                vectors = self.model.encode(list(texts), batch_size=32, convert_to_numpy=True)
        vectors = np.asarray(vectors, dtype=np.float32).reshape(len(texts), self.dim)
        return vectors / np.maximum(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-12)


def finetuned(embedder, texts, labels, *, head, weights, epochs: int, seed: int, progress=None):
    """A copy of the embedder's sentence model fine-tuned on (text, code) examples: the model's
    sentence vector into a linear head over the codes, started from logistic regression on the
    frozen vectors `head` (one row per text), then both trained with weighted cross-entropy,
    AdamW with warm-up and linear decay; bf16 autocast where the CPU multiplies bf16 natively.
    With one code only there is nothing to learn: the embedder comes back as it was."""
    path = getattr(embedder, "model_path", None)
    if path is None:
        raise ValueError("fine-tuning needs the packaged sentence model (SentenceTransformerEmbedder)")
    classes = sorted(set(labels))
    if len(classes) < 2:
        return embedder
    import torch
    from sentence_transformers import SentenceTransformer

    from analysis.embedding import cpu_precision

    torch.manual_seed(seed)
    rng = np.random.default_rng(seed)
    y = torch.tensor([classes.index(label) for label in labels])
    weights = torch.tensor(np.asarray(weights, dtype=np.float32))
    start = _classifier(np.asarray(head, dtype=np.float32), labels, weights.numpy(), seed=seed)
    model = SentenceTransformer(str(path), device="cpu", local_files_only=True)
    model.max_seq_length = FINETUNE_MAX_TOKENS
    linear = torch.nn.Linear(model.get_embedding_dimension(), len(classes))
    with torch.no_grad():
        linear.weight.copy_(torch.tensor(start.coef_, dtype=torch.float32))
        linear.bias.copy_(torch.tensor(start.intercept_, dtype=torch.float32))
    optimiser = torch.optim.AdamW(
        [
            {"params": model.parameters(), "lr": FINETUNE_LR},
            {"params": linear.parameters(), "lr": 10 * FINETUNE_LR},
        ],
        weight_decay=0.01,
    )
    steps = _steps(len(texts), epochs)
    schedule = torch.optim.lr_scheduler.LambdaLR(
        optimiser, lambda s: min(1.0, (s + 1) / max(1.0, 0.1 * steps)) * max(0.0, 1 - s / steps)
    )
    autocast = cpu_precision() == "bf16"
    threads = torch.get_num_threads()
    # One thread: on the shared host torch's default two spun, 468 s of CPU for a run (5% of the
    # NHS answers coded, 4 epochs) that took 133-138 s with one (decision 0100).
    torch.set_num_threads(1)
    try:
        _train(model, linear, optimiser, schedule, texts, y, weights, steps, rng, autocast, progress)
    finally:
        torch.set_num_threads(threads)
    model.eval()
    model.max_seq_length = 256
    return FinetunedEmbedder(model, f"{getattr(embedder, 'name', 'model')}+finetuned-{seed}")


def _train(model, linear, optimiser, schedule, texts, y, weights, steps, rng, autocast, progress) -> None:
    import torch

    lengths = [len(ids) for ids in model.tokenizer(list(texts), truncation=True)["input_ids"]]
    model.train()
    done = 0
    while done < steps:
        for batch in _batches_by_length(lengths, rng)[: steps - done]:
            features = model.preprocess([texts[i] for i in batch])
            with torch.autocast("cpu", dtype=torch.bfloat16, enabled=autocast):
                logits = linear(model(features)["sentence_embedding"].float())
            losses = torch.nn.functional.cross_entropy(logits.float(), y[batch], reduction="none")
            value = (losses * weights[batch]).sum() / weights[batch].sum()
            optimiser.zero_grad()
            value.backward()
            optimiser.step()
            schedule.step()
            done += 1
            _report(progress, "fine-tuning", done, steps)


def _steps(examples: int, epochs: int) -> int:
    return min(FINETUNE_MAX_STEPS, epochs * -(-examples // FINETUNE_BATCH))


def _batches_by_length(lengths: Sequence[int], rng) -> list[np.ndarray]:
    """One pass's batches of FINETUNE_BATCH examples, in random order, each of examples of like
    length. A batch is padded to its longest answer: random batches of these short comments were
    padded to three times their mean length (51 tokens against 16.6), and the model's cost follows
    the padded length. Examples are shuffled, then sorted by length within windows of
    FINETUNE_WINDOW batches, so which answers share a batch still changes every pass."""
    order = rng.permutation(len(lengths))
    window = FINETUNE_BATCH * FINETUNE_WINDOW
    batches = []
    for first in range(0, len(order), window):
        part = order[first : first + window]
        part = part[np.argsort([lengths[i] for i in part], kind="stable")]
        batches += [part[i : i + FINETUNE_BATCH] for i in range(0, len(part), FINETUNE_BATCH)]
    return [batches[i] for i in rng.permutation(len(batches))]


def _report(progress: Progress | None, stage: str, done: int, total: int) -> None:
    if progress is not None:
        progress(stage, done, total)
