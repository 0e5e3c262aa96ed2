"""Labels: class-based TF-IDF keywords (1-3 word phrases), a short label, diverse quotes."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import snowballstemmer
from scipy.sparse import csr_matrix
from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS, CountVectorizer

from analysis.preparation import scrub
from analysis.privacy import is_profane

_EXTRA_STOP = frozenset(
    {"just", "really", "did", "does", "don", "got", "get", "ve", "ll", "xx", "xxx", "xxxx"}
    | {"dont", "didnt", "wasnt", "isnt", "im", "ive", "wont", "wouldnt", "shouldnt", "doesnt",
       "thats", "theres", "youre", "theyre", "id", "hes", "shes"}
)
_STOP = ENGLISH_STOP_WORDS | _EXTRA_STOP
_CLAUSE_BREAK = re.compile(r"[^\w\s'\u2019-]+|\s-+\s")
_TOKEN = re.compile(r"[a-z][a-z'\u2019]*[a-z]")


@dataclass(frozen=True)
class ThemeLabel:
    label: str
    keywords: tuple[str, ...]
    quotes: tuple[tuple[int, str], ...]


class Labeller:
    """c-TF-IDF over each theme's documents (a bounded sample, so cost stays linear)."""

    def __init__(
        self,
        *,
        n_keywords: int = 8,
        n_quotes: int = 4,
        docs_per_theme: int = 1500,
        quote_chars: int = 280,
        seed: int = 0,
    ):
        self.n_keywords = n_keywords
        self.n_quotes = n_quotes
        self.docs_per_theme = docs_per_theme
        self.quote_chars = quote_chars
        self.seed = seed

    def label(
        self,
        texts: Sequence[str],
        x: np.ndarray,
        members: Sequence[Sequence[int]],
        centroids: np.ndarray,
    ) -> list[ThemeLabel]:
        keywords = self.keywords(texts, members)
        return [
            ThemeLabel(
                label=short_label(kw),
                keywords=tuple(kw),
                quotes=self.quotes(texts, x, m, c),
            )
            for kw, m, c in zip(keywords, members, centroids, strict=True)
        ]

    def keywords(self, texts: Sequence[str], members: Sequence[Sequence[int]], clean=None) -> list[list[str]]:
        """c-TF-IDF over how many of a theme's answers use each term (not how often), and a term
        only leads when several of the theme's answers use it: one long answer repeating
        "takeaways" must not name a theme of twelve."""
        if not members:
            return []
        rng = np.random.default_rng(self.seed)
        sampled = [self._sample(m, rng) for m in members]
        vectorizer = CountVectorizer(analyzer=phrases, binary=True)
        try:
            clean = clean or (lambda i: clean_for_labels(texts[i]))
            per_answer = vectorizer.fit_transform([clean(i) for s in sampled for i in s])
        except ValueError:  # nothing but stop-words
            return [[] for _ in members]
        answers_using = (_theme_rows(sampled) @ per_answer).toarray()
        terms = vectorizer.get_feature_names_out()
        # Phrases read better than lone words; give 2-3 word terms a mild edge.
        boost = np.array([1.0 + 0.3 * (t.count(" ")) for t in terms])
        scores = c_tf_idf(answers_using) * boost
        shared = answers_using >= _min_answers(sampled)[:, None]
        # No keyword from the words of a single answer: terms fewer answers use are dropped.
        scores = np.where(shared & (answers_using >= 2), scores, 0.0)
        return [self._top_terms(scores[row], terms) for row in range(len(members))]

    def _sample(self, member: Sequence[int], rng) -> Sequence[int]:
        if len(member) <= self.docs_per_theme:
            return member
        return sorted(rng.choice(np.asarray(member), self.docs_per_theme, replace=False))

    def _top_terms(self, row: np.ndarray, terms: np.ndarray) -> list[str]:
        chosen: list[str] = []
        for j in np.argsort(-row, kind="stable"):
            if row[j] <= 0 or len(chosen) >= self.n_keywords:
                break
            term = str(terms[j])
            if len(set(term.split())) < len(term.split()):  # "good good", "thing thing"
                continue
            if is_profane(term):
                continue
            if any(_overlaps(_stems(term), _stems(c)) for c in chosen):  # "nurse" after "nurses"
                continue
            chosen.append(term)
        return chosen

    def quotes(self, texts, x, member, centroid) -> tuple[tuple[int, str], ...]:
        """Up to n_quotes texts near the centre, picked greedily to differ from each other."""
        member = np.asarray(member)
        if len(member) == 0:
            return ()
        sims = x[member] @ centroid
        ranked = [int(i) for i in member[np.argsort(-sims, kind="stable")[: 10 * self.n_quotes]]]
        wordy = [i for i in ranked if len(texts[i].split()) >= 3]
        picked = _diverse(x, texts, wordy, self.n_quotes)
        # Small themes may hold only near-duplicates or one-word answers; still show three.
        picked += [i for i in ranked if i not in picked][: max(0, 3 - len(picked))]
        return tuple((int(i), self._quote(texts[i])) for i in picked)

    def _quote(self, text: str) -> str:
        text = scrub(text)
        if len(text) <= self.quote_chars:
            return text
        return text[: self.quote_chars].rsplit(" ", 1)[0] + "…"


def phrases(text: str, longest: int = 3) -> list[str]:
    """Words and 2-3 word phrases that occur as written: a phrase never spans punctuation or a
    stop-word, so "no trouble, great service" gives "trouble", "great service", never
    "trouble great service"."""
    out: list[str] = []
    for clause in _CLAUSE_BREAK.split(text.lower()):
        run: list[str] = []
        for word in [*_TOKEN.findall(clause), ""]:
            word = word.replace("\u2019", "").replace("'", "")
            if word and word not in _STOP:
                run.append(word)
                continue
            out += [" ".join(run[i : i + n]) for n in range(1, longest + 1) for i in range(len(run) - n + 1)]
            run = []
    return out


def _theme_rows(sampled: Sequence[Sequence[int]]):
    """A themes x answers 0/1 matrix: multiplying per-answer counts by it sums them per theme."""
    owner = np.repeat(np.arange(len(sampled)), [len(s) for s in sampled])
    ones = np.ones(len(owner))
    return csr_matrix((ones, (owner, np.arange(len(owner)))), shape=(len(sampled), len(owner)))


def _min_answers(sampled: Sequence[Sequence[int]], share: float = 0.05) -> np.ndarray:
    """How many of a theme's answers must use a term for it to lead: 2, or 5% of a large theme."""
    return np.array([max(2, int(np.ceil(share * len(s)))) if len(s) >= 4 else 1 for s in sampled])


def c_tf_idf(counts) -> np.ndarray:
    """BERTopic's class-based TF-IDF: term frequency per class x log(1 + avg words / term freq)."""
    counts = (counts.toarray() if hasattr(counts, "toarray") else np.asarray(counts)).astype(np.float64)
    tf = counts / np.maximum(counts.sum(axis=1, keepdims=True), 1)
    avg_words = counts.sum() / max(len(counts), 1)
    idf = np.log(1 + avg_words / np.maximum(counts.sum(axis=0), 1))
    return tf * idf


_STEMMER = snowballstemmer.stemmer("english")


def _stems(term: str) -> str:
    """'nursing staff' -> 'nurs staff': inflections of one word count as the same keyword."""
    return " ".join(_STEMMER.stemWords(term.split()))


def _overlaps(a: str, b: str) -> bool:
    wa, wb = set(a.split()), set(b.split())
    return wa <= wb or wb <= wa


def _diverse(
    x: np.ndarray,
    texts: Sequence[str],
    pool: Sequence[int],
    n: int,
    redundancy: float = 0.9,
    word_overlap: float = 0.5,
) -> list[int]:
    """Greedy: skip a text too close to one already picked, in meaning (cosine) or in wording
    (Jaccard of its words: "Everything was very good." and "Everything was extremely good."
    are the same quote to a reader even where the vectors differ)."""
    picked: list[int] = []
    words = {i: frozenset(_TOKEN.findall(texts[i].lower())) for i in pool}
    for i in pool:
        if all(
            float(x[i] @ x[j]) < redundancy and _jaccard(words[i], words[j]) < word_overlap
            for j in picked
        ):
            picked.append(int(i))
        if len(picked) == n:
            break
    return picked


def _jaccard(a: frozenset, b: frozenset) -> float:
    return len(a & b) / len(a | b) if a or b else 1.0


def short_label(keywords: Sequence[str], max_words: int = 5) -> str:
    """Two or three leading keywords, capitalised: 'Waiting times / appointment'."""
    parts: list[str] = []
    for kw in keywords:
        if sum(len(p.split()) for p in parts) + len(kw.split()) > max_words:
            break
        parts.append(kw)
        if len(parts) == 3:
            break
    label = " / ".join(parts) if parts else "Unlabelled"
    return label[:1].upper() + label[1:]


# --- labels in people's own words -----------------------------------------------------

_EDGE_STOP = _STOP | frozenset({"ve", "s", "t", "m", "d", "re", "cant", "couldnt", "think", "pt", "yes"})


def _bare(word: str) -> str:
    return word.replace("'", "")
_PHRASE_WORD = re.compile(r"[a-z][a-z'\u2019]*[a-z]|[a-z]|\d+")


def clean_for_labels(text: str) -> str:
    """What labels and keywords may be built from: scrubbed, and without any sentence in which a
    person discloses something special-category about themselves or someone close."""
    from analysis.privacy import _TAG, scrub, without_disclosures

    return _TAG.sub(" . ", without_disclosures(scrub(text)))


def spoken_phrases(text: str, shortest: int = 2, longest: int = 5) -> set[str]:
    """Phrases of 2-5 words as written inside one clause: they may hold stop-words ("waiting too
    long", "friendly and caring staff") but neither start nor end on one, and never hold a
    scrubbing tag, a number, profanity or a personal disclosure."""
    from analysis.privacy import has_tag

    out: set[str] = set()
    for clause in _CLAUSE_BREAK.split(text.lower()):
        if has_tag(clause):
            clause = re.sub(r"\[[^\]]+\]", " | ", clause)
        for part in clause.split("|"):
            words = [w.replace("\u2019", "'") for w in _PHRASE_WORD.findall(part)]
            for n in range(shortest, longest + 1):
                for i in range(len(words) - n + 1):
                    gram = words[i : i + n]
                    if _bare(gram[0]) in _EDGE_STOP or _bare(gram[-1]) in _EDGE_STOP or any(
                        w.isdigit() for w in gram
                    ):
                        continue
                    if len(set(gram)) < len(gram):
                        continue
                    phrase = " ".join(gram)
                    if not is_profane(phrase):
                        out.add(phrase)
    return out


class PhraseLabeller:
    """A label is the phrase that most sets a theme apart among those several of its answers use
    (at least `min_answers`, or `min_share` of a large theme); every keyword is used by two
    answers at least. Built from `clean_for_labels` text only."""

    def __init__(self, texts: Sequence[str], population: Sequence[int], *, docs: int = 600,
                 min_answers: int = 2, min_share: float = 0.01, seed: int = 0):
        self.texts = texts
        self.docs = docs
        self.min_answers = min_answers
        self.min_share = min_share
        self.rng = np.random.default_rng(seed)
        self._clean: dict[int, str] = {}
        self._phrases: dict[int, set[str]] = {}
        sample = self._sample(list(population), 4000)
        self.df: dict[str, int] = {}
        for i in sample:
            for p in self.phrases_of(i):
                self.df[p] = self.df.get(p, 0) + 1
        self.n = max(len(sample), 1)

    def _sample(self, members: list[int], size: int) -> list[int]:
        if len(members) <= size:
            return members
        return sorted(int(i) for i in self.rng.choice(np.asarray(members), size, replace=False))

    def clean(self, i: int) -> str:
        if i not in self._clean:
            self._clean[i] = clean_for_labels(self.texts[i])
        return self._clean[i]

    def phrases_of(self, i: int) -> set[str]:
        if i not in self._phrases:
            self._phrases[i] = spoken_phrases(self.clean(i), 1, 5)
        return self._phrases[i]

    def common(self, members: Sequence[int], share: float = 0.2) -> set[str]:
        """Phrases at least `share` of these answers use."""
        counts = self._counts(self._sample(list(members), self.docs))
        return {p for p, c in counts.items() if c >= share * max(len(members), 1)}

    def _counts(self, sample: Sequence[int]) -> dict[str, int]:
        counts: dict[str, int] = {}
        for i in sample:
            for p in self.phrases_of(i):
                counts[p] = counts.get(p, 0) + 1
        return counts

    def label(self, members: Sequence[int], fallback: str = "Various comments",
              avoid: frozenset[str] | set[str] = frozenset()) -> tuple[str, int]:
        """(label, answers using it); phrases in `avoid` (what the other side of a mixed theme
        says as much) are passed over."""
        sample = self._sample(list(members), self.docs)
        counts = {p: c for p, c in self._counts(sample).items() if p not in avoid}
        floor = max(self.min_answers, int(np.ceil(self.min_share * len(sample))))
        # A phrase of two words or more when several answers share one; a word only otherwise.
        for multiword in (True, False):
            best, best_score, used = None, 0.0, 0
            for p, c in counts.items():
                words = p.count(" ") + 1
                if c < floor or (words > 1) != multiword:
                    continue
                if words == 1 and (p in _STOP or len(p) < 3):
                    continue
                idf = np.log((1 + self.n) / (1 + self.df.get(p, 0))) + 1.0
                score = c * idf * (1.0 + 0.3 * min(words - 2, 3) if multiword else 1.0)
                if score > best_score or (score == best_score and best is not None and p < best):
                    best, best_score, used = p, score, c
            if best is not None:
                return best[:1].upper() + best[1:], used
        return fallback, 0

    def description(self, members: Sequence[int], x, centroid, label: str, limit: int = 200) -> str:
        return self.description_of(members, x, centroid, label, limit)[0]

    def description_of(self, members: Sequence[int], x, centroid, label: str,
                       limit: int = 200) -> tuple[str, int | None]:
        """The most central answer that uses the label's words (else the most central), as a
        scrubbed quote of at most `limit` characters."""
        from analysis.privacy import scrub

        members = np.asarray(list(members))
        if len(members) == 0:
            return "", None
        sims = x[members] @ np.asarray(centroid, dtype=np.float32)
        ranked = [int(members[j]) for j in np.argsort(-sims, kind="stable")[:200]]
        wordy = [i for i in ranked if len(self.texts[i].split()) >= 4] or ranked
        key = label.lower()
        chosen = next((i for i in wordy if key in self.clean(i).lower()), wordy[0])
        text = scrub(self.texts[chosen])
        if len(text) > limit:
            text = text[:limit].rsplit(" ", 1)[0] + "…"
        return f"\u201c{text}\u201d", chosen
