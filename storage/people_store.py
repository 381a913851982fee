"""The people store: who sends each turn, the bodies they work for, their reminders."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any

from cachetools import TTLCache
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from bot.plan.statuses import MEMBER
from bot.plan.types import Actor, PersonRecord
from storage import audit, people, reminders
from storage.conversations import personal_reference
from storage.db import database_errors, reading, transaction, writing
from storage.freshness import PEOPLE, Freshness

RECHECK_SECONDS = 1.0
KNOWN_PEOPLE = 10_000


class SqlPeopleStore:
    """:class:`bot.stores.PeopleStore` on SQLAlchemy.

    Who a known sender is (one query) is kept for a second, bounded to the 10,000 most recent
    people; a change made through the store's sessions is seen at once (``Freshness``).

    Args:
        sessions: the store's own sessions.
        freshness: their generation counters.
        domain_bodies: bodies a new person joins by e-mail domain (``MEMBERSHIP_DOMAINS``).
        timer: seconds from a monotonic clock (injected: tests step it).
    """

    def __init__(
        self,
        sessions: sessionmaker[Session],
        freshness: Freshness,
        domain_bodies: Mapping[str, tuple[str, ...]] | None = None,
        timer: Callable[[], float] = time.monotonic,
    ) -> None:
        self.sessions = sessions
        self._freshness = freshness
        self._domain_bodies = domain_bodies or {}
        self._recent: TTLCache[str, tuple[int, Sequence[Any]]] = TTLCache(
            KNOWN_PEOPLE, RECHECK_SECONDS, timer=timer
        )
        self._lock = threading.Lock()

    def identify(self, aad_object_id: str | None, name: str, email: str | None) -> PersonRecord:
        """The sender's person record: read (most turns change nothing), else written."""
        if aad_object_id:
            with reading(self.sessions) as session:
                person = people.known_person(
                    session, aad_object_id, name, email, self._rows(session, aad_object_id)
                )
            if person is not None:
                return person
        with database_errors():
            return self._ensure(aad_object_id, name, email)

    def _ensure(self, aad_object_id: str | None, name: str, email: str | None) -> PersonRecord:
        for attempt in (1, 2):
            try:
                with transaction(self.sessions) as session:
                    return people.ensure_person(
                        session,
                        aad_object_id=aad_object_id,
                        name=name,
                        email=email,
                        domain_bodies=self._domain_bodies,
                    )
            except IntegrityError:
                # Two first turns of one person at once: the other created the row; use it.
                if attempt == 2:
                    raise
        raise AssertionError("unreachable")

    def _rows(self, session: Session, aad_object_id: str) -> Sequence[Any]:
        generation = self._freshness.generation(PEOPLE)
        with self._lock:
            cached = self._recent.get(aad_object_id)
        if cached is not None and cached[0] == generation:
            return cached[1]
        rows = people.person_rows(session, aad_object_id)
        with self._lock:
            self._recent[aad_object_id] = (generation, rows)
        return rows

    def person(self, person_id: int) -> PersonRecord | None:
        """A person with their memberships, or None."""
        with reading(self.sessions) as session:
            return people.person_by_id(session, person_id)

    def add_bodies(
        self, person_id: int, body_keys: Iterable[str], actor: Actor, now: datetime
    ) -> PersonRecord | None:
        """Add member memberships the person does not have yet (audited)."""
        with writing(self.sessions) as session:
            before = people.person_by_id(session, person_id)
            if before is None:
                return None
            people.add_memberships(session, person_id, body_keys, role=MEMBER, source="self")
            after = people.person_by_id(session, person_id)
            _audit_bodies(session, actor, person_id, before, after, now)
            return after

    def set_bodies(
        self, person_id: int, body_keys: Iterable[str], actor: Actor, now: datetime
    ) -> PersonRecord | None:
        """Make the person a member of exactly these bodies (audited).

        Raises:
            KeyError: when a key names no body (nothing is changed).
        """
        with writing(self.sessions) as session:
            before = people.person_by_id(session, person_id)
            people.set_member_bodies(session, person_id, body_keys)
            after = people.person_by_id(session, person_id)
            _audit_bodies(session, actor, person_id, before, after, now)
            return after

    def chairs_of(self, body_key: str) -> list[str]:
        """Names (or e-mails) of a body's chairs."""
        with reading(self.sessions) as session:
            return people.chairs_of(session, body_key)

    def reminders_on(self, person_id: int) -> bool:
        """Whether the person gets meeting reminders."""
        with reading(self.sessions) as session:
            return reminders.is_subscribed(session, person_id)

    def set_reminders(self, person_id: int, on: bool, now: datetime) -> None:
        """Turn the person's meeting reminders on or off."""
        with writing(self.sessions) as session:
            if on:
                reminders.subscribe(session, person_id, now)
            else:
                reminders.unsubscribe(session, person_id)

    def has_personal_chat(self, aad_object_id: str | None) -> bool:
        """Whether the bot can message the person 1:1 (an active personal chat is stored)."""
        if not aad_object_id:
            return False
        with reading(self.sessions) as session:
            return personal_reference(session, aad_object_id) is not None


def _audit_bodies(
    session: Session,
    actor: Actor,
    person_id: int,
    before: PersonRecord | None,
    after: PersonRecord | None,
    now: datetime,
) -> None:
    old = before.body_keys if before else ()
    new = after.body_keys if after else ()
    if set(old) != set(new):
        audit.record(
            session,
            actor,
            "membership.changed",
            "person",
            str(person_id),
            now=now,
            before={"bodies": sorted(old)},
            after={"bodies": sorted(new)},
        )
