"""How the plan stood on past days, replayed from the update history with the plan's own rules.

An action's latest update at an instant is, as in ``storage.plan_queries``, the one with the
highest id among those posted before it. Each past state is an ordinary
:class:`~bot.plan.types.ActionRecord`, so "overdue" and "complete" are decided by
``bot.plan.rules`` exactly as in every chat answer.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from bot.clock import london_day_end, london_today
from bot.plan import rules
from bot.plan.types import ActionRecord, UpdateRecord

MAX_POINTS = 12


def with_latest(action: ActionRecord, latest: UpdateRecord | None) -> ActionRecord:
    """``action`` as it stood with ``latest`` as its newest update.

    The same as ``dataclasses.replace(action, latest=latest)``, which costs about 30 us a call
    (it rebuilds the record through ``__init__`` field by field); a replay makes tens of
    thousands. A frozen dataclass' fields are its instance dictionary, copied here.
    """
    state = object.__new__(ActionRecord)
    state.__dict__.update(action.__dict__)
    state.__dict__["latest"] = latest
    return state


class Timeline:
    """One action's states: before any update, then after each (by posting time)."""

    __slots__ = ("action", "latest", "posted", "states")

    def __init__(self, action: ActionRecord, updates: Sequence[UpdateRecord]) -> None:
        self.action = action
        ordered = sorted(updates, key=lambda u: (u.created_at, u.id))
        self.posted = [u.created_at for u in ordered]
        # latest[k]: the highest-id update among the first k posted (None for k = 0).
        self.latest: list[UpdateRecord | None] = [None]
        for update in ordered:
            best = self.latest[-1]
            self.latest.append(update if best is None or update.id > best.id else best)
        self.states: dict[int, ActionRecord] = {}

    def at(self, instant: datetime) -> ActionRecord:
        """The action as it stood at ``instant`` (updates posted before it)."""
        k = bisect_left(self.posted, instant)
        state = self.states.get(k)
        if state is None:
            state = with_latest(self.action, self.latest[k])
            self.states[k] = state
        return state


def timelines(
    records: Sequence[ActionRecord], history: Mapping[int, Sequence[UpdateRecord]]
) -> list[Timeline]:
    """A timeline for each action in ``records``."""
    return [Timeline(a, history.get(a.id, ())) for a in records]


def _month_end(year: int, month: int) -> date:
    following = date(year + month // 12, month % 12 + 1, 1)
    return following - timedelta(days=1)


def sample_days(start: date, end: date, points: int = MAX_POINTS) -> list[date]:
    """Month ends from ``start``'s month to before ``end``, at most ``points`` days with ``end``.

    Evenly spaced month ends counted back from the latest, so that the days stay the same
    all month (past points can be kept) and the chart ends with ``end`` itself.
    """
    ends = []
    year, month = start.year, start.month
    while (last := _month_end(year, month)) < end:
        ends.append(last)
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    step = max(1, -(-len(ends) // max(1, points - 1)))
    chosen = ends[::-1][::step][::-1]
    return [*chosen, end]


def overdue_series(lines: Sequence[Timeline], days: Sequence[date]) -> list[tuple[date, int]]:
    """How many actions were overdue at the end of each day (London time)."""
    series = []
    for day in days:
        cut = london_day_end(day)
        series.append((day, sum(1 for line in lines if rules.is_overdue(line.at(cut), day))))
    return series


@dataclass(frozen=True)
class Change:
    """What happened to an action since an instant (the last meeting)."""

    action: ActionRecord
    before: str
    after: str
    newly_overdue: bool
    completed: bool


def changes_since(
    lines: Sequence[Timeline], current: Mapping[int, ActionRecord], since: datetime, today: date
) -> list[Change]:
    """Actions whose status changed, or that became overdue, since ``since``.

    Newly overdue first (what slipped), then the rest, each group in action-number order.
    ``current`` is each action as it stands ``today`` (the records every answer uses).
    """
    then_day = london_today(since)
    found = []
    for line in lines:
        now = current.get(line.action.id)
        if now is None:
            continue
        then = line.at(since)
        before, after = rules.current_status(then), rules.current_status(now)
        slipped = rules.is_overdue(now, today) and not rules.is_overdue(then, then_day)
        if before != after or slipped:
            completed = rules.is_complete(now) and not rules.is_complete(then)
            found.append(Change(now, before, after, slipped, completed))
    found.sort(key=lambda c: (not c.newly_overdue, rules.number_key(c.action.number)))
    return found
