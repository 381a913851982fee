"""What a body must update before a meeting, and what a member has due: pure rules.

An open action needs an update for a meeting when it is overdue, or when nothing was posted
on it since the body's previous meeting (or ever, when there was no previous meeting).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime

from bot.clock import london_today
from bot.plan import rules
from bot.plan.labels import day_label
from bot.plan.types import ActionRecord


@dataclass(frozen=True)
class Need:
    """An action and why it is listed ("12 days overdue", "no update yet", ...)."""

    action: ActionRecord
    reason: str


def _reason(action: ActionRecord, today: date, since: datetime | None) -> str:
    if rules.is_overdue(action, today):
        days = rules.days_overdue(action, today)
        return f"{days} day{'s' if days != 1 else ''} overdue"
    if action.latest is None:
        return "no update yet"
    if since is not None and action.latest.created_at < since:
        return f"no update since the last meeting ({day_label(london_today(since))})"
    return ""


def needing_update(
    actions: Iterable[ActionRecord], today: date, since: datetime | None
) -> list[Need]:
    """Open actions that need an update: overdue, or nothing posted since ``since``.

    Args:
        actions: the body's actions.
        today: the London date of the run.
        since: the start of the body's previous meeting (None: there was none).
    """
    found = []
    for action in actions:
        if rules.is_complete(action):
            continue
        reason = _reason(action, today, since)
        if reason:
            found.append(Need(action, reason))
    return sorted(found, key=lambda n: (not rules.is_overdue(n.action, today), _key(n)))


def still_missing(needs: Iterable[Need], prompted_at: datetime) -> list[Need]:
    """The needs on which nothing was posted since the prompt."""
    return [n for n in needs if n.action.latest is None or n.action.latest.created_at < prompted_at]


def due_from_member(actions: Iterable[ActionRecord], today: date, meeting_day: date) -> list[Need]:
    """Open actions overdue, or due on or before the meeting day, soonest deadline first."""
    found = []
    for action in actions:
        deadline = rules.effective_deadline(action)
        if rules.is_complete(action) or deadline is None or deadline > meeting_day:
            continue
        if rules.is_overdue(action, today):
            found.append(Need(action, _reason(action, today, None)))
        else:
            found.append(Need(action, f"due {day_label(deadline)}"))
    return sorted(found, key=lambda n: (rules.effective_deadline(n.action) or date.max, _key(n)))


def _key(need: Need) -> tuple[int, ...]:
    return rules.number_key(need.action.number)
