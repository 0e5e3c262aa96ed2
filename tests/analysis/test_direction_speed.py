"""The linear-time VADER reader gives exactly the library's scores (issue 20's speed work)."""

import random

from vaderSentiment import vaderSentiment as vs

from analysis.direction import _vader

HAND_PICKED = [
    "VADER is VERY SMART, uber handsome, and FRIGGIN FUNNY!!!",
    "The plot was good, but the characters are uncompelling and the dialog is not great.",
    "Catch utf-8 emoji such as 💘 and 💋 and 😁",
    "Make sure you :) or :D today!",
    "Today only kinda sux! But I'll get by, lol",
    "Not bad at all",
    "At least it isn't a horrible book.",
    "The book was only kind of good.",
    "never so good, never this bad, without doubt the best, without any doubt poor",
    "no good, no no bad, no or nor happy, the shit, bad ass, kiss of death, to die for",
    "The bus stop was nice but the staff were rude and I waited hours??? ",
    "   ",
    "",
    "I can't say it wasn't helpful; it was hardly great, sort of ok, kind of awful",
    "Nurse was lovely 👍 thank you 🙏🙏",
    "the least helpful, at least helpful, very least happy",
]


def _generated(n: int) -> list[str]:
    """Random answers built from the words VADER treats specially, so every rule is exercised."""
    words = [
        *vs.NEGATE,
        *vs.BOOSTER_DICT,
        *(w for phrase in vs.SPECIAL_CASES for w in phrase.split()),
        "good",
        "bad",
        "great",
        "terrible",
        "happy",
        "sad",
        "love",
        "hate",
        "nice",
        "awful",
        "GOOD",
        "BAD",
        "Great",
        "but",
        "BUT",
        "least",
        "at",
        "very",
        "so",
        "this",
        "never",
        "without",
        "doubt",
        "no",
        "or",
        "nor",
        "kind",
        "of",
        "the",
        "staff",
        "wait",
        "!",
        "?",
        ":)",
        ":(",
        "😁",
        "💔",
        "long",
        "nurse",
        "kind-of",
        "n't",
    ]
    rng = random.Random(20)
    return [" ".join(rng.choice(words) for _ in range(rng.randint(1, 40))) for _ in range(n)]


def test_fast_reader_scores_exactly_as_the_library():
    library, fast = vs.SentimentIntensityAnalyzer(), _vader()
    texts = HAND_PICKED + _generated(3000)
    differing = [t for t in texts if library.polarity_scores(t) != fast.polarity_scores(t)]
    assert differing == []
    # and the generated texts do reach the rules (not all neutral)
    assert sum(fast.polarity_scores(t)["compound"] != 0 for t in texts) > 2000
