"""Shared corpora for the analysis tests: hand-made topics with obvious structure."""

import random
from pathlib import Path

import pytest

from analysis import FakeEmbedder

DATA = Path(__file__).resolve().parent.parent / "data" / "analysis"

TOPICS = {
    "parking": "parking car cars spaces park fees permit driveway",
    "bins": "bins rubbish collection recycling waste fortnightly bin lorry",
    "library": "library books opening hours reading librarian borrow shelves",
    "buses": "bus buses timetable route fares stop service driver",
    "housing": "housing homes rent affordable flats tenants landlord council",
    "parks": "parks playground trees grass benches football pitch dogs",
}


def topic_corpus(per_topic: int = 20, seed: int = 0) -> tuple[list[str], list[str]]:
    """Texts of 5-7 words from one topic's vocabulary; returns (texts, topic per text)."""
    rng = random.Random(seed)
    texts, truth = [], []
    for topic, vocab in TOPICS.items():
        words = vocab.split()
        for _ in range(per_topic):
            texts.append(" ".join(rng.sample(words, rng.randint(5, 7))))
            truth.append(topic)
    order = list(range(len(texts)))
    rng.shuffle(order)
    return [texts[i] for i in order], [truth[i] for i in order]


@pytest.fixture
def fake() -> FakeEmbedder:
    return FakeEmbedder()


@pytest.fixture
def corpus() -> tuple[list[str], list[str]]:
    return topic_corpus()
