"""In-memory stores for handler tests: the protocols of ``bot.stores`` over plain lists.

Only what the handlers ask is kept; the filters follow ``storage.plan_queries`` (owners,
numbers, theme, section, words; "as of" leaves out updates posted after that day).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from typing import Any

from bot.clock import FixedClock, london_day_end
from bot.config import Settings
from bot.plan.body_names import BodyIndex
from bot.plan.filters import narrowed
from bot.plan.forms import MeetingDraft
from bot.plan.meetings import MeetingSeries
from bot.plan.period import Extension, PlanChangeRefused
from bot.plan.rules import number_key
from bot.plan.schedule import DEFAULT_RULES, BodyRules
from bot.plan.scrutiny import RequestRefused, Response, ScrutinyItem
from bot.plan.types import (
    ActionRecord,
    Actor,
    AuditRecord,
    BodyInfo,
    DeliveryProblem,
    LinkRecord,
    NewUpdate,
    PersonRecord,
    PlanNotFound,
    PlanRecord,
    RecordedUpdate,
    StoreUnavailable,
    UpdateRecord,
)
from bot.plan.vocabulary import Vocabulary
from bot.services import Services
from cards.memo import CardMemo


@dataclass
class FakePlanStore:
    """The plan: one current plan's actions, their updates, and what was audited."""

    plan_record: PlanRecord
    records: list[ActionRecord]
    bodies: tuple[BodyInfo, ...] = ()
    updates: dict[int, list[UpdateRecord]] = field(default_factory=dict)
    audited: list[tuple[Actor, str]] = field(default_factory=list)
    failing: bool = False  # record_update raises StoreUnavailable, as a database outage does
    requests: list[ScrutinyItem] = field(default_factory=list)

    def vocabulary(self) -> Vocabulary:
        sections = tuple(dict.fromkeys(a.section_title for a in self.records))
        return Vocabulary(BodyIndex(self.bodies), sections)

    def keep_warm(self) -> None:
        return None

    def forget_vocabulary(self) -> None:
        return None

    def plan(self, plan_key: str | None = None) -> PlanRecord:
        if plan_key not in (None, self.plan_record.key):
            raise PlanNotFound(f"no plan {plan_key!r}")
        return self.plan_record

    def plans(self) -> list[PlanRecord]:
        return [self.plan_record]

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
        self.plan(plan_key)
        found = [self._as_of(a, as_of) for a in self.records]
        found = narrowed(found, bodies, numbers, theme, section, words)
        return sorted(found, key=lambda a: number_key(a.number))

    def _as_of(self, action: ActionRecord, as_of: date | None) -> ActionRecord:
        posted = self.updates.get(action.id, [])
        if as_of is not None:
            posted = [u for u in posted if u.created_at < london_day_end(as_of)]
        return replace(action, latest=posted[-1] if posted else action.latest)

    def action(self, number: str, plan_key: str | None = None) -> ActionRecord | None:
        return next(iter(self.actions_for(None, numbers=[number], plan_key=plan_key)), None)

    def action_by_id(self, action_id: int) -> ActionRecord | None:
        found = [a for a in self.actions_for(None) if a.id == action_id]
        return found[0] if found else None

    def history(self, action_id: int) -> list[UpdateRecord]:
        return list(reversed(self.updates.get(action_id, [])))

    def posted_between(
        self, action_ids: Iterable[int], since: datetime, until: datetime, *, limit: int
    ) -> tuple[int, list[tuple[int, UpdateRecord]]]:
        ids = set(action_ids)
        found = [
            (action_id, u)
            for action_id, posted in self.updates.items()
            for u in posted
            if action_id in ids and since <= u.created_at < until
        ]
        found.sort(key=lambda pair: pair[1].created_at, reverse=True)
        return len(found), found[:limit]

    def record_update(
        self, update: NewUpdate, actor: Actor, now: datetime, *, notify_from: str | None
    ) -> RecordedUpdate:
        if self.failing:
            raise StoreUnavailable("the database is down")
        posted = self.updates.setdefault(update.action_id, [])
        keys = {u.source for u in posted}
        created = update.key not in keys
        if created:
            posted.append(
                UpdateRecord(
                    status=update.status,
                    text=update.text,
                    created_at=now,
                    author_name=update.author_name,
                    revised_date=update.revised_date,
                    evidence_url=update.evidence_url,
                    source=update.key,  # the fake keeps the idempotency key here
                    id=sum(len(p) for p in self.updates.values()),
                )
            )
            self.audited.append((actor, "update.posted"))
        action = self.action_by_id(update.action_id)
        assert action is not None
        return RecordedUpdate(action, created, 0)

    def audit_entries(
        self, subject_key: str | None, *, limit: int, offset: int
    ) -> list[AuditRecord]:
        return []

    # --- issue 16: the plan's period and the scrutiny requests --------------------------

    def extend_plan(self, until: date, reason: str, actor: Actor, now: datetime) -> Extension:
        old = self.plan_record.ends
        if (old is not None and until <= old) or not reason.strip():
            raise PlanChangeRefused("refused")
        self.plan_record = replace(self.plan_record, ends=until)
        self.audited.append((actor, "plan.extended"))
        return Extension(self.plan_record.title, old, until)

    def scrutiny(
        self,
        *,
        owner_keys: Iterable[str] | None = None,
        asked_by_keys: Iterable[str] | None = None,
        open_only: bool = False,
    ) -> list[ScrutinyItem]:
        owners = set(owner_keys) if owner_keys is not None else None
        askers = set(asked_by_keys) if asked_by_keys is not None else None
        return [
            i
            for i in self.requests
            if (owners is None or i.owner_key in owners)
            and (askers is None or i.asked_by_key in askers)
            and (not open_only or i.is_open)
        ]

    def scrutiny_item(self, request_id: int) -> ScrutinyItem | None:
        return next((i for i in self.requests if i.id == request_id), None)

    def record_scrutiny_response(
        self, request_id: int, response: Response, actor: Actor, now: datetime
    ) -> ScrutinyItem:
        item = self.scrutiny_item(request_id)
        if item is None:
            raise RequestRefused("unknown request")
        saved = replace(
            item,
            status=response.status,
            response=response.text,
            responded_on=response.responded_on,
            responded_by=response.responded_by,
        )
        self.requests = [saved if i.id == request_id else i for i in self.requests]
        self.audited.append((actor, "scrutiny.responded"))
        return saved


@dataclass
class FakePeopleStore:
    """People by id; ``identify`` hands out (or makes) the person with that AAD id."""

    people: dict[int, PersonRecord] = field(default_factory=dict)
    chairs: dict[str, list[str]] = field(default_factory=dict)
    reminded: set[int] = field(default_factory=set)
    nudges_off: set[int] = field(default_factory=set)
    nudged: set[tuple[str, int]] = field(default_factory=set)

    def identify(
        self, aad_object_id: str | None, name: str, email: str | None, *, tenant_id: str = ""
    ) -> PersonRecord:
        for person in self.people.values():
            if person.aad_object_id == aad_object_id:
                return person
        person = PersonRecord(len(self.people) + 1, aad_object_id, name, email)
        self.people[person.id] = person
        return person

    def person(self, person_id: int) -> PersonRecord | None:
        return self.people.get(person_id)

    def add_bodies(
        self, person_id: int, body_keys: Iterable[str], actor: Actor, now: datetime
    ) -> PersonRecord | None:
        person = self.people[person_id]
        added = tuple((k, "member") for k in body_keys if k not in person.body_keys)
        self.people[person_id] = replace(person, memberships=person.memberships + added)
        return self.people[person_id]

    def set_bodies(
        self, person_id: int, body_keys: Iterable[str], actor: Actor, now: datetime
    ) -> PersonRecord | None:
        person = self.people[person_id]
        roles = tuple((k, r) for k, r in person.memberships if r != "member")
        members = tuple((k, "member") for k in body_keys)
        self.people[person_id] = replace(person, memberships=roles + members)
        return self.people[person_id]

    def chairs_of(self, body_key: str) -> list[str]:
        return self.chairs.get(body_key, [])

    def reminders_on(self, person_id: int) -> bool:
        return person_id in self.reminded

    def set_reminders(self, person_id: int, on: bool, now: datetime) -> None:
        (self.reminded.add if on else self.reminded.discard)(person_id)

    def known_person(self, aad_object_id: str) -> PersonRecord | None:
        return next((p for p in self.people.values() if p.aad_object_id == aad_object_id), None)

    def meeting_nudges_off(self, person_ids: list[int]) -> set[int]:
        return self.nudges_off & set(person_ids)

    def set_meeting_nudges(self, person_id: int, on: bool, actor: Actor, now: datetime) -> bool:
        changed = (person_id in self.nudges_off) == on
        (self.nudges_off.discard if on else self.nudges_off.add)(person_id)
        return changed

    def claim_meeting_nudge(self, meeting_key: str, person_id: int, now: datetime) -> bool:
        first = (meeting_key, person_id) not in self.nudged
        self.nudged.add((meeting_key, person_id))
        return first

    def release_meeting_nudge(self, meeting_key: str, person_id: int) -> None:
        self.nudged.discard((meeting_key, person_id))

    def has_personal_chat(self, aad_object_id: str | None) -> bool:
        return False


@dataclass
class FakeScheduleStore:
    """Channel links by conversation id; no meetings unless given."""

    linked: dict[str, tuple[str, ...]] = field(default_factory=dict)
    series: list[MeetingSeries] = field(default_factory=list)
    cadence: dict[str, tuple[str, str]] = field(default_factory=dict)

    def links(
        self, *, body_keys: Iterable[str] | None = None, conversation_id: str | None = None
    ) -> list[LinkRecord]:
        return []

    def linked_bodies(self, conversation_id: str) -> tuple[str, ...]:
        return self.linked.get(conversation_id, ())

    def link(
        self, conversation_id: str, body_keys: Iterable[str], actor: Actor, now: datetime
    ) -> list[tuple[str, bool]] | None:
        return None

    def unlink(self, links: Iterable[LinkRecord], actor: Actor, now: datetime) -> None:
        return None

    def meetings(self, body_keys: Iterable[str] | None = None) -> list[MeetingSeries]:
        keys = set(body_keys) if body_keys is not None else None
        return [s for s in self.series if keys is None or s.body_key in keys]

    def meeting(self, meeting_id: int) -> MeetingSeries | None:
        return next((s for s in self.series if s.id == meeting_id), None)

    def cadences(self, body_keys: Iterable[str] | None = None) -> dict[str, tuple[str, str]]:
        keys = set(body_keys) if body_keys is not None else None
        return {k: v for k, v in self.cadence.items() if keys is None or k in keys}

    def save_meeting(
        self,
        draft: MeetingDraft,
        meeting_id: int | None,
        actor: Actor,
        now: datetime,
        describe: Callable[[MeetingSeries], dict[str, Any]],
    ) -> MeetingSeries:
        raise NotImplementedError("not needed by these tests")

    def body_rules(self, body_key: str) -> BodyRules:
        return DEFAULT_RULES

    def save_body_rules(self, body_key: str, rules: BodyRules, actor: Actor, now: datetime) -> None:
        return None

    def failed_deliveries(self, since: datetime) -> list[DeliveryProblem]:
        return []


def fake_services(
    plan: FakePlanStore,
    clock: FixedClock,
    people: FakePeopleStore | None = None,
    schedule: FakeScheduleStore | None = None,
    **settings: Any,
) -> Services:
    """Services over the fakes (no database at all)."""
    return Services(
        settings=replace(Settings(database_url="sqlite://"), **settings),
        clock=clock,
        plan=plan,
        people=people or FakePeopleStore(),
        schedule=schedule or FakeScheduleStore(),
        db=None,  # type: ignore[arg-type]  # handlers never use it
        cards=CardMemo(strict=True),  # a handler changing a shared card fails its test
    )
