"""The people store: who sends each turn, the bodies they work for, their reminders."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable, Mapping
from datetime import datetime

from cachetools import TTLCache
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from bot.plan.types import Actor, ChoiceResult, PendingRequest, PersonRecord
from storage import meeting_nudges, people, reminders
from storage import membership_requests as requests
from storage.conversations import personal_reference
from storage.db import database_errors, reading, transaction, writing
from storage.freshness import PEOPLE, Freshness

RECHECK_SECONDS = 1.0
KNOWN_PEOPLE = 10_000


class SqlPeopleStore:
    """:class:`bot.stores.PeopleStore` on SQLAlchemy.

    Who a known sender is (one query) is kept for a second, per name, e-mail and tenant they
    came with, bounded to the 10,000 most recent; within it, a sender who comes again as they
    were is answered without opening a session (most turns). A change made through the
    store's sessions is seen at once (``Freshness``).

    Args:
        sessions: the store's own sessions.
        freshness: their generation counters.
        domain_bodies: bodies a new person joins by e-mail domain (``MEMBERSHIP_DOMAINS``).
        domain_tenants: domains whose rules apply only to accounts of their own tenants
            (``MEMBERSHIP_DOMAIN_TENANTS``).
        timer: seconds from a monotonic clock (injected: tests step it).
    """

    def __init__(
        self,
        sessions: sessionmaker[Session],
        freshness: Freshness,
        domain_bodies: Mapping[str, tuple[str, ...]] | None = None,
        timer: Callable[[], float] = time.monotonic,
        *,
        domain_tenants: Mapping[str, frozenset[str]] | None = None,
    ) -> None:
        self.sessions = sessions
        self._freshness = freshness
        self._domain_bodies = domain_bodies or {}
        self._domain_tenants = domain_tenants or {}
        # (object id, name, e-mail, tenant) -> (generation, the person found for exactly that).
        self._identified: TTLCache[tuple[str, str, str | None, str], tuple[int, PersonRecord]] = (
            TTLCache(KNOWN_PEOPLE, RECHECK_SECONDS, timer=timer)
        )
        self._lock = threading.Lock()

    def identify(
        self, aad_object_id: str | None, name: str, email: str | None, *, tenant_id: str = ""
    ) -> PersonRecord | None:
        """The sender's person record: read (most turns change nothing), else written.

        None for a sender without a valid AAD object id and without an e-mail address that
        is free to use, or whose object id is on record for another tenant (nothing is
        written for them).
        """
        aad_object_id = people.valid_aad_id(aad_object_id)
        tenant_id = tenant_id.lower()
        if aad_object_id:
            key = (aad_object_id, name, email, tenant_id)
            generation = self._freshness.generation(PEOPLE)  # before reading: a race re-reads
            with self._lock:
                kept = self._identified.get(key)
            if kept is not None and kept[0] == generation:
                return kept[1]
            with reading(self.sessions) as session:
                person = people.known_person(session, aad_object_id, name, email, tenant_id)
            if person is not None:
                with self._lock:
                    self._identified[key] = (generation, person)
                return person
        with database_errors():
            return self._ensure(aad_object_id, name, email, tenant_id)

    def _ensure(
        self, aad_object_id: str | None, name: str, email: str | None, tenant_id: str
    ) -> PersonRecord | None:
        for attempt in (1, 2):
            try:
                with transaction(self.sessions) as session:
                    return people.ensure_person(
                        session,
                        aad_object_id=aad_object_id,
                        name=name,
                        email=email,
                        domain_bodies=self._domain_bodies,
                        tenant_id=tenant_id,
                        domain_tenants=self._domain_tenants,
                    )
            except people.Unidentifiable:
                return None
            except IntegrityError:
                # Two first turns of one person at once: the other created the row; use it.
                if attempt == 2:
                    raise
        raise AssertionError("unreachable")

    def person(self, person_id: int) -> PersonRecord | None:
        """A person with their memberships, or None."""
        with reading(self.sessions) as session:
            return people.person_by_id(session, person_id)

    def add_bodies(
        self, person_id: int, body_keys: Iterable[str], actor: Actor, now: datetime
    ) -> ChoiceResult:
        """Ask to join these bodies: pending requests (audited); their approvers are sent a card."""
        with writing(self.sessions) as session:
            result = requests.request_bodies(session, person_id, body_keys, actor, now)
            result.notified = requests.plan_approver_notices(
                session, person_id, result.requested, now
            )
            return result

    def set_bodies(
        self, person_id: int, body_keys: Iterable[str], actor: Actor, now: datetime
    ) -> ChoiceResult:
        """Make the person's own choice of bodies exactly these (see ``choose_bodies``).

        Raises:
            KeyError: when a key names no body (nothing is changed).
        """
        with writing(self.sessions) as session:
            result = requests.choose_bodies(session, person_id, body_keys, actor, now)
            result.notified = requests.plan_approver_notices(
                session, person_id, result.requested, now
            )
            return result

    def pending_requests(self, body_keys: Iterable[str] | None) -> list[PendingRequest]:
        """Requests to join these bodies (None: every body) waiting for a decision."""
        with reading(self.sessions) as session:
            return requests.pending_requests(session, body_keys)

    def decide_request(
        self, person_id: int, body_key: str, *, approve: bool, actor: Actor, now: datetime
    ) -> bool:
        """Approve or refuse one pending request (audited); False when there is none."""
        with writing(self.sessions) as session:
            return requests.decide_request(
                session, person_id, body_key, approve=approve, actor=actor, now=now
            )

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

    def known_person(self, aad_object_id: str) -> PersonRecord | None:
        """A person already on record by AAD object id (nothing is written), or None."""
        if not people.valid_aad_id(aad_object_id):
            return None
        with reading(self.sessions) as session:
            return people.find_person(session, aad_object_id)

    def meeting_nudges_off(self, person_ids: list[int]) -> set[int]:
        """Which of these people said "stop meeting nudges"."""
        with reading(self.sessions) as session:
            return meeting_nudges.opted_out(session, person_ids)

    def set_meeting_nudges(self, person_id: int, on: bool, actor: Actor, now: datetime) -> bool:
        """Turn the person's meeting nudges on or off (audited); False when already so."""
        with writing(self.sessions) as session:
            return meeting_nudges.set_wanted(session, person_id, on, actor, now)

    def claim_meeting_nudge(self, meeting_key: str, person_id: int, now: datetime) -> bool:
        """Record the one nudge of this person in this meeting; True only the first time."""
        with writing(self.sessions) as session:
            return meeting_nudges.claim(session, meeting_key, person_id, now)

    def release_meeting_nudge(self, meeting_key: str, person_id: int) -> None:
        """Forget a nudge that could not be sent (the next join may send it)."""
        with writing(self.sessions) as session:
            meeting_nudges.release(session, meeting_key, person_id)

    def has_personal_chat(self, aad_object_id: str | None) -> bool:
        """Whether the bot can message the person 1:1 (an active personal chat is stored)."""
        if not aad_object_id:
            return False
        with reading(self.sessions) as session:
            return personal_reference(session, aad_object_id) is not None
