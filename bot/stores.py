"""What handlers may ask of the database: three stores with intention-named reads and writes.

Handlers see these protocols only; ``storage.stores`` implements them on SQLAlchemy (SQLite or
PostgreSQL) and ``tests/fakes/store.py`` in memory. Every read and write hands out the plan's
plain record types (``bot.plan.types``), never rows or sessions. Writes that people make are
audited in the same transaction. When the database fails, every method raises
``StoreUnavailable`` (the dispatcher answers "nothing was changed, try again").
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date, datetime
from typing import Any, Protocol

from bot.plan.forms import MeetingDraft
from bot.plan.meetings import MeetingSeries
from bot.plan.period import Extension
from bot.plan.schedule import BodyRules
from bot.plan.scrutiny import Response, ScrutinyItem
from bot.plan.types import (
    ActionRecord,
    Actor,
    AuditRecord,
    ChoiceResult,
    DeliveryProblem,
    LinkRecord,
    NewUpdate,
    PendingRequest,
    PersonRecord,
    PlanRecord,
    RecordedUpdate,
    UpdateRecord,
)
from bot.plan.vocabulary import Vocabulary


class PlanStore(Protocol):
    """The plan: its priorities, actions, updates and audit log; names for understanding."""

    def vocabulary(self) -> Vocabulary:
        """Body names and section titles (kept a minute: bodies rarely change)."""
        ...

    def keep_warm(self) -> None:
        """Read ahead what turns would otherwise read (the web app calls it every second)."""
        ...

    def forget_vocabulary(self) -> None:
        """Drop the vocabulary after bodies or plans changed (an import)."""
        ...

    def plan(self, plan_key: str | None = None) -> PlanRecord:
        """A plan (None: the current one) with its themes and outcomes.

        Raises:
            PlanNotFound: when there is no such plan.
        """
        ...

    def plans(self) -> list[PlanRecord]:
        """Every plan, current first."""
        ...

    def actions_for(
        self,
        bodies: Iterable[str] | None,
        *,
        as_of: date | None = None,
        plan_key: str | None = None,
        numbers: Iterable[str] | None = None,
        theme: int | None = None,
        section: str | None = None,
        words: Iterable[str] | None = None,
    ) -> list[ActionRecord]:
        """Actions owned by any of ``bodies`` (None: all), narrowed, in number order.

        ``as_of``: each action's latest update is the newest posted by the end of that day.

        Raises:
            PlanNotFound: when there is no such plan.
        """
        ...

    def action(self, number: str, plan_key: str | None = None) -> ActionRecord | None:
        """One action by its number (in the current plan by default), or None."""
        ...

    def action_by_id(self, action_id: int) -> ActionRecord | None:
        """One action by the id card data carries, or None."""
        ...

    def history(self, action_id: int) -> list[UpdateRecord]:
        """Every update of an action, newest first."""
        ...

    def posted_between(
        self, action_ids: Iterable[int], since: datetime, until: datetime, *, limit: int
    ) -> tuple[int, list[tuple[int, UpdateRecord]]]:
        """How many updates of these actions were posted in ``[since, until)``, and the newest."""
        ...

    def record_update(
        self, update: NewUpdate, actor: Actor, now: datetime, *, notify_from: str | None
    ) -> RecordedUpdate:
        """Store an update once per key, audited; plan notices unless ``notify_from`` is None.

        ``notify_from`` is the conversation the update came from (it gets no notice).

        Raises:
            StoreUnavailable: when the database failed; nothing was stored.
        """
        ...

    def audit_entries(
        self, subject_key: str | None, *, limit: int, offset: int
    ) -> list[AuditRecord]:
        """Audit entries, newest first, of one subject or of everything."""
        ...

    # --- issue 16: the plan's period and the scrutiny requests --------------------------

    def extend_plan(self, until: date, reason: str, actor: Actor, now: datetime) -> Extension:
        """Move the current plan's end (audited).

        Raises:
            PlanChangeRefused: when the date or reason will not do (nothing changed).
            PlanNotFound: when no plan is current.
        """
        ...

    def scrutiny(
        self,
        *,
        owner_keys: Iterable[str] | None = None,
        asked_by_keys: Iterable[str] | None = None,
        open_only: bool = False,
    ) -> list[ScrutinyItem]:
        """Requests and recommendations, oldest first (owners include their parts)."""
        ...

    def scrutiny_item(self, request_id: int) -> ScrutinyItem | None:
        """One request by id, or None."""
        ...

    def record_scrutiny_response(
        self, request_id: int, response: Response, actor: Actor, now: datetime
    ) -> ScrutinyItem:
        """Record the response to a request (audited).

        Raises:
            RequestRefused: when the request is unknown or the response will not do.
        """
        ...


class PeopleStore(Protocol):
    """People, the bodies they work for, and their reminders."""

    def identify(
        self, aad_object_id: str | None, name: str, email: str | None, *, tenant_id: str = ""
    ) -> PersonRecord | None:
        """The sender's person record, created or refreshed when needed (None: nobody to go by).

        ``tenant_id`` is the account's tenant when known: the same object id from another
        tenant than the one on record is not that person (None).
        """
        ...

    def person(self, person_id: int) -> PersonRecord | None:
        """A person with their memberships, or None."""
        ...

    def add_bodies(
        self, person_id: int, body_keys: Iterable[str], actor: Actor, now: datetime
    ) -> ChoiceResult:
        """Ask to join these bodies (pending until a chair or admin approves; audited)."""
        ...

    def set_bodies(
        self, person_id: int, body_keys: Iterable[str], actor: Actor, now: datetime
    ) -> ChoiceResult:
        """Make the person's own choice exactly these bodies (requests; operator's kept)."""
        ...

    def pending_requests(self, body_keys: Iterable[str] | None) -> list[PendingRequest]:
        """Requests to join these bodies (None: every body) waiting for a decision."""
        ...

    def decide_request(
        self, person_id: int, body_key: str, *, approve: bool, actor: Actor, now: datetime
    ) -> bool:
        """Approve or refuse one pending request (audited); False when there is none."""
        ...

    def chairs_of(self, body_key: str) -> list[str]:
        """Names (or e-mails) of a body's chairs."""
        ...

    def reminders_on(self, person_id: int) -> bool:
        """Whether the person gets meeting reminders."""
        ...

    def set_reminders(self, person_id: int, on: bool, now: datetime) -> None:
        """Turn the person's meeting reminders on or off."""
        ...

    def known_person(self, aad_object_id: str) -> PersonRecord | None:
        """A person already on record by AAD object id (nothing is written), or None."""
        ...

    def meeting_nudges_off(self, person_ids: list[int]) -> set[int]:
        """Which of these people said "stop meeting nudges"."""
        ...

    def set_meeting_nudges(self, person_id: int, on: bool, actor: Actor, now: datetime) -> bool:
        """Turn the person's meeting nudges on or off (audited); False when already so."""
        ...

    def claim_meeting_nudge(self, meeting_key: str, person_id: int, now: datetime) -> bool:
        """Record the one nudge of this person in this meeting; True only the first time.

        Exactly once across repeated events and bot instances (a database unique key).
        """
        ...

    def release_meeting_nudge(self, meeting_key: str, person_id: int) -> None:
        """Forget a nudge that could not be sent (the next join may send it)."""
        ...

    def has_personal_chat(self, aad_object_id: str | None) -> bool:
        """Whether the bot can message the person 1:1."""
        ...


class ScheduleStore(Protocol):
    """Bodies' channels, meetings and prompt timing, and scheduled messages that failed."""

    def links(
        self, *, body_keys: Iterable[str] | None = None, conversation_id: str | None = None
    ) -> list[LinkRecord]:
        """Channel links, of some bodies or of one conversation, by body then date."""
        ...

    def linked_bodies(self, conversation_id: str) -> tuple[str, ...]:
        """Keys of the bodies a conversation (or its channel) is linked to."""
        ...

    def link(
        self, conversation_id: str, body_keys: Iterable[str], actor: Actor, now: datetime
    ) -> list[tuple[str, bool]] | None:
        """Link a channel to bodies (audited): (key, newly linked) pairs; None: unknown channel."""
        ...

    def unlink(self, links: Iterable[LinkRecord], actor: Actor, now: datetime) -> None:
        """Remove these links (audited)."""
        ...

    def meetings(self, body_keys: Iterable[str] | None = None) -> list[MeetingSeries]:
        """Every meeting or series, optionally of some bodies only."""
        ...

    def meeting(self, meeting_id: int) -> MeetingSeries | None:
        """One meeting or series, or None."""
        ...

    def cadences(self, body_keys: Iterable[str] | None = None) -> dict[str, tuple[str, str]]:
        """Bodies' stated cadences, key -> (short name, cadence text), of some bodies or all."""
        ...

    def save_meeting(
        self,
        draft: MeetingDraft,
        meeting_id: int | None,
        actor: Actor,
        now: datetime,
        describe: Callable[[MeetingSeries], dict[str, Any]],
    ) -> MeetingSeries:
        """Add or change a meeting; audited with ``describe`` of it before and after."""
        ...

    def body_rules(self, body_key: str) -> BodyRules:
        """A body's prompt and reminder timing (the defaults when it has none).

        Raises:
            KeyError: when no body has that key.
        """
        ...

    def save_body_rules(self, body_key: str, rules: BodyRules, actor: Actor, now: datetime) -> None:
        """Store a body's timing (audited)."""
        ...

    def failed_deliveries(self, since: datetime) -> list[DeliveryProblem]:
        """Scheduled messages since ``since`` that did not arrive, newest first."""
        ...
