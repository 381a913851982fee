"""Whole plans as records, kept while their version holds: the plan store's read cache.

Reading a plan is a dozen queries' worth of work per turn; its version is one cheap query, and
within ``recheck_seconds`` of a check not even that. The version is the plan's ``revision``
(bumped by imports), whether it is current, and the newest progress update id and the number
of updates (updates are append-only), so a change made by another bot instance is seen within
that second; one made through the store's own sessions is seen at once (``Freshness``). When
only progress updates were added, just those are read and applied to the records kept:
posting an update does not cost the next turn the whole plan.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy.orm import Session

from bot.plan.types import ActionRecord, PlanRecord
from storage.freshness import PLAN, Freshness
from storage.gcpause import GcPause
from storage.models import Action
from storage.plan_queries import (
    Version,
    plan_version,
    read_actions,
    read_plan_record,
    with_new_updates,
)

RECHECK_SECONDS = 1.0


@dataclass
class _Entry:
    """One plan as last read: its version, and each part once something asked for it."""

    plan_id: int
    key: str
    version: Version
    checked: float
    generation: int
    records: list[ActionRecord] | None = None
    plan: PlanRecord | None = None


class PlanCache:
    """A few plans of one database, each kept while its version holds.

    Args:
        freshness: the generation counters of the store's sessions.
        timer: seconds from a monotonic clock (injected: tests step it).
        recheck_seconds: how long a version check holds.
        size: how many plans are kept.
    """

    def __init__(
        self,
        freshness: Freshness,
        timer: Callable[[], float] = time.monotonic,
        recheck_seconds: float = RECHECK_SECONDS,
        size: int = 16,
    ) -> None:
        # One entry per plan key; "the current plan" (plan_key None) is an alias to its key's
        # entry, so a question naming the plan and one that does not share a read.
        self._entries: OrderedDict[str, _Entry] = OrderedDict()
        self._current: str | None = None
        self._freshness = freshness
        self._timer = timer
        self.recheck_seconds = recheck_seconds
        self._size = size
        self._lock = threading.Lock()
        self._gc = GcPause()

    def _fresh(self, plan_key: str | None, now: float, generation: int) -> _Entry | None:
        """The plan's entry when it needs no check against the database yet, else None."""
        with self._lock:
            known = plan_key if plan_key is not None else self._current
            entry = self._entries.get(known) if known is not None else None
        if (
            entry is not None
            and now - entry.checked < self.recheck_seconds
            and entry.generation == generation
            and (plan_key is not None or entry.version.is_current)
        ):
            return entry
        return None

    def kept_plan(self, plan_key: str | None) -> PlanRecord | None:
        """The plan's record when it is kept and needs no check yet (no session needed)."""
        entry = self._fresh(plan_key, self._timer(), self._freshness.generation(PLAN))
        return entry.plan if entry is not None else None

    def kept_actions(self, plan_key: str | None) -> tuple[str, list[ActionRecord]] | None:
        """What :meth:`get` gives, when it is kept and needs no check yet (no session needed)."""
        entry = self._fresh(plan_key, self._timer(), self._freshness.generation(PLAN))
        if entry is None or entry.records is None:
            return None
        return entry.key, entry.records

    def entry(self, session: Session, plan_key: str | None) -> _Entry:
        """The plan's entry, checked against the database when due."""
        now = self._timer()
        generation = self._freshness.generation(PLAN)
        entry = self._fresh(plan_key, now, generation)
        if entry is not None:
            return entry
        plan_id, key, version = plan_version(session, plan_key)
        with self._lock:
            entry = self._entries.get(key)
        new = _Entry(plan_id, key, version, now, generation)
        if entry is not None and entry.plan_id == plan_id:
            same_plan = (entry.version.revision, entry.version.is_current) == (
                version.revision,
                version.is_current,
            )
            if same_plan:
                new.plan = entry.plan
                if entry.version == version or entry.records is None:
                    new.records = entry.records
                else:
                    new.records = with_new_updates(session, entry.records, entry.version, version)
        with self._lock:
            self._entries[key] = new
            self._entries.move_to_end(key)
            if plan_key is None:
                self._current = key
            while len(self._entries) > self._size:
                self._entries.popitem(last=False)
        return new

    def get(self, session: Session, plan_key: str | None) -> tuple[str, list[ActionRecord]]:
        """(key, every action of the plan as records, in number order)."""
        entry = self.entry(session, plan_key)
        records = entry.records
        if records is None:
            with self._gc.paused():
                records = read_actions(session, entry.key, [Action.plan_id == entry.plan_id])
            entry.records = records
        return entry.key, records

    def plan(self, session: Session, plan_key: str | None) -> PlanRecord:
        """The plan's themes, outcomes and sections."""
        entry = self.entry(session, plan_key)
        plan = entry.plan
        if plan is None:
            plan = read_plan_record(session, entry.key)
            entry.plan = plan
        return plan

    def warm(self, session: Session, plan_key: str | None = None) -> int:
        """Read the plan now if it changed, so that no turn has to; the number of actions.

        Raises:
            PlanNotFound: when there is no such plan (or no current plan).
        """
        self.plan(session, plan_key)
        return len(self.get(session, plan_key)[1])
