"""The one clock: every "now" in services and jobs comes from here, so tests can move time.

`now()` is the real UTC time plus an offset that only tests (and the development tools) set
with `advance()`/`travel_to()` and `reset()`. `app.models.base.utcnow` calls it, so column
defaults, services and periodic jobs (retention, closing, anonymising) all see the same moment.
"""

from datetime import UTC, datetime, timedelta

_offset = timedelta(0)


def now() -> datetime:
    return datetime.now(UTC) + _offset


def advance(delta: timedelta) -> datetime:
    """Move the clock forward (or back, with a negative delta); returns the new now."""
    global _offset
    _offset += delta
    return now()


def travel_to(moment: datetime) -> None:
    """Make `now()` read `moment` (aware) from here on, as time keeps running."""
    global _offset
    if moment.tzinfo is None:
        raise ValueError("give an aware UTC datetime")
    _offset = moment - datetime.now(UTC)


def reset() -> None:
    global _offset
    _offset = timedelta(0)


def offset() -> timedelta:
    return _offset
