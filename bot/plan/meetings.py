"""Meeting occurrences: a meeting or a recurring series (RRULE) in London wall-clock time.

Times are kept as local wall-clock times and converted to instants only when needed, so a
10:00 meeting stays at 10:00 whether British Summer Time is in force or not.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from dateutil.rrule import rrulestr

from bot.clock import LONDON


@dataclass(frozen=True)
class MeetingSeries:
    """A meeting as stored: one occurrence, or the first of a series."""

    id: int
    body_key: str
    body_label: str
    title: str
    starts_local: datetime  # naive, wall-clock in ``timezone``
    duration_minutes: int = 60
    location: str = ""
    link: str | None = None
    rrule: str | None = None
    until: date | None = None
    timezone: str = "Europe/London"
    # False when only the date is on record: the time in ``starts_local`` means nothing.
    time_stated: bool = True


@dataclass(frozen=True)
class Occurrence:
    """One meeting on one day."""

    series: MeetingSeries
    starts: datetime  # aware, in the meeting's time zone

    @property
    def ends(self) -> datetime:
        """When it ends."""
        return self.starts + timedelta(minutes=self.series.duration_minutes)

    @property
    def key(self) -> str:
        """A stable identifier of this occurrence (series id and local start)."""
        return f"{self.series.id}@{self.starts.strftime('%Y-%m-%dT%H:%M')}"


def zone_of(series: MeetingSeries) -> ZoneInfo:
    """The series' time zone (London when the stored name is unknown)."""
    try:
        return ZoneInfo(series.timezone)
    except (KeyError, ValueError):
        return LONDON


def _local_starts(series: MeetingSeries, first: datetime, last: datetime) -> list[datetime]:
    """Naive local start times of the series between naive local ``first`` and ``last``."""
    if not series.rrule:
        return [series.starts_local] if first <= series.starts_local <= last else []
    rule = rrulestr(series.rrule, dtstart=series.starts_local, ignoretz=True)
    if series.until is not None:
        last = min(last, datetime.combine(series.until, time.max))
    return list(rule.between(first, last, inc=True))


def occurrences(series: MeetingSeries, start: datetime, end: datetime) -> list[Occurrence]:
    """Occurrences starting within ``[start, end]`` (aware instants), in order.

    Raises:
        ValueError: when the stored RRULE cannot be read.
    """
    zone = zone_of(series)
    # Widen by a day each side so that the comparison on instants decides at the edges.
    first = start.astimezone(zone).replace(tzinfo=None) - timedelta(days=1)
    last = end.astimezone(zone).replace(tzinfo=None) + timedelta(days=1)
    found = []
    for local in _local_starts(series, first, last):
        aware = local.replace(tzinfo=zone)
        if start <= aware <= end:
            found.append(Occurrence(series, aware))
    return found


def upcoming(
    series_list: list[MeetingSeries], now: datetime, days: int = 92, limit: int = 50
) -> list[Occurrence]:
    """The next occurrences of several series, soonest first."""
    found: list[Occurrence] = []
    for series in series_list:
        found.extend(occurrences(series, now, now + timedelta(days=days)))
    return sorted(found, key=lambda o: (o.starts, o.series.body_key))[:limit]


def last_before(
    series_list: list[MeetingSeries], now: datetime, days: int = 400
) -> Occurrence | None:
    """The most recent occurrence that started before ``now`` (within ``days``), or None."""
    found: list[Occurrence] = []
    for series in series_list:
        found.extend(occurrences(series, now - timedelta(days=days), now - timedelta(seconds=1)))
    return max(found, key=lambda o: o.starts, default=None)


def valid_rrule(text: str, starts_local: datetime) -> bool:
    """True when ``text`` is an RRULE that dateutil can expand."""
    try:
        rrulestr(text, dtstart=starts_local, ignoretz=True)
    except (ValueError, TypeError):
        return False
    return True
