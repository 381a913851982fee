"""Telling a store's caches that its sessions changed data, once the change is committed.

Caches of read-mostly data (the plan, who people are) check the database at most once a
second; a change made through the store's own sessions must be seen at once, so every commit
of such a session that wrote such rows bumps a generation counter the caches compare against.
The listeners sit on the store's sessionmaker only: other sessions in the process are not
watched (their changes are seen at the next check against the database).
"""

from __future__ import annotations

import threading
from typing import Any

from sqlalchemy import event
from sqlalchemy.orm import Session, sessionmaker

from storage.models import (
    Action,
    ActionOwner,
    Body,
    BodyAlias,
    Membership,
    Outcome,
    Person,
    Plan,
    ProgressUpdate,
    Section,
    Theme,
)

PLAN = "plan"
PEOPLE = "people"
_KINDS: dict[str, tuple[type[Any], ...]] = {
    PLAN: (Plan, Theme, Outcome, Section, Action, ActionOwner, ProgressUpdate, Body, BodyAlias),
    PEOPLE: (Person, Membership),
}


def mark_changed(session: Session, kind: str) -> None:
    """Note a change the ORM cannot see (a bulk UPDATE statement)."""
    session.info.setdefault("changed", set()).add(kind)


class Freshness:
    """Generation counters of the changes committed through one sessionmaker."""

    def __init__(self, sessions: sessionmaker[Session]) -> None:
        self._generations = dict.fromkeys(_KINDS, 0)
        self._lock = threading.Lock()
        event.listen(sessions, "before_flush", self._before_flush)
        event.listen(sessions, "after_commit", self._after_commit)
        event.listen(sessions, "after_rollback", self._after_rollback)

    def generation(self, kind: str) -> int:
        """How many committed changes of this kind were made through the watched sessions."""
        with self._lock:
            return self._generations[kind]

    @staticmethod
    def _before_flush(session: Session, *_: Any) -> None:
        rows = [*session.new, *session.dirty, *session.deleted]
        for kind, types in _KINDS.items():
            if any(isinstance(row, types) for row in rows):
                mark_changed(session, kind)

    def _after_commit(self, session: Session) -> None:
        changed = session.info.pop("changed", set())
        if changed:
            with self._lock:
                for kind in changed:
                    self._generations[kind] += 1

    @staticmethod
    def _after_rollback(session: Session) -> None:
        session.info.pop("changed", None)
