"""Direction of each answer: praise, criticism or suggestion (or for / against from a closed
answer), so every leaf theme says one thing or is marked "mixed views" and split into its sides.

The text's direction comes from the VADER sentiment lexicon (vaderSentiment, pure Python) plus
a list of wording that asks for a change ("should", "more", "need", "please", ...). A closed
answer (agree/disagree, support/oppose, a rating) wins over the text when the question has one.
Measured on NHS phase 1 against its `criticality` codes: docs/benchmarks.md.
"""

from __future__ import annotations

import functools
import re
from collections import Counter
from collections.abc import Sequence

PRAISE = "praise"
CRITICISM = "criticism"
SUGGESTION = "suggestion"
FOR = "for"
AGAINST = "against"
MIXED = "mixed"
NEUTRAL = "neutral"
DIRECTIONS = (PRAISE, CRITICISM, SUGGESTION, FOR, AGAINST, MIXED, NEUTRAL)

# The two sides a leaf can mix: praise against wanting a change, for against against.
SIDE = {PRAISE: "positive", CRITICISM: "negative", SUGGESTION: "negative", FOR: "positive",
        AGAINST: "negative"}

_SUGGESTS = re.compile(
    r"\b(?:should|shouldn'?t|could|would be|would like|need|needs|needed|more|less|fewer|better"
    r"|improve|improved|improvement|please|wish|suggest|maybe|perhaps|instead|faster|quicker"
    r"|shorter|cheaper|earlier|later|extra|increase|reduce|provide|introduce|install|add|allow"
    r"|make sure|ensure|if only|too)\b",
    re.IGNORECASE,
)
_NEGATIVE_WORDING = re.compile(
    r"\b(?:not|no|never|nobody|didn'?t|don'?t|wasn'?t|weren'?t|isn'?t|aren'?t|couldn'?t|won'?t|can'?t"
    r"|lack|lacking|poor|rude|late|delay|delays|delayed|wait|waiting|waited|long|cold|dirty|noisy"
    r"|expensive|unhelpful|ignored|lost|cancelled|difficult|hard|problem|problems|issue|issues)\b",
    re.IGNORECASE,
)
_AGAINST = re.compile(r"\b(?:disagree|oppose|opposed|against|no|reject|object)\b", re.IGNORECASE)
_FOR = re.compile(r"\b(?:agree|support|supportive|for|yes|approve|favour|favor)\b", re.IGNORECASE)
_NEITHER = re.compile(r"\b(?:neither|neutral|not sure|don'?t know|unsure|no opinion|mixed)\b", re.IGNORECASE)


class DirectionReader:
    """Per-answer direction from the text (VADER plus wording) or the closed answer."""

    def __init__(self, *, praise_from: float = 0.3, criticism_below: float = -0.05):
        self._vader = _vader()
        self.praise_from = praise_from
        self.criticism_below = criticism_below

    def compound(self, text: str) -> float:
        return float(self._vader.polarity_scores(text)["compound"])

    def of_text(self, text: str) -> str:
        score = self.compound(text)
        suggests = bool(_SUGGESTS.search(text))
        if score <= self.criticism_below:
            return CRITICISM
        if score >= self.praise_from and not (suggests and _NEGATIVE_WORDING.search(text)):
            return PRAISE
        if suggests:
            return SUGGESTION
        if _NEGATIVE_WORDING.search(text):
            return CRITICISM
        if score > 0:
            return PRAISE
        return NEUTRAL

    def read(self, texts: Sequence[str], stance: Sequence[str | None] | None = None) -> list[str]:
        out = []
        for i, text in enumerate(texts):
            closed = of_closed_answer(stance[i]) if stance is not None else None
            out.append(closed if closed is not None else self.of_text(text))
        return out


@functools.cache
def _vader():
    """One analyser per process: loading its lexicon takes a noticeable share of a small run."""
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

    return SentimentIntensityAnalyzer()


def of_closed_answer(answer: str | None) -> str | None:
    """For / against from agree-disagree or support-oppose answers; praise / criticism from a
    rating of 1-5 or 0-10; None when there is no usable answer."""
    if answer is None:
        return None
    value = str(answer).strip()
    if not value:
        return None
    if re.fullmatch(r"-?\d+(?:\.\d+)?", value):
        number = float(value)
        top = 10 if number > 5 else 5
        if number >= 0.7 * top:
            return PRAISE
        if number <= 0.4 * top:
            return CRITICISM
        return NEUTRAL
    if _NEITHER.search(value):
        return NEUTRAL
    if _AGAINST.search(value):
        return AGAINST
    if _FOR.search(value):
        return FOR
    return None


def leaf_direction(directions: Sequence[str], mixed_from: float = 0.25) -> str:
    """One direction for a set of answers: the majority's, or "mixed" when the minority side
    holds at least `mixed_from` of the answers that have a side; "neutral" when none has."""
    sides = Counter(SIDE[d] for d in directions if d in SIDE)
    total = sum(sides.values())
    if total == 0:
        return NEUTRAL
    if min(sides.get("positive", 0), sides.get("negative", 0)) >= mixed_from * total:
        return MIXED
    majority = "positive" if sides.get("positive", 0) >= sides.get("negative", 0) else "negative"
    counts = Counter(d for d in directions if SIDE.get(d) == majority)
    return max(counts, key=lambda d: (counts[d], d))


def mixed_share(truth: Sequence[int], leaves: Sequence[str]) -> float:
    """Share of directed answers (truth >= 1 positive, <= -1 negative, 0 ignored) that sit in
    leaves whose minority direction is at least 25% of the leaf's directed answers."""
    by_leaf: dict[str, Counter] = {}
    for t, leaf in zip(truth, leaves, strict=True):
        if t != 0:
            by_leaf.setdefault(leaf, Counter())[t > 0] += 1
    directed = sum(sum(c.values()) for c in by_leaf.values())
    mixed = sum(sum(c.values()) for c in by_leaf.values() if min(c[True], c[False]) >= 0.25 * sum(c.values()))
    return mixed / directed if directed else 0.0
