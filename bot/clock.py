"""Time: a clock is injected everywhere; the partnership lives in Europe/London."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Protocol
from zoneinfo import ZoneInfo

LONDON = ZoneInfo("Europe/London")
# The days the plan can be shown "as of": a wider range means a mistyped year, and the ends
# of Python's calendar (9999) overflow date arithmetic.
FIRST_AS_OF = date(1990, 1, 1)
LAST_AS_OF = date(2199, 12, 31)


class Clock(Protocol):
    """Something that tells the current instant (timezone-aware, UTC)."""

    def now(self) -> datetime:
        """Return the current instant as an aware UTC datetime."""
        ...


class SystemClock:
    """The real clock."""

    def now(self) -> datetime:
        """Return the current instant as an aware UTC datetime."""
        return datetime.now(UTC)


class FixedClock:
    """A clock stopped at one instant (tests, the console's ``--as-of``)."""

    def __init__(self, instant: datetime) -> None:
        if instant.tzinfo is None:
            raise ValueError("FixedClock needs an aware datetime")
        self._instant = instant.astimezone(UTC)

    def now(self) -> datetime:
        """Return the fixed instant."""
        return self._instant

    def set(self, instant: datetime) -> None:
        """Move the clock (tests that step through time)."""
        self._instant = instant.astimezone(UTC)

    @classmethod
    def at_london_noon(cls, day: date) -> FixedClock:
        """A clock at midday London time on ``day`` (the console's ``--as-of``)."""
        return cls(datetime(day.year, day.month, day.day, 12, 0, tzinfo=LONDON))


def london_today(now: datetime) -> date:
    """The calendar date in Europe/London at instant ``now``."""
    return now.astimezone(LONDON).date()


def london_day_end(day: date) -> datetime:
    """The first instant after ``day`` ends in Europe/London (midnight starting the next day).

    "On or before day D" means strictly before this instant, in BST and GMT alike.
    """
    return datetime.combine(day + timedelta(days=1), time(0, 0), tzinfo=LONDON).astimezone(UTC)


def london_day_start(day: date) -> datetime:
    """The first instant of ``day`` in Europe/London (as an aware UTC datetime)."""
    return datetime.combine(day, time(0, 0), tzinfo=LONDON).astimezone(UTC)


def as_of_problem(day: date) -> str | None:
    """A plain sentence when ``day`` is outside the days the plan can be shown as of, else None."""
    if FIRST_AS_OF <= day <= LAST_AS_OF:
        return None
    return (
        f"I can show the plan as of a day between {FIRST_AS_OF.year} and {LAST_AS_OF.year}; "
        f"{day.isoformat()} is outside that."
    )
