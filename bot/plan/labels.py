"""How dates, deadlines and flags are written for people (cards, messages and reports)."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from bot.clock import LONDON
from bot.plan import rules
from bot.plan.types import ActionRecord


def day_label(day: date) -> str:
    """A date as people in the partnership write it: 31 Oct 2022."""
    return f"{day.day} {day:%b %Y}"


def when_label(starts: datetime, duration_minutes: int | None = None) -> str:
    """A meeting's start in London time: "Wednesday 9 March 2022, 10:00" (and the end time)."""
    local = starts.astimezone(LONDON)
    label = f"{local:%A} {local.day} {local:%B %Y}, {local:%H:%M}"
    if duration_minutes:
        end = (starts + timedelta(minutes=duration_minutes)).astimezone(LONDON)
        label += f"–{end:%H:%M}"
    return label


def deadline_label(action: ActionRecord) -> str:
    """The deadline that counts, and where it comes from."""
    deadline = rules.effective_deadline(action)
    if deadline is None:
        if not action.due_readable:
            return f"{action.due_text or 'none'} (date not readable)"
        return "Ongoing" if action.ongoing else "No deadline"
    revised = action.latest is not None and action.latest.revised_date is not None
    label = day_label(deadline) + (" (revised)" if revised else "")
    return label + (", then ongoing" if action.ongoing else "")


def flag_for(action: ActionRecord, today: date, interval_days: int) -> str:
    """The flag of an action: "42 days overdue", "no update for 120 days", "no update yet" or ""."""
    if rules.is_overdue(action, today):
        days = rules.days_overdue(action, today)
        return f"{days} day{'s' if days != 1 else ''} overdue"
    if rules.needs_update_flag(action, today, interval_days):
        since = rules.days_since_update(action, today)
        return "no update yet" if since is None else f"no update for {since} days"
    return ""
