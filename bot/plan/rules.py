"""Pure rules over actions: deadlines, overdue, staleness. ``today`` is always passed in.

"Today" is the calendar date in Europe/London (see :func:`bot.clock.london_today`).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from datetime import date

from bot.clock import london_today
from bot.plan.statuses import COMPLETE, NO_UPDATE, STATUSES
from bot.plan.types import ActionRecord


def effective_deadline(action: ActionRecord) -> date | None:
    """The deadline that counts: the latest update's revised date, else the plan's deadline."""
    if action.latest is not None and action.latest.revised_date is not None:
        return action.latest.revised_date
    return action.deadline


def current_status(action: ActionRecord) -> str:
    """The latest update's status, or "No update yet"."""
    return action.latest.status if action.latest is not None else NO_UPDATE


def is_complete(action: ActionRecord) -> bool:
    """True when the latest update says the action is complete."""
    return current_status(action) == COMPLETE


def is_overdue(action: ActionRecord, today: date) -> bool:
    """Overdue: the effective deadline is before today and the action is not complete.

    Ongoing actions without a deadline are never overdue.
    """
    deadline = effective_deadline(action)
    return deadline is not None and deadline < today and not is_complete(action)


def days_overdue(action: ActionRecord, today: date) -> int:
    """Whole days since the effective deadline passed (0 when not overdue)."""
    deadline = effective_deadline(action)
    if deadline is None or not is_overdue(action, today):
        return 0
    return (today - deadline).days


def days_since_update(action: ActionRecord, today: date) -> int | None:
    """Days since the latest update (London dates), or None when there is none."""
    if action.latest is None:
        return None
    return (today - london_today(action.latest.created_at)).days


def needs_update_flag(action: ActionRecord, today: date, interval_days: int) -> bool:
    """True for an open action without a deadline whose last update is older than the interval.

    These are the ongoing actions that can never be overdue, so the reporting interval is what
    keeps them from being forgotten.
    """
    if is_complete(action) or effective_deadline(action) is not None:
        return False
    since = days_since_update(action, today)
    return since is None or since > interval_days


def due_between(action: ActionRecord, start: date, end: date) -> bool:
    """True when the effective deadline falls in ``[start, end]`` and the action is open."""
    deadline = effective_deadline(action)
    return deadline is not None and start <= deadline <= end and not is_complete(action)


def overdue_first(actions: Iterable[ActionRecord], today: date) -> list[ActionRecord]:
    """The overdue actions among ``actions``, most overdue first, then by action number."""
    overdue = [a for a in actions if is_overdue(a, today)]
    return sorted(overdue, key=lambda a: (-days_overdue(a, today), number_key(a.number)))


def number_key(number: str) -> tuple[int, ...]:
    """Sort key for action numbers: 1.2 < 1.10 < 2.1."""
    parts = []
    for part in number.split("."):
        parts.append(int(part) if part.isdigit() else 0)
    return tuple(parts)


def status_counts(actions: Iterable[ActionRecord]) -> dict[str, int]:
    """How many actions have each status; every action is counted exactly once."""
    counts = Counter(current_status(a) for a in actions)
    ordered = {status: counts.get(status, 0) for status in (*STATUSES, NO_UPDATE)}
    for status, count in counts.items():  # a status from an older import still adds up
        ordered.setdefault(status, count)
    return ordered
