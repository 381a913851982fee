"""Honest statuses: when a status was set, whether it was inferred, and whether it is stale.

A status the bot inferred from a report's narrative (updates loaded from the plan documents or
an import) is shown with its date, "On track, 30 Nov 2021", so nobody reads it as today's. A
status set before the deadline an action is now overdue against says nothing about the overdue
period: it is flagged stale. Changing a Complete action asks first.
"""

from __future__ import annotations

from datetime import date

from bot.clock import london_today
from bot.plan import rules
from bot.plan.types import ActionRecord

# Update sources whose status was not chosen by a person in Teams.
INFERRED_SOURCES = frozenset({"seed", "import"})
COMPLETE = "Complete"


def _day(day: date) -> str:
    return f"{day.day} {day:%b %Y}"


def status_label(action: ActionRecord) -> str:
    """The status as shown: with its date when it was inferred from a document."""
    status = rules.current_status(action)
    latest = action.latest
    if latest is not None and latest.source in INFERRED_SOURCES:
        return f"{status}, {_day(london_today(latest.created_at))}"
    return status


def is_stale(action: ActionRecord, today: date) -> bool:
    """Overdue, and its status was set before the deadline it is overdue against."""
    deadline = rules.effective_deadline(action)
    latest = action.latest
    return (
        latest is not None
        and deadline is not None
        and rules.is_overdue(action, today)
        and london_today(latest.created_at) < deadline
    )


def stale_note(action: ActionRecord, today: date) -> str:
    """The note for a stale status ("status from 30 Nov 2021, before the deadline"), else empty."""
    if not is_stale(action, today) or action.latest is None:
        return ""
    return f"status from {_day(london_today(action.latest.created_at))}, before the deadline"


def reopens(action: ActionRecord, new_status: str | None) -> bool:
    """True when an update would change a Complete action to another status."""
    return rules.current_status(action) == COMPLETE and new_status not in (None, COMPLETE)


def status_note(action: ActionRecord, today: date) -> str:
    """The line under a status: stale, or the date of an inferred status; else ""."""
    stale = stale_note(action, today)
    if stale:
        return f"stale: {stale}"
    latest = action.latest
    if latest is not None and latest.source in INFERRED_SOURCES:
        return f"{_day(london_today(latest.created_at))}, from a report"
    return ""
