"""Consultation dates in the council's local time (UK: GMT in winter, BST in summer), stored in UTC.

Officers type opening and closing times as they read a clock in the council offices; residents see
them the same way, with the zone named (GMT or BST) so nobody has to guess. The database keeps UTC.

Clock changes: when the clocks go back, the hour from 1am to 2am happens twice and an ambiguous
time means the first one (still BST, the earlier moment); when they go forward, times from 1am
to 2am do not exist and are refused with a message saying so.
"""

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from babel import dates as babel_dates

from app import i18n
from app.errors import InvalidInput
from app.i18n import N_, _

COUNCIL_ZONE = ZoneInfo("Europe/London")
ZONE_HINT = N_("UK time: GMT in winter, BST (GMT+1) in summer.")
FORM_FORMAT = "%Y-%m-%dT%H:%M"


def to_local(value: datetime) -> datetime:
    return value.astimezone(COUNCIL_ZONE)


def form_value(value: datetime | None) -> str:
    """What a `datetime-local` field shows: the local wall-clock time, to the minute."""
    return to_local(value).strftime(FORM_FORMAT) if value else ""


def parse_local(value: str, field: str) -> datetime | None:
    """A local date and time typed by an officer, as an aware UTC datetime (None when blank)."""
    value = value.strip()
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise InvalidInput({field: _("Enter a date and time, like 2026-12-31T17:00")}) from None
    if parsed.tzinfo is not None:  # an explicit offset says which moment it is
        return parsed.astimezone(UTC)
    local = parsed.replace(tzinfo=COUNCIL_ZONE, fold=0)
    if to_local(local.astimezone(UTC)).replace(tzinfo=None) != parsed:
        raise InvalidInput({field: _(
            "{time} on {date} does not exist in UK time: the clocks go forward an hour that night. "
            "Choose a time before 1am or from 2am.").format(time=f"{parsed:%H:%M}", date=_in_words(parsed))})
    return local.astimezone(UTC)


def zone_name(value: datetime) -> str:
    """GMT or BST, for the moment given."""
    return to_local(value).tzname() or "UK time"


def format_datetime(value: datetime | None) -> str:
    """"31 March 2027, 17:00 BST": local time with its zone."""
    if not value:
        return ""
    local = to_local(value)
    shown = babel_dates.format_datetime(local, "d MMMM y, HH:mm", locale=i18n.babel_locale())
    return f"{shown} {local.tzname()}"


def format_date(value: datetime | None) -> str:
    """The local date (a 00:30 BST close on 1 July is on 1 July, though it is 30 June in UTC)."""
    return _in_words(to_local(value)) if value else ""


def _in_words(day: datetime) -> str:
    """"31 March 2027" in the reader's language (Babel's month names)."""
    return babel_dates.format_date(day, "d MMMM y", locale=i18n.babel_locale())


def local_days(utc_hours: dict[str, int]) -> dict[str, int]:
    """Counts per UTC hour ("YYYY-MM-DD HH") added up per day of the council's calendar."""
    days: dict[str, int] = {}
    for hour, n in utc_hours.items():
        moment = datetime.fromisoformat(f"{hour}:00").replace(tzinfo=UTC)  # strptime is 10x slower
        day = to_local(moment).date().isoformat()
        days[day] = days.get(day, 0) + n
    return days
