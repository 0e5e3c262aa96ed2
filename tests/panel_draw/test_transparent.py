"""The transparent lottery: LEXIMIN rounded to M equally likely panels, published by number."""

from __future__ import annotations

import hashlib

import pytest

from panel_draw import check_quotas, draw_panel
from panel_draw.transparent import parse_published, ticket_from_seed, uniform_lottery

from .test_draw import paper_example, small_instance


def lottery_for(volunteers, quotas, size, seed, m):
    draw = draw_panel(volunteers, quotas, size, seed)
    return draw, uniform_lottery(draw.distribution, draw.probabilities, m, seed)


@pytest.mark.parametrize("m", [7, 100, 1000])
def test_every_probability_stays_within_one_over_m_of_leximin(m):
    volunteers, quotas = small_instance()
    draw, lottery = lottery_for(volunteers, quotas, 4, 3, m)
    assert len(lottery.tickets) == m
    changes = [abs(lottery.probabilities[v] - p) for v, p in draw.probabilities.items()]
    assert max(changes) == pytest.approx(lottery.largest_change)
    assert lottery.largest_change <= 1 / m + 1e-12
    assert lottery.min_selection_probability >= draw.min_selection_probability - 1 / m - 1e-12
    for ticket in range(1, m + 1):  # every ticket's panel meets every quota, nobody twice
        panel = lottery.panel_ids(ticket)
        assert len(set(panel)) == 4
        assert check_quotas(volunteers, quotas, panel, size=4) == ()


def test_paper_example_rounds_within_one_over_m():
    volunteers, quotas = paper_example()
    _, lottery = lottery_for(volunteers, quotas, 200, 5, 1000)
    assert lottery.largest_change <= 1 / 1000 + 1e-12
    assert lottery.min_selection_probability >= 0.1 - 1 / 1000 - 1e-9
    assert sum(lottery.probabilities.values()) == pytest.approx(200)


def test_same_inputs_give_the_same_bytes_and_a_different_seed_renumbers():
    volunteers, quotas = small_instance()
    _, first = lottery_for(volunteers, quotas, 4, 11, 100)
    _, again = lottery_for(volunteers, quotas, 4, 11, 100)
    _, other = lottery_for(volunteers, quotas, 4, 12, 100)
    assert first.published_text().encode() == again.published_text().encode()
    assert first.digest() == again.digest() == hashlib.sha256(first.published_text().encode()).hexdigest()
    assert first.pseudonyms == again.pseudonyms
    assert other.pseudonyms != first.pseudonyms


def test_published_file_names_no_one_and_parses_back():
    volunteers, quotas = small_instance()
    _, lottery = lottery_for(volunteers, quotas, 4, 2, 50)
    text = lottery.published_text()
    assert not any(v.id in text for v in volunteers)
    tickets = parse_published(text)
    assert list(tickets) == list(range(1, 51))
    assert all(tickets[i] == lottery.tickets[i - 1] for i in tickets)


def test_ticket_from_seed_is_the_documented_formula():
    digest = hashlib.sha256(b"lottery 2026-12-06: 4 11 19 27 38 52").hexdigest()
    assert ticket_from_seed("lottery 2026-12-06: 4 11 19 27 38 52", 1000) == int(digest, 16) % 1000 + 1
    assert {ticket_from_seed(str(s), 10) for s in range(200)} == set(range(1, 11))
