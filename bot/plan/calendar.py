"""A calendar that knows what it knows: confirmed meetings, and cadences without dates.

Pure functions over :class:`~bot.plan.meetings.MeetingSeries` (confirmed meetings only: storage
leaves placeholders out) and the bodies' cadences as the documents state them. Searching is
unbounded in time, so "the next X meeting" is found however far ahead (or back) it is.
"""

from __future__ import annotations

import calendar as month_days
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from dateutil.rrule import rrulestr

from bot.clock import LONDON
from bot.plan.meetings import MeetingSeries, Occurrence, zone_of

NOT_ON_RECORD = "time not yet on record"


@dataclass(frozen=True)
class Cadence:
    """A body that meets on a stated cadence but has no dates on record."""

    body_key: str
    body_label: str
    meets: str

    @property
    def line(self) -> str:
        """The cadence as one line: "DASVG: monthly ...; dates not yet on record"."""
        text = self.meets.rstrip(". ")
        if "on record" not in text:
            text += "; dates not yet on record"
        return f"{self.body_label}: {text}"


def _local_limit(series: MeetingSeries) -> datetime | None:
    return datetime.combine(series.until, time.max) if series.until else None


def _aware(series: MeetingSeries, local: datetime) -> Occurrence:
    return Occurrence(series, local.replace(tzinfo=zone_of(series)))


def next_of_series(series: MeetingSeries, after: datetime) -> Occurrence | None:
    """The first occurrence of ``series`` starting at or after ``after`` (aware), if any.

    Raises:
        ValueError: when the stored RRULE cannot be read.
    """
    local_after = after.astimezone(zone_of(series)).replace(tzinfo=None)
    if not series.rrule:
        found = series.starts_local if series.starts_local >= local_after else None
    else:
        rule = rrulestr(series.rrule, dtstart=series.starts_local, ignoretz=True)
        found = rule.after(local_after, inc=True)
        limit = _local_limit(series)
        if found is not None and limit is not None and found > limit:
            found = None
    return _aware(series, found) if found is not None else None


def last_of_series(series: MeetingSeries, before: datetime) -> Occurrence | None:
    """The last occurrence of ``series`` starting strictly before ``before`` (aware), if any.

    Raises:
        ValueError: when the stored RRULE cannot be read.
    """
    local_before = before.astimezone(zone_of(series)).replace(tzinfo=None)
    if not series.rrule:
        found = series.starts_local if series.starts_local < local_before else None
    else:
        rule = rrulestr(series.rrule, dtstart=series.starts_local, ignoretz=True)
        limit = _local_limit(series)
        if limit is not None:
            local_before = min(local_before, limit + timedelta(microseconds=1))
        found = rule.before(local_before, inc=False)
    return _aware(series, found) if found is not None else None


def next_meeting(series_list: Iterable[MeetingSeries], now: datetime) -> Occurrence | None:
    """The next confirmed meeting starting at or after ``now``, however far ahead."""
    found = [o for s in series_list if (o := next_of_series(s, now)) is not None]
    return min(found, key=lambda o: (o.starts, o.series.body_key), default=None)


def last_meeting(series_list: Iterable[MeetingSeries], now: datetime) -> Occurrence | None:
    """The most recent confirmed meeting that started before ``now``, however far back."""
    found = [o for s in series_list if (o := last_of_series(s, now)) is not None]
    return max(found, key=lambda o: (o.starts, o.series.body_key), default=None)


def cadences_without_dates(
    cadences: Mapping[str, tuple[str, str]],
    series_list: Iterable[MeetingSeries],
    now: datetime,
) -> list[Cadence]:
    """Bodies with a stated cadence and no confirmed meeting from ``now`` on.

    Args:
        cadences: body key -> (short name, cadence text), as stored.
        series_list: the confirmed meetings of (at least) those bodies.
        now: the instant from which a coming meeting would count.
    """
    by_body: dict[str, list[MeetingSeries]] = {}
    for series in series_list:
        by_body.setdefault(series.body_key, []).append(series)
    return [
        Cadence(key, label, meets)
        for key, (label, meets) in sorted(cadences.items())
        if next_meeting(by_body.get(key, []), now) is None
    ]


def date_label(occurrence: Occurrence) -> str:
    """The meeting's day, e.g. "Thu 9 Jun 2022"."""
    local = occurrence.starts.astimezone(LONDON)
    return f"{local:%a} {local.day} {local:%b %Y}"


def time_label(occurrence: Occurrence) -> str:
    """Start and end, "10:00–12:00", or that the time is not on record (never made up)."""
    if not occurrence.series.time_stated:
        return NOT_ON_RECORD
    ends = occurrence.ends.astimezone(LONDON)
    return f"{occurrence.starts.astimezone(LONDON):%H:%M}–{ends:%H:%M}"


def when_text(occurrence: Occurrence) -> str:
    """A meeting in words, with its time only when the time is on record.

    E.g. "Thursday 24 February 2022, 10:00–12:00", "Thursday 9 June 2022 (time not yet on
    record)".
    """
    local = occurrence.starts.astimezone(LONDON)
    day = f"{local:%A} {local.day} {local:%B %Y}"
    if not occurrence.series.time_stated:
        return f"{day} ({NOT_ON_RECORD})"
    return f"{day}, {time_label(occurrence)}"


def month_window(year: int, month: int) -> tuple[date, date]:
    """The first and last day of a month."""
    return date(year, month, 1), date(year, month, month_days.monthrange(year, month)[1])


def quarter_window(today: date) -> tuple[date, date]:
    """The calendar quarter containing ``today`` (January-March, April-June, ...)."""
    first_month = (today.month - 1) // 3 * 3 + 1
    return date(today.year, first_month, 1), month_window(today.year, first_month + 2)[1]
