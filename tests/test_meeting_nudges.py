"""Meeting nudges: a private overdue note to each owner present as a meeting starts.

Over real HTTP with the loopback fake connector, using the built ``meetingStart`` and
``meetingParticipantJoin`` events (tests/fixtures/teams/README.md); the pure "who to nudge"
rule as a table; and the once-per-meeting record and the opt-out on SQLite and PostgreSQL.
"""

from __future__ import annotations

import copy
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, select

from bot.clock import FixedClock
from bot.plan.meeting_nudges import who_to_nudge
from bot.plan.types import ActionRecord, Actor, BodyRef, PersonRecord, UpdateRecord
from cards import verbs
from cards.meeting_nudge import STOP_TITLE, meeting_nudge_card, nudge_line
from storage.models import AuditEntry
from storage.stores import open_stores
from tests.cardcheck import assert_valid_card
from tests.fakes.connector import Arrival
from tests.harness import (
    PLACEHOLDER_SERVICE_URL,
    BotServer,
    card_texts,
    execute,
    fixture,
    message,
    settings_for,
)
from tests.store_support import member

OWNER, OWNER_ID, OWNER_NAME = "aad-owner", "29:owner", "Olive Owner"
OTHER, OTHER_ID = "aad-nobody", "29:nobody"
TREATMENT = {"type": "activityTreatment", "treatment": "targeted"}
NOW = datetime(2022, 6, 1, 11, tzinfo=UTC)


def joined(*people: tuple[str, str, str], meeting: str | None = None) -> dict[str, Any]:
    """The participant-join fixture naming these (aad, Teams id, name) people."""
    activity = fixture("groupChat-event-meetingParticipantJoin")
    template = activity["value"]["members"][0]
    members = []
    for aad, user_id, name in people:
        entry = copy.deepcopy(template)
        entry["user"].update({"aadObjectId": aad, "objectId": aad, "id": user_id, "name": name})
        members.append(entry)
    activity["value"]["members"] = members
    activity["serviceUrl"] = PLACEHOLDER_SERVICE_URL
    if meeting:
        activity["channelData"]["meeting"]["id"] = meeting
    return activity


def started(aad: str = OWNER, user_id: str = OWNER_ID) -> dict[str, Any]:
    """The meeting-start fixture, sent on behalf of this person."""
    activity = fixture("groupChat-event-meetingStart")
    activity["from"] = {"id": user_id, "name": OWNER_NAME, "aadObjectId": aad}
    activity["serviceUrl"] = PLACEHOLDER_SERVICE_URL
    return activity


def said(text: str) -> dict[str, Any]:
    """The owner typing in the meeting chat."""
    conversation = fixture("groupChat-event-meetingStart")["conversation"]["id"]
    return message(
        text,
        kind="groupChat",
        aad=OWNER,
        user_id=OWNER_ID,
        name=OWNER_NAME,
        conversation_id=conversation,
    )


def only_to(arrival: Arrival, user_id: str) -> bool:
    body = arrival.body
    return (
        arrival.targeted
        and TREATMENT in (body.get("entities") or [])
        and (body.get("recipient") or {}).get("id") == user_id
    )


@pytest.fixture
async def server(sqlite_url: str, tmp_path: Path, clock: FixedClock) -> AsyncIterator[BotServer]:
    settings = settings_for(sqlite_url, tmp_path)
    member(settings.database_url, OWNER, OWNER_NAME, ("OPCCN",))
    member(settings.database_url, OTHER, "Nadia Nobody")
    async with BotServer(settings, clock) as running:
        yield running


async def test_an_owner_who_joins_gets_one_private_note(server: BotServer) -> None:
    status, _ = await server.post(joined((OWNER, OWNER_ID, OWNER_NAME)))
    assert status in (200, 201, 202)
    (note,) = server.connector.sent()
    assert only_to(note, OWNER_ID), "the note was broadcast"
    (card,) = note.cards
    texts = card_texts(card)
    assert "overdue; post an update?" in texts and "Only you can see this" in texts
    assert STOP_TITLE in str(card) and "task/fetch" in str(card)


async def test_a_repeated_event_or_the_start_sends_no_second_note(server: BotServer) -> None:
    await server.post(joined((OWNER, OWNER_ID, OWNER_NAME)))
    await server.post(joined((OWNER, OWNER_ID, OWNER_NAME)))
    await server.post(started())
    assert len(server.connector.sent()) == 1


async def test_the_start_event_nudges_who_started_it_and_a_new_meeting_again(
    server: BotServer,
) -> None:
    await server.post(started())
    (note,) = server.connector.sent()
    assert only_to(note, OWNER_ID)
    await server.post(joined((OWNER, OWNER_ID, OWNER_NAME), meeting="another-meeting"))
    assert len(server.connector.sent()) == 2


async def test_no_note_for_people_without_overdue_actions(server: BotServer) -> None:
    await server.post(joined((OTHER, OTHER_ID, "Nadia Nobody"), ("aad-stranger", "29:s", "S")))
    assert server.connector.sent() == []


async def test_only_the_owner_is_nudged_when_several_join(server: BotServer) -> None:
    await server.post(joined((OTHER, OTHER_ID, "Nadia"), (OWNER, OWNER_ID, OWNER_NAME)))
    (note,) = server.connector.sent()
    assert only_to(note, OWNER_ID)


async def test_stop_and_start_meeting_nudges(server: BotServer) -> None:
    await server.post(said("stop meeting nudges"))
    (answer,) = server.connector.sent()
    assert "Meeting nudges are off" in (answer.text or "")
    server.connector.reset()
    await server.post(joined((OWNER, OWNER_ID, OWNER_NAME)))
    assert server.connector.sent() == [], "an opted-out person was nudged"
    await server.post(said("start meeting nudges"))
    server.connector.reset()
    await server.post(joined((OWNER, OWNER_ID, OWNER_NAME)))
    (note,) = server.connector.sent()
    assert only_to(note, OWNER_ID)


async def test_help_says_how_to_stop_and_start_meeting_nudges(server: BotServer) -> None:
    await server.post(said("help"))
    (answer,) = server.connector.sent()
    (card,) = answer.cards
    texts = card_texts(card)
    assert "“stop meeting nudges”" in texts and "“start meeting nudges”" in texts
    assert_valid_card(card)


async def test_the_stop_button_turns_them_off(server: BotServer) -> None:
    conversation = fixture("groupChat-event-meetingStart")["conversation"]["id"]
    pressed = execute(
        verbs.MEETING_NUDGES_OFF,
        {},
        kind="groupChat",
        aad=OWNER,
        user_id=OWNER_ID,
        name=OWNER_NAME,
        conversation_id=conversation,
    )
    status, body = await server.post(pressed)
    assert status == 200 and "Meeting nudges are off" in str(body)
    await server.post(joined((OWNER, OWNER_ID, OWNER_NAME)))
    assert server.connector.sent() == []


async def test_a_refused_note_is_sent_at_the_next_join(server: BotServer) -> None:
    server.connector.refuse_targeted = 403
    await server.post(joined((OWNER, OWNER_ID, OWNER_NAME)))
    assert not any(not a.targeted for a in server.connector.sent()), "broadcast on refusal"
    server.connector.refuse_targeted = None
    server.connector.reset()
    await server.post(joined((OWNER, OWNER_ID, OWNER_NAME)))
    (note,) = server.connector.sent()
    assert only_to(note, OWNER_ID)


# The pure rule -------------------------------------------------------------------------------

TODAY = date(2022, 6, 1)


def action(number: str, owner: str, deadline: date | None, status: str | None = None) -> Any:
    latest = UpdateRecord(status=status, text="", created_at=NOW) if status else None
    return ActionRecord(
        id=hash(number) % 1000,
        plan_key="p",
        number=number,
        text=f"Action {number}",
        success_measure="",
        owner_text=owner,
        owners=(BodyRef(owner, owner),),
        due_text="",
        deadline=deadline,
        ongoing=deadline is None,
        due_readable=True,
        theme_number=1,
        theme_title="t",
        section_title="s",
        latest=latest,
    )


PLAN = [
    action("1.2", "OPCCN", date(2022, 3, 31)),
    action("1.10", "OPCCN", date(2021, 12, 31)),
    action("2.1", "DASVG", date(2022, 5, 31)),
    action("2.2", "DASVG", date(2022, 6, 30)),  # not yet due
    action("3.1", "CSP", None),  # ongoing: never overdue
    action("4.1", "YOT", date(2022, 1, 31), status="Complete"),
]


def person(pid: int, *bodies: str, pending: tuple[str, ...] = ()) -> PersonRecord:
    return PersonRecord(
        pid, f"aad-{pid}", f"P{pid}", None, tuple((b, "member") for b in bodies), pending
    )


@pytest.mark.parametrize(
    ("present", "opted_out", "already", "expected"),
    [
        ([person(1, "OPCCN")], set(), set(), {1: ("1.10", "1.2")}),  # most overdue first
        ([person(1, "OPCCN", "DASVG")], set(), set(), {1: ("1.10", "1.2", "2.1")}),
        ([person(2, "CSP")], set(), set(), {}),  # only ongoing work
        ([person(3)], set(), set(), {}),  # no bodies
        ([person(4, pending=("OPCCN",))], set(), set(), {}),  # a claim is not ownership
        ([person(1, "OPCCN")], {1}, set(), {}),  # opted out
        ([person(1, "OPCCN")], set(), {1}, {}),  # nudged in this meeting already
        ([person(1, "OPCCN"), person(1, "OPCCN")], set(), set(), {1: ("1.10", "1.2")}),
        ([person(5, "DASVG"), person(2, "CSP")], set(), set(), {5: ("2.1",)}),
        ([person(6, "YOT")], set(), set(), {}),  # complete, though past its deadline
    ],
)
def test_who_to_nudge(
    present: list[PersonRecord],
    opted_out: set[int],
    already: set[int],
    expected: dict[int, tuple[str, ...]],
) -> None:
    nudges = who_to_nudge(present, PLAN, TODAY, opted_out=opted_out, already=already)
    assert {n.person.id: n.numbers for n in nudges} == expected


def test_the_card_is_valid_and_says_the_numbers() -> None:
    actions = tuple(PLAN[:3])
    card = meeting_nudge_card(actions)
    assert_valid_card(card)
    assert nudge_line(("1.23",)) == "1.23 is overdue; post an update?"
    assert nudge_line(tuple(str(i) for i in range(7))) == (
        "0, 1, 2, 3, 4 and 2 more are overdue; post an update?"
    )
    assert card_texts(card).count("Action ") == 3


# Storage: once per meeting, and the opt-out, on SQLite and PostgreSQL --------------------------


def test_once_per_meeting_across_two_instances(engine: Engine, db_url: str) -> None:
    member(db_url, OWNER, OWNER_NAME, ("OPCCN",))
    first, second = open_stores(engine).people, open_stores(engine).people
    owner = first.known_person(OWNER)
    assert owner is not None and first.known_person("aad-unknown") is None
    assert first.claim_meeting_nudge("m-1", owner.id, NOW) is True
    assert second.claim_meeting_nudge("m-1", owner.id, NOW) is False
    assert second.claim_meeting_nudge("m-2", owner.id, NOW) is True
    second.release_meeting_nudge("m-1", owner.id)
    assert first.claim_meeting_nudge("m-1", owner.id, NOW) is True


def test_the_opt_out_is_stored_and_audited(engine: Engine, db_url: str) -> None:
    member(db_url, OWNER, OWNER_NAME, ("OPCCN",))
    people = open_stores(engine).people
    owner = people.known_person(OWNER)
    assert owner is not None
    actor = Actor(owner.id, OWNER_NAME, "19:chat")
    assert people.set_meeting_nudges(owner.id, False, actor, NOW) is True
    assert people.set_meeting_nudges(owner.id, False, actor, NOW) is False
    assert people.meeting_nudges_off([owner.id, 999]) == {owner.id}
    assert people.set_meeting_nudges(owner.id, True, actor, NOW) is True
    assert people.meeting_nudges_off([owner.id]) == set()
    with open_stores(engine).sessions() as session:
        actions = session.scalars(select(AuditEntry.action).order_by(AuditEntry.id)).all()
    assert actions[-2:] == ["person.meeting_nudges_off", "person.meeting_nudges_on"]
