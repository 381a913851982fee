"""Telling in-process caches that this process changed data, once the change is committed.

Caches of read-mostly data (the plan, who people are) check the database at most once a
second; a change made by this process must be seen at once, so every commit that wrote such
rows bumps a generation counter the caches compare against.
"""

from __future__ import annotations

import threading
from typing import Any

from sqlalchemy import event
from sqlalchemy.orm import Session

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

_KINDS: dict[str, tuple[type[Any], ...]] = {
    "plan": (Plan, Theme, Outcome, Section, Action, ActionOwner, ProgressUpdate, Body, BodyAlias),
    "people": (Person, Membership),
}
_generations = dict.fromkeys(_KINDS, 0)
_lock = threading.Lock()


def generation(kind: str) -> int:
    """How many committed changes of this kind this process has made."""
    with _lock:
        return _generations[kind]


def mark_changed(session: Session, kind: str) -> None:
    """Note a change the ORM cannot see (a bulk UPDATE statement)."""
    session.info.setdefault("changed", set()).add(kind)


@event.listens_for(Session, "before_flush")
def _before_flush(session: Session, *_: Any) -> None:
    rows = [*session.new, *session.dirty, *session.deleted]
    for kind, types in _KINDS.items():
        if any(isinstance(row, types) for row in rows):
            mark_changed(session, kind)


@event.listens_for(Session, "after_commit")
def _after_commit(session: Session) -> None:
    changed = session.info.pop("changed", set())
    if changed:
        with _lock:
            for kind in changed:
                _generations[kind] += 1


@event.listens_for(Session, "after_rollback")
def _after_rollback(session: Session) -> None:
    session.info.pop("changed", None)
