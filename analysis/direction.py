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
SIDE = {
    PRAISE: "positive",
    CRITICISM: "negative",
    SUGGESTION: "negative",
    FOR: "positive",
    AGAINST: "negative",
}

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
    from vaderSentiment import vaderSentiment as vs

    class _Words(list):
        """The answer's words with their lower-case forms made once (`lowered`)."""

        lowered: list[str]

    negate = frozenset(vs.NEGATE)

    def negated(word: str) -> bool:  # vs.negated([word]) for one lower-case word
        return word in negate or "n't" in word

    class FastAnalyzer(vs.SentimentIntensityAnalyzer):
        """VADER 3.3.2's scores, unchanged, in linear time: the library lower-cases every word
        of the answer again for each word it checks for negation or an idiom (quadratic in the
        answer's length; 16.9 million `lower` calls for 50,000 answers, 18 of 20 s of VADER).
        Here the words are lower-cased once; the checks are the library's, rewritten to read
        that list. Equality with the library is tested (tests/analysis/test_direction_speed.py)."""

        def polarity_scores(self, text):
            # An ASCII answer has no emoji to describe (every emoji in the lexicon is non-ASCII).
            text = text.strip() if text.isascii() else self._describe_emojis(text)
            sentitext = vs.SentiText(text)
            words = _Words(sentitext.words_and_emoticons)
            words.lowered = [w.lower() for w in words]
            sentitext.words_and_emoticons = words
            lowered = words.lowered
            sentiments = []
            for i, item in enumerate(words):
                if lowered[i] in vs.BOOSTER_DICT:
                    sentiments.append(0)
                    continue
                if i < len(words) - 1 and lowered[i] == "kind" and lowered[i + 1] == "of":
                    sentiments.append(0)
                    continue
                sentiments = self.sentiment_valence(0, sentitext, item, i, sentiments)
            sentiments = self._but_check(words, sentiments)
            return self.score_valence(sentiments, text)

        def _describe_emojis(self, text):
            out, prev_space = [], True
            for ch in text:
                if ch in self.emojis:
                    if not prev_space:
                        out.append(" ")
                    out.append(self.emojis[ch])
                    prev_space = False
                else:
                    out.append(ch)
                    prev_space = ch == " "
            return "".join(out).strip()

        def _negation_check(self, valence, words_and_emoticons, start_i, i):
            low = words_and_emoticons.lowered
            if start_i == 0 and negated(low[i - 1]):
                valence = valence * vs.N_SCALAR
            if start_i == 1:
                if low[i - 2] == "never" and (low[i - 1] == "so" or low[i - 1] == "this"):
                    valence = valence * 1.25
                elif low[i - 2] == "without" and low[i - 1] == "doubt":
                    pass
                elif negated(low[i - 2]):
                    valence = valence * vs.N_SCALAR
            if start_i == 2:
                if (low[i - 3] == "never" and (low[i - 2] == "so" or low[i - 2] == "this")) or (
                    low[i - 1] == "so" or low[i - 1] == "this"
                ):
                    valence = valence * 1.25
                elif low[i - 3] == "without" and (low[i - 2] == "doubt" or low[i - 1] == "doubt"):
                    pass
                elif negated(low[i - 3]):
                    valence = valence * vs.N_SCALAR
            return valence

        def _special_idioms_check(self, valence, words_and_emoticons, i):
            low = words_and_emoticons.lowered
            onezero = f"{low[i - 1]} {low[i]}"
            twoonezero = f"{low[i - 2]} {low[i - 1]} {low[i]}"
            twoone = f"{low[i - 2]} {low[i - 1]}"
            threetwoone = f"{low[i - 3]} {low[i - 2]} {low[i - 1]}"
            threetwo = f"{low[i - 3]} {low[i - 2]}"
            for seq in (onezero, twoonezero, twoone, threetwoone, threetwo):
                if seq in vs.SPECIAL_CASES:
                    valence = vs.SPECIAL_CASES[seq]
                    break
            if len(low) - 1 > i:
                zeroone = f"{low[i]} {low[i + 1]}"
                if zeroone in vs.SPECIAL_CASES:
                    valence = vs.SPECIAL_CASES[zeroone]
            if len(low) - 1 > i + 1:
                zeroonetwo = f"{low[i]} {low[i + 1]} {low[i + 2]}"
                if zeroonetwo in vs.SPECIAL_CASES:
                    valence = vs.SPECIAL_CASES[zeroonetwo]
            for n_gram in (threetwoone, threetwo, twoone):
                if n_gram in vs.BOOSTER_DICT:
                    valence = valence + vs.BOOSTER_DICT[n_gram]
            return valence

    return FastAnalyzer()


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
