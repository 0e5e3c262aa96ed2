"""Consultation dates: typed and shown in UK local time (GMT/BST), stored in UTC."""

from datetime import UTC, datetime

import pytest

from app.errors import InvalidInput
from app.services.consultations import local_time


@pytest.mark.parametrize(("typed", "stored"), [
    ("2026-12-01T17:00", datetime(2026, 12, 1, 17, 0, tzinfo=UTC)),     # winter: GMT = UTC
    ("2026-07-01T00:30", datetime(2026, 6, 30, 23, 30, tzinfo=UTC)),    # summer: BST = UTC+1
    ("2026-03-29T00:59", datetime(2026, 3, 29, 0, 59, tzinfo=UTC)),     # just before clocks go forward
    ("2026-03-29T02:00", datetime(2026, 3, 29, 1, 0, tzinfo=UTC)),      # the first BST minute
    ("2026-10-25T00:59", datetime(2026, 10, 24, 23, 59, tzinfo=UTC)),   # BST, the night they go back
    ("2026-10-25T01:30", datetime(2026, 10, 25, 0, 30, tzinfo=UTC)),    # happens twice: the first (BST)
    ("2026-10-25T02:00", datetime(2026, 10, 25, 2, 0, tzinfo=UTC)),     # GMT again
    ("2026-07-01T09:00+00:00", datetime(2026, 7, 1, 9, 0, tzinfo=UTC)),  # an explicit offset wins
])
def test_typed_local_time_is_stored_in_utc(typed, stored):
    assert local_time.parse_local(typed, "closes_at") == stored


@pytest.mark.parametrize("typed", ["2026-03-29T01:00", "2026-03-29T01:30", "2026-03-29T01:59"])
def test_a_time_skipped_by_the_clocks_going_forward_is_refused(typed):
    with pytest.raises(InvalidInput) as error:
        local_time.parse_local(typed, "closes_at")
    assert "does not exist in UK time" in error.value.errors["closes_at"]


@pytest.mark.parametrize("typed", ["tomorrow", "2026-13-01T10:00", "31/12/2026 17:00"])
def test_not_a_date_is_refused_with_an_example(typed):
    with pytest.raises(InvalidInput) as error:
        local_time.parse_local(typed, "opens_at")
    assert "like 2026-12-31T17:00" in error.value.errors["opens_at"]


def test_blank_is_no_date():
    assert local_time.parse_local("  ", "opens_at") is None
    assert local_time.form_value(None) == "" and local_time.format_datetime(None) == ""


@pytest.mark.parametrize(("moment", "form", "shown", "day"), [
    (datetime(2026, 12, 1, 17, 0, tzinfo=UTC), "2026-12-01T17:00", "1 December 2026, 17:00 GMT", "1 December 2026"),
    (datetime(2026, 6, 30, 23, 30, tzinfo=UTC), "2026-07-01T00:30", "1 July 2026, 00:30 BST", "1 July 2026"),
    (datetime(2026, 10, 25, 0, 30, tzinfo=UTC), "2026-10-25T01:30", "25 October 2026, 01:30 BST", "25 October 2026"),
    (datetime(2026, 10, 25, 1, 30, tzinfo=UTC), "2026-10-25T01:30", "25 October 2026, 01:30 GMT", "25 October 2026"),
])
def test_stored_utc_is_shown_in_local_time_with_its_zone(moment, form, shown, day):
    assert local_time.form_value(moment) == form
    assert local_time.format_datetime(moment) == shown
    assert local_time.format_date(moment) == day


def test_round_trip_through_the_form_keeps_the_moment_outside_the_repeated_hour():
    for month in range(1, 13):
        moment = datetime(2026, month, 15, 16, 45, tzinfo=UTC)
        assert local_time.parse_local(local_time.form_value(moment), "closes_at") == moment
