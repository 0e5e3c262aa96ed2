"""Preparation: normalise, set aside no-comment answers, group campaigns, scrub personal data."""

from __future__ import annotations

import re
import unicodedata
import zlib
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from analysis.language import has_content, language_of

_SPACE = re.compile(r"\s+")
_WORD = re.compile(r"[a-z0-9']+")

# Answers that say nothing about the question; matched after lower-casing and
# stripping punctuation, so "N/A.", "nothing!" and "No comment" all match.
_NO_COMMENT = re.compile(
    r"^(?:"
    r"|n ?a|na|none|nil|nothing|no|nope|not really|not applicable|no comments?"
    r"|nothing (?:else )?to (?:add|say|report|mention|comment)|no further comments?"
    r"|nothing (?:at all|really|else)|nothing i can think of|can'?t think of anything"
    r"|cannot think of anything|not sure|don'?t know|dont know|no idea|idk|n a|x+|-+|\.+"
    r"|no thank you|no thanks|nothing thanks|nothing thank you|none thank you|none thanks"
    r"|no opinion|no view|no views|pass|skip|nothing to improve|no improvements? needed"
    r"|nothing (?:springs|comes) to mind|(?:i )?can'?t think of anything(?: to improve)?"
    r"|nothing i can think of(?: to improve)?|none that i can think of|not that i can think of"
    r"|(?:no |absolutely |really |honestly )?nothing"
    r"(?: more| at (?:present|the moment)| that i can think of)?"
    r"|not a thing|(?:i )?(?:can ?not|can'?t|couldn'?t) think of anything(?: else)?|(?:i )?don'?t think so"
    r"|no complaints?|no issues?|not much|very little|no not really|nothing (?:to|i would) change"
    r"|nothing (?:could|can|would) (?:have |of )?(?:been |be )?(?:done )?(?:any )?better"
    r")$"
)
# Typographic apostrophes and quotes ("can’t") compare as plain ones.
_APOSTROPHES = str.maketrans({"\u2019": "'", "\u2018": "'", "\u02bc": "'"})


def normalise(text: str | None) -> str:
    """Unicode-normalise and collapse whitespace; `None` becomes ''."""
    if text is None:
        return ""
    text = unicodedata.normalize("NFKC", str(text))
    return _SPACE.sub(" ", text).strip()


# "Nothing to improve" answers that are not a no-comment phrase on their own.
_NOTHING_TO_IMPROVE = re.compile(
    r"^(?:(?:i )?(?:can ?not|can'?t|couldn'?t|could not) fault(?: it| anything| them)?|faultless"
    r"|no problems?(?: at all)?|(?:i )?wouldn'?t change (?:a|any)thing)$"
)
# After a no-comment opening, only general praise may follow ("Nothing, everything was perfect"),
# and it must open on a word that cannot be the opening's own subject: "Nothing was good" and
# "Nothing good" say something.
_PRAISE_OPENERS = frozenset({
    "everything", "everyone", "everybody", "all", "it", "its", "been", "you", "overall", "i",
    "happy", "thank", "thanks", "always",
})
_PRAISE_ONLY = _PRAISE_OPENERS | frozenset({
    "was", "were", "is", "has", "have", "had", "the", "very", "really", "so", "totally",
    "absolutely", "completely", "good", "great", "fine", "perfect", "excellent", "brilliant",
    "lovely", "amazing", "fantastic", "wonderful", "superb", "ok", "okay", "spot", "on", "first",
    "class", "100", "done", "well", "much", "with", "am", "satisfied", "pleased",
})
_MOST_WORDS_FOR_PRAISE_ONLY = 12


def is_no_comment(text: str) -> bool:
    """Empty, "n/a"-style, or nothing to improve: "No comment", "Can't fault it", "Nothing,
    everything was perfect". Anything naming what was good or bad ("Nothing, the carers were
    lovely") is an answer and is kept for the themes."""
    words = _WORD.findall(normalise(text).lower().translate(_APOSTROPHES))
    if _says_nothing(" ".join(words)):
        return True
    return len(words) <= _MOST_WORDS_FOR_PRAISE_ONLY and _nothing_then_praise(words)


def _says_nothing(key: str) -> bool:
    return bool(_NO_COMMENT.match(key) or _NOTHING_TO_IMPROVE.match(key))


def _nothing_then_praise(words: list[str]) -> bool:
    praise_from = len(words)  # the praise must run to the end: find where that run starts
    while praise_from > 0 and words[praise_from - 1] in _PRAISE_ONLY:
        praise_from -= 1
    for n in range(len(words) - 1, max(praise_from, 1) - 1, -1):
        if _says_nothing(" ".join(words[:n])):
            return words[n] in _PRAISE_OPENERS
    return False


# --- personal data: analysis/privacy.py (pure Python, also used by the web process) ----------

from analysis.privacy import scrub  # noqa: E402, F401  (re-exported: callers import it from here)

# --- campaigns ---------------------------------------------------------------


@dataclass(frozen=True)
class CampaignGroup:
    representative: int
    members: tuple[int, ...]


@dataclass(frozen=True)
class Prepared:
    texts: tuple[str, ...]
    no_comment: tuple[int, ...]
    campaigns: tuple[CampaignGroup, ...]
    analysable: tuple[int, ...]  # indices to cluster: singles plus one per campaign
    blank: tuple[int, ...] = ()  # nothing written at all (empty, spaces, punctuation)
    other_language: dict[int, str] = field(default_factory=dict)  # index -> language named


class Preparer:
    """Near-duplicate campaign finder by MinHash over word shingles (linear in n).

    A campaign is at least `min_size` texts of at least `min_words` words where each copy
    shares `threshold` of the shorter text's shingles with another (containment, not Jaccard:
    a copy that adds up to three sentences of its own keeps most of the letter and stays in its
    campaign with its full count); short stock phrases such as "very good service" are common
    but are not organised campaigns. Candidate pairs come from MinHash bands (16 bands of 2
    rows, so pairs at Jaccard 0.3 are still found 78% of the time). The representative is the
    shortest copy (ties: first in text order), so it does not depend on row order.
    """

    def __init__(
        self,
        *,
        min_words: int = 12,
        min_size: int = 3,
        threshold: float = 0.7,
        n_hashes: int = 32,
        bands: int = 16,
        seed: int = 0,
    ):
        self.min_words = min_words
        self.min_size = min_size
        self.threshold = threshold
        self.n_hashes = n_hashes
        self.bands = bands
        rng = np.random.default_rng(seed)
        self._a = rng.integers(1, _PRIME, n_hashes, dtype=np.uint64)
        self._b = rng.integers(0, _PRIME, n_hashes, dtype=np.uint64)

    def prepare(self, raw: Sequence[str | None]) -> Prepared:
        texts = tuple(normalise(t) for t in raw)
        blank = tuple(i for i, t in enumerate(texts) if not has_content(t))
        languages = {i: language_of(t) for i, t in enumerate(texts) if has_content(t)}
        other_language = {i: lang for i, lang in languages.items() if lang is not None}
        skip = set(blank) | set(other_language)
        no_comment = tuple(i for i, t in enumerate(texts) if i not in skip and is_no_comment(t))
        skip |= set(no_comment)
        candidates = [i for i, t in enumerate(texts) if i not in skip]
        campaigns = self.find_campaigns(texts, candidates)
        in_campaign = {m for c in campaigns for m in c.members}
        reps = {c.representative for c in campaigns}
        analysable = tuple(i for i in candidates if i not in in_campaign or i in reps)
        return Prepared(texts, no_comment, campaigns, analysable, blank, other_language)

    def find_campaigns(self, texts: Sequence[str], indices: Sequence[int]) -> tuple[CampaignGroup, ...]:
        shingles = {i: _shingles(texts[i]) for i in indices}
        shingles = {i: s for i, s in shingles.items() if len(s) >= self.min_words - 2}
        parent = {i: i for i in shingles}
        for a, b in self._candidate_pairs(shingles):
            if _containment(shingles[a], shingles[b]) >= self.threshold:
                _union(parent, a, b)
        clusters: dict[int, list[int]] = {}
        for i in shingles:
            clusters.setdefault(_find(parent, i), []).append(i)
        groups = [sorted(m) for m in clusters.values() if len(m) >= self.min_size]
        reps = [min(m, key=lambda i: (len(shingles[i]), texts[i])) for m in groups]
        order = sorted(range(len(groups)), key=lambda g: (-len(groups[g]), texts[reps[g]]))
        return tuple(CampaignGroup(reps[g], tuple(groups[g])) for g in order)

    def _candidate_pairs(self, shingles: dict[int, np.ndarray]):
        rows = self.n_hashes // self.bands
        buckets: dict[tuple, list[int]] = {}
        for i, sh in shingles.items():
            sig = self._signature(sh)
            for band in range(self.bands):
                key = (band, sig[band * rows : (band + 1) * rows].tobytes())
                buckets.setdefault(key, []).append(i)
        seen = set()
        for members in buckets.values():
            first = members[0]
            for other in members[1:]:
                if (first, other) not in seen:
                    seen.add((first, other))
                    yield first, other

    def _signature(self, sh: np.ndarray) -> np.ndarray:
        return ((np.outer(self._a, sh) + self._b[:, None]) % _PRIME).min(axis=1)


_PRIME = np.uint64((1 << 31) - 1)


def _shingles(text: str) -> np.ndarray:
    words = _WORD.findall(text.lower())
    grams = {" ".join(words[i : i + 3]) for i in range(max(len(words) - 2, 0))}
    return np.array(sorted(zlib.crc32(g.encode()) for g in grams), dtype=np.uint64)


def _jaccard(a: np.ndarray, b: np.ndarray) -> float:
    inter = np.intersect1d(a, b, assume_unique=True).size
    return inter / (a.size + b.size - inter)


def _containment(a: np.ndarray, b: np.ndarray) -> float:
    """Share of the shorter text's shingles found in the longer; 0 when the longer is more than
    four times as long (a letter quoted inside a long answer of one's own is not a copy)."""
    short, long = (a, b) if a.size <= b.size else (b, a)
    if short.size == 0 or long.size > 4 * short.size + 40:
        return 0.0
    return np.intersect1d(short, long, assume_unique=True).size / short.size


def _find(parent: dict[int, int], i: int) -> int:
    while parent[i] != i:
        parent[i] = parent[parent[i]]
        i = parent[i]
    return i


def _union(parent: dict[int, int], a: int, b: int) -> None:
    ra, rb = _find(parent, a), _find(parent, b)
    if ra != rb:
        parent[max(ra, rb)] = min(ra, rb)
