"""A plan's period: whether "today" is past it, and how to say so once in an answer.

Pure: the plan's dates and "today" are passed in.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from bot.plan.labels import day_label


class PlanChangeRefused(ValueError):
    """A change to the plan cannot be made as asked (the message says why, for the person)."""


@dataclass(frozen=True)
class Extension:
    """What an extension of a plan's period did, for the answer."""

    plan_title: str
    old_end: date | None
    new_end: date
    revised: tuple[tuple[str, date], ...] = ()


@dataclass(frozen=True)
class PlanPeriod:
    """The current plan's name and period (either end may be unknown)."""

    title: str
    starts: date | None
    ends: date | None
    extended_from: date | None = None


def has_ended(period: PlanPeriod, today: date) -> bool:
    """True when ``today`` is after the plan's last day."""
    return period.ends is not None and today > period.ends


def long_date(day: date) -> str:
    """A date in full, e.g. "31 March 2024"."""
    return f"{day.day} {day:%B %Y}"


def period_label(period: PlanPeriod) -> str:
    """The period in words, e.g. "1 April 2021 to 31 March 2025 (extended from 31 March 2024)"."""
    if period.ends is None:
        return "no end date on record"
    start = f"{long_date(period.starts)} to " if period.starts else "to "
    extended = f" (extended from {long_date(period.extended_from)})" if period.extended_from else ""
    return f"{start}{long_date(period.ends)}{extended}"


ADMIN_HINT = (
    "Admins: extend it with “extend plan to 31 March 2025: reason” (with revised deadlines: "
    "`python -m bot extend-plan --until 2025-03-31 --reason ... --deadlines FILE.csv`), or load "
    "the next plan with `python -m bot next-plan FILE --carry-unfinished`, which carries the "
    "unfinished actions over with their history."
)


def ended_notice(period: PlanPeriod, today: date, *, admin: bool = False) -> str | None:
    """The sentence an answer starts with when ``today`` is past the plan's end, else None."""
    if not has_ended(period, today) or period.ends is None:
        return None
    end = long_date(period.ends)
    text = (
        f"The {period.title} ended on {end}; figures are as of today ({day_label(today)}). "
        f"Ask “as of {end}” for the plan at its end."
    )
    return f"{text}\n\n{ADMIN_HINT}" if admin else text


def period_line(period: PlanPeriod, today: date) -> str:
    """One line for cards: "Safer Norfolk Plan 2021-24: 1 April 2021 to 31 March 2024 (ended)"."""
    state = " (ended)" if has_ended(period, today) else ""
    return f"{period.title}: {period_label(period)}{state}"
