"""The dashboard's update history and past overdue counts, kept while they hold.

Replaying a 5,500-action plan's history takes most of a second, so it is kept, per running bot
(owned by the tab, not a module global), and renewed off the pages' path by the cache keeper:

- the history (every update's status and dates) is read once per plan revision; when only
  updates were added (they are append-only) just those are read, as ``storage.plan_queries``
  does for the plan itself;
- an overdue count for a day before today never changes once that day is over: updates are
  stamped with the time they are posted, and only an import (a new plan revision) can add
  older ones. So the past points of the chart are kept per revision, scope and day, and only
  today's point is worked out afresh (it is the status card's own overdue count).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from datetime import date

from sqlalchemy.orm import Session, sessionmaker

from bot.plan.types import ActionRecord, UpdateRecord
from bot.tab import trend
from storage.update_history import HistoryVersion, history_version, status_history, updates_after

Scope = tuple[str, ...] | None
MAX_SERIES = 64


class HistoryCache:
    """Thread-safe; shared by all requests of one running bot."""

    def __init__(self, sessions: sessionmaker[Session]) -> None:
        self.sessions = sessions
        self._lock = threading.Lock()
        self._version: HistoryVersion | None = None
        self._history: dict[int, list[UpdateRecord]] = {}
        self._lines: dict[int, trend.Timeline] = {}
        self._series: dict[tuple[object, ...], list[tuple[date, int]]] = {}
        self._changes: dict[tuple[object, ...], list[trend.Change]] = {}

    def history(self, plan_key: str) -> HistoryVersion:
        """Bring the history up to date with the database (one small query when it is).

        Raises:
            PlanNotFound: when there is no such plan.
        """
        with self.sessions() as session:
            return self._refresh(session, plan_key)

    def _refresh(self, session: Session, plan_key: str) -> HistoryVersion:
        version = history_version(session, plan_key)
        with self._lock:
            known = self._version
        if known == version:
            return version
        same_plan = known is not None and known[:2] == version[:2]
        history: dict[int, list[UpdateRecord]] | None = None
        lines: dict[int, trend.Timeline] = {}
        if same_plan and known is not None and version.newest_update > known.newest_update:
            added = updates_after(session, plan_key, known.newest_update)
            if known.updates + sum(len(v) for v in added.values()) == version.updates:
                with self._lock:
                    history = dict(self._history)
                    # Only the actions that got an update need their timeline again.
                    lines = {k: v for k, v in self._lines.items() if k not in added}
                for action_id, updates in added.items():
                    history[action_id] = [*history.get(action_id, ()), *updates]
        if history is None:
            history = status_history(session, plan_key)
        with self._lock:
            if not same_plan:
                self._series.clear()
            self._version, self._history, self._lines = version, history, lines
            self._changes.clear()
        return version

    def timelines(self, records: Sequence[ActionRecord]) -> list[trend.Timeline]:
        """Each action's timeline (kept until the history changes)."""
        with self._lock:
            history, lines = self._history, self._lines
        found = []
        for record in records:
            line = lines.get(record.id)
            if line is None:
                line = trend.Timeline(record, history.get(record.id, ()))
                lines[record.id] = line
            found.append(line)
        return found

    def changes(
        self,
        version: HistoryVersion,
        scope: tuple[object, ...],
        compute: Callable[[], list[trend.Change]],
    ) -> list[trend.Change]:
        """What changed since the last meeting, kept until the history changes."""
        key = (version, *scope)
        with self._lock:
            found = self._changes.get(key)
        if found is None:
            found = compute()
            with self._lock:
                if len(self._changes) >= MAX_SERIES:
                    self._changes.clear()
                self._changes[key] = found
        return found

    def past_series(
        self,
        version: HistoryVersion,
        scope: Scope,
        days: Sequence[date],
        compute: Callable[[Sequence[date]], list[tuple[date, int]]],
    ) -> list[tuple[date, int]]:
        """Overdue counts for ``days`` (all before today), kept per plan revision and scope."""
        key = (version.plan_key, version.revision, scope, tuple(days))
        with self._lock:
            found = self._series.get(key)
        if found is None:
            found = compute(days)
            with self._lock:
                if len(self._series) >= MAX_SERIES:
                    self._series.clear()
                self._series[key] = found
        return found
