"""Posting progress updates through the invoke path over real HTTP (dialogs and inline)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select, text

from bot.clock import FixedClock
from bot.plan.schedule import NOTICE
from cards import verbs
from storage.db import make_engine, make_sessionmaker, transaction
from storage.models import ConversationRef, Delivery, ProgressUpdate
from storage.people import add_memberships, ensure_person
from tests.fakes.connector import FakeConnector
from tests.harness import BotServer, card_texts, execute, message, settings_for, task

MEMBER = "aad-member"  # a member of NCCSP-TEAM, which owns 1.18 and 1.10
OTHER_MEMBER = "aad-member-2"
OUTSIDER = "aad-outsider"


def add_people(url: str) -> dict[str, int]:
    engine = make_engine(url)
    with transaction(make_sessionmaker(engine)) as session:
        ids = {}
        for aad, name in (
            (MEMBER, "Maria Member"),
            (OTHER_MEMBER, "Owen Other"),
            (OUTSIDER, "Olly Outsider"),
        ):
            person = ensure_person(session, aad_object_id=aad, name=name)
            ids[aad] = person.id
            if aad != OUTSIDER:
                add_memberships(session, person.id, ["NCCSP-TEAM"], role="member", source="test")
    engine.dispose()
    return ids


def action_id(url: str, number: str) -> int:
    engine = make_engine(url)
    with make_sessionmaker(engine)() as session:
        from storage.models import Action

        found = session.scalar(select(Action.id).where(Action.number == number))
    engine.dispose()
    assert found is not None
    return int(found)


def updates_of(url: str, number: str) -> list[tuple[str, str, str]]:
    engine = make_engine(url)
    with make_sessionmaker(engine)() as session:
        from storage.models import Action

        rows = session.execute(
            select(ProgressUpdate.status, ProgressUpdate.text, ProgressUpdate.author_name)
            .join(Action, Action.id == ProgressUpdate.action_id)
            .where(Action.number == number)
            .order_by(ProgressUpdate.id)
        ).all()
    engine.dispose()
    return [(r[0], r[1], r[2]) for r in rows]


@pytest.fixture
async def server(sqlite_url: str, tmp_path: Path, clock: FixedClock) -> AsyncIterator[BotServer]:
    add_people(sqlite_url)
    async with BotServer(settings_for(sqlite_url, tmp_path), clock) as running:
        yield running


def form_inputs(card: dict[str, Any]) -> dict[str, Any]:
    return {e["id"]: e for e in card["body"] if e.get("type", "").startswith("Input.")}


async def open_dialog(server: BotServer, aid: int, aad: str = MEMBER) -> dict[str, Any]:
    status, body = await server.post(
        task("task/fetch", {"dialog": "update", "actionId": aid}, aad=aad)
    )
    assert status == 200
    return body


async def submit_dialog(
    server: BotServer, data: dict[str, Any], aad: str = MEMBER
) -> dict[str, Any]:
    status, body = await server.post(task("task/submit", {"dialog": "update", **data}, aad=aad))
    assert status == 200
    return body


def form_of(body: dict[str, Any]) -> dict[str, Any]:
    assert body["task"]["type"] == "continue", body
    return body["task"]["value"]["card"]["content"]


async def test_open_is_prefilled_from_the_latest_update(server: BotServer, sqlite_url: str) -> None:
    body = await open_dialog(server, action_id(sqlite_url, "1.18"))
    card = form_of(body)
    inputs = form_inputs(card)
    assert inputs["status"]["value"] == "Complete"
    assert inputs["text"]["value"].startswith("Group established")
    assert body["task"]["value"]["title"] == "Update action 1.18"
    save = card["actions"][0]
    assert save["type"] == "Action.Submit" and save["data"]["updateKey"]
    # The Playground ignores clicks on actions whose data has a "key" field.
    assert "key" not in save["data"]


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("text", "", "progress text is required"),
        ("text", "x" * 2001, "the limit is 2000"),
        ("revisedDate", "31/02/2022", "is not a date"),
        ("revisedDate", "next Tuesday", "is not a date"),
        ("evidenceUrl", "http://example.org/report", "starting with https://"),
        ("evidenceUrl", "javascript:alert(1)", "starting with https://"),
        ("status", "Nearly there", "Choose a status"),
    ],
)
async def test_invalid_submit_returns_the_form_with_the_message(
    server: BotServer, sqlite_url: str, field: str, value: str, message: str
) -> None:
    aid = action_id(sqlite_url, "1.10")
    data = {
        "actionId": aid,
        "key": "k" * 20,
        "status": "On track",
        "text": "Review started",
        field: value,
    }
    card = form_of(await submit_dialog(server, data))
    assert message in card_texts(card)
    assert (
        form_inputs(card)[field].get("value", "")
        == (value.strip() if field != "text" else value)[:5000]
        or field == "text"
    )
    assert updates_of(sqlite_url, "1.10") == []


async def test_valid_submit_saves_once_even_when_sent_twice(
    server: BotServer, sqlite_url: str
) -> None:
    aid = action_id(sqlite_url, "1.10")
    card = form_of(await open_dialog(server, aid))
    key = card["actions"][0]["data"]["updateKey"]
    data = {
        "actionId": aid,
        "updateKey": key,
        "status": "At risk",
        "text": "Task and finish group delayed [see](https://evil.example)",
        "revisedDate": "2022-09-30",
        "evidenceUrl": "https://example.org/minutes",
    }
    first = await submit_dialog(server, data)
    assert first == {"task": {"type": "message", "value": "Update saved: 1.10 is now At risk."}}
    again = await submit_dialog(server, data)
    assert "already saved" in again["task"]["value"]
    assert updates_of(sqlite_url, "1.10") == [("At risk", data["text"], "Alex Wilber")]
    # The new status and revised date show everywhere, and the text is escaped in cards.
    _status, reply = await server.post(execute(verbs.SHOW_ACTION, {"actionId": aid}))
    detail = reply["value"]
    texts = card_texts(detail)
    assert "At risk" in texts and "30 Sep 2022 (revised)" in texts
    shown = [b.get("text", "") for b in detail["body"] if b.get("type") == "TextBlock"]
    assert any("[see]\u200b(https://evil.example)" in t for t in shown)


async def test_outsider_is_told_who_can_and_nothing_is_saved(
    server: BotServer, sqlite_url: str
) -> None:
    aid = action_id(sqlite_url, "1.10")
    opened = await open_dialog(server, aid, aad=OUTSIDER)
    assert (
        opened["task"]["type"] == "message"
        and "Only members or chairs of" in opened["task"]["value"]
    )
    data = {"actionId": aid, "key": "x" * 20, "status": "On track", "text": "sneaky"}
    submitted = await submit_dialog(server, data, aad=OUTSIDER)
    assert "Nothing was saved" in submitted["task"]["value"]
    assert updates_of(sqlite_url, "1.10") == []


async def test_action_that_does_not_exist(server: BotServer) -> None:
    body = await submit_dialog(
        server, {"actionId": 999999, "key": "y" * 20, "status": "On track", "text": "t"}
    )
    assert body["task"] == {
        "type": "message",
        "value": "That action no longer exists; nothing was saved.",
    }
    body = await submit_dialog(server, {"actionId": "1; drop table", "key": "y" * 20})
    assert "no longer exists" in body["task"]["value"]


async def test_concurrent_submits_both_keep_their_updates(
    server: BotServer, sqlite_url: str
) -> None:
    aid = action_id(sqlite_url, "1.10")
    first = {"actionId": aid, "key": "a" * 20, "status": "On track", "text": "from Maria"}
    second = {"actionId": aid, "key": "b" * 20, "status": "At risk", "text": "from Owen"}
    results = await asyncio.gather(
        submit_dialog(server, first, aad=MEMBER), submit_dialog(server, second, aad=OTHER_MEMBER)
    )
    assert all(r["task"]["type"] == "message" for r in results)
    assert sorted(t for _, t, _ in updates_of(sqlite_url, "1.10")) == ["from Maria", "from Owen"]


async def test_a_failure_while_saving_leaves_no_record(server: BotServer, sqlite_url: str) -> None:
    engine = make_engine(sqlite_url)
    with engine.begin() as conn:
        conn.execute(
            text(
                "CREATE TRIGGER fail_updates BEFORE INSERT ON progress_update "
                "BEGIN SELECT RAISE(ABORT, 'disk full'); END"
            )
        )
    engine.dispose()
    aid = action_id(sqlite_url, "1.10")
    data = {"actionId": aid, "key": "c" * 20, "status": "On track", "text": "keep my words"}
    card = form_of(await submit_dialog(server, data))
    assert "could not be saved" in card_texts(card)
    assert form_inputs(card)["text"]["value"] == "keep my words"
    assert updates_of(sqlite_url, "1.10") == []


async def test_inline_form_over_action_execute(server: BotServer, sqlite_url: str) -> None:
    aid = action_id(sqlite_url, "1.10")
    _, body = await server.post(
        execute(verbs.OPEN_UPDATE_INLINE, {"actionId": aid, "number": "1.10"}, aad=MEMBER)
    )
    form = body["value"]
    labels = [e.get("label") for e in form["body"] if e.get("type", "").startswith("Input.")]
    assert labels == [
        "Status",
        "Progress",
        "Revised target date (optional)",
        "Evidence link (optional)",
    ]
    save = next(a for a in form["actions"] if a["title"] == "Save update")
    assert save["type"] == "Action.Execute" and save["verb"] == verbs.SAVE_UPDATE
    bad = {**save["data"], "status": "On track", "text": ""}
    _, body = await server.post(execute(verbs.SAVE_UPDATE, bad, aad=MEMBER))
    assert "progress text is required" in card_texts(body["value"])
    good = {**save["data"], "status": "Off track", "text": "Lead officer left"}
    _, body = await server.post(execute(verbs.SAVE_UPDATE, good, aad=MEMBER))
    texts = card_texts(body["value"])
    assert "Update saved: 1.10 is now Off track." in texts and "Off track" in texts
    _, body = await server.post(execute(verbs.CANCEL_UPDATE, {"actionId": aid}, aad=MEMBER))
    assert "Cancelled; nothing was saved." in card_texts(body["value"])
    assert updates_of(sqlite_url, "1.10") == [("Off track", "Lead officer left", "Alex Wilber")]


async def test_typed_update_and_history(
    server: BotServer, connector: FakeConnector, sqlite_url: str
) -> None:
    typed = message(
        "update 1.10 on track: Community trigger review started",
        aad=MEMBER,
        service_url=connector.url,
    )
    assert (await server.post(typed))[0] == 201
    assert (await server.post(typed))[0] == 201  # a Teams retry: same activity id
    await connector.wait_for(2)
    assert "Update saved: 1.10 is now On track." in card_texts(connector.sent()[0].cards[0])
    assert "already saved" in card_texts(connector.sent()[1].cards[0])
    assert updates_of(sqlite_url, "1.10") == [
        ("On track", "Community trigger review started", "Alex Wilber")
    ]
    await server.post(message("history 1.10", aad=MEMBER, service_url=connector.url))
    (*_, last) = await connector.wait_for(3)
    assert "Community trigger review started" in card_texts(last.cards[0])


async def test_typed_update_without_status_offers_the_form(
    server: BotServer, connector: FakeConnector
) -> None:
    await server.post(message("update 1.10", aad=MEMBER, service_url=connector.url))
    arrivals = await connector.wait_for(2)
    assert "fill in the form" in arrivals[0].text
    assert any(i.get("label") == "Progress" for i in arrivals[1].cards[0]["body"])


async def test_updates_survive_a_restart(
    sqlite_url: str, tmp_path: Path, clock: FixedClock
) -> None:
    add_people(sqlite_url)
    aid = action_id(sqlite_url, "1.10")
    async with BotServer(settings_for(sqlite_url, tmp_path), clock) as first:
        data = {"actionId": aid, "key": "d" * 20, "status": "Complete", "text": "Published"}
        assert "Update saved" in (await submit_dialog(first, data))["task"]["value"]
    async with BotServer(settings_for(sqlite_url, tmp_path), clock) as second:
        _status, body = await second.post(execute(verbs.SHOW_HISTORY, {"actionId": aid}))
        assert "Published" in card_texts(body["value"])


async def test_channel_card_is_refreshed_for_everyone(
    server: BotServer, connector: FakeConnector, sqlite_url: str
) -> None:
    aid = action_id(sqlite_url, "1.10")
    origin = {"verb": verbs.SHOW_ACTION, "actionId": aid}
    activity = execute(
        verbs.SAVE_UPDATE,
        {
            "actionId": aid,
            "key": "e" * 20,
            "status": "At risk",
            "text": "Slipping",
            "origin": origin,
        },
        kind="channel",
        aad=MEMBER,
        service_url=connector.url,
    )
    activity["replyToId"] = "1700000000000"
    status, body = await server.post(activity)
    assert status == 200 and "Update saved" in card_texts(body["value"])
    for _ in range(50):
        if connector.updates():
            break
        await asyncio.sleep(0.05)
    (update,) = connector.updates()
    assert update.activity_id == "1700000000000"
    assert "At risk" in card_texts(update.cards[0])


async def test_updates_count_is_unchanged_by_reads(sqlite_url: str) -> None:
    engine = make_engine(sqlite_url)
    with make_sessionmaker(engine)() as session:
        assert session.scalar(select(func.count()).select_from(ProgressUpdate)) == 6
    engine.dispose()


def notice_deliveries(url: str) -> list[tuple[str, str]]:
    """(status, conversation id) of every update notice planned so far."""
    engine = make_engine(url)
    with make_sessionmaker(engine)() as session:
        rows = session.execute(
            select(Delivery.status, ConversationRef.conversation_id)
            .join(ConversationRef, ConversationRef.id == Delivery.conversation_ref_id)
            .where(Delivery.rule == NOTICE)
            .order_by(Delivery.id)
        ).all()
    engine.dispose()
    return [(status, conversation_id) for status, conversation_id in rows]


def link_channel_to(
    url: str, body: str, service_url: str, conversation_id: str = "19:chan@thread.tacv2"
) -> None:
    from datetime import UTC, datetime

    from storage.channel_links import link_channel
    from storage.conversations import save_reference

    engine = make_engine(url)
    with transaction(make_sessionmaker(engine)) as session:
        ref = save_reference(
            session,
            conversation_id=conversation_id,
            conversation_type="channel",
            tenant_id="t",
            service_url=service_url,
            team_id="team",
            user_aad_object_id=None,
            reference={
                "conversation": {"id": conversation_id, "conversationType": "channel"},
                "serviceUrl": service_url,
                "channelId": "msteams",
                "bot": {"id": "28:bot"},
            },
            now=datetime(2022, 6, 1, tzinfo=UTC),
        )
        link_channel(session, body, ref.id, None, datetime(2022, 6, 1, tzinfo=UTC))
    engine.dispose()


async def test_update_notice_goes_to_the_owners_linked_channel(
    server: BotServer, connector: FakeConnector, sqlite_url: str
) -> None:
    link_channel_to(sqlite_url, "NCCSP-TEAM", connector.url)
    typed = message(
        "update 1.10 at risk: Chair on leave [x](y)", aad=MEMBER, service_url=connector.url
    )
    assert (await server.post(typed))[0] == 201
    await connector.wait_for(2)
    notices = connector.sent("19:chan@thread.tacv2")
    assert len(notices) == 1
    assert notices[0].text.startswith("Alex Wilber posted an update to action 1.10: now At risk.")
    assert "[x]\u200b(y)" in notices[0].text
    assert (await server.post(typed))[0] == 201  # a retry: no second update, no second notice
    await connector.wait_for(3)
    # Notices exist only as deliveries, planned within the turn and sent exactly once: one
    # notice delivery, already sent, means no other notice can arrive later.
    assert notice_deliveries(sqlite_url) == [("sent", "19:chan@thread.tacv2")]
    assert len(connector.sent("19:chan@thread.tacv2")) == 1


async def test_update_notices_can_be_switched_off(
    sqlite_url: str, tmp_path: Path, clock: FixedClock, connector: FakeConnector
) -> None:
    from dataclasses import replace

    add_people(sqlite_url)
    link_channel_to(sqlite_url, "NCCSP-TEAM", connector.url)
    settings = replace(settings_for(sqlite_url, tmp_path), update_notices=False)
    async with BotServer(settings, clock) as quiet:
        typed = message("update 1.10 on track: fine", aad=MEMBER, service_url=connector.url)
        assert (await quiet.post(typed))[0] == 201
        await connector.wait_for(1)
        assert notice_deliveries(sqlite_url) == []  # none planned: nothing can be sent later
    assert connector.sent("19:chan@thread.tacv2") == []


async def test_typed_update_never_reopens_a_complete_action_silently(
    server: BotServer, connector: FakeConnector, sqlite_url: str
) -> None:
    before = updates_of(sqlite_url, "1.18")
    assert before and before[-1][0] == "Complete"
    typed = message("update 1.18 on track: More to do", aad=MEMBER, service_url=connector.url)
    assert (await server.post(typed))[0] == 201
    (asked, form) = await connector.wait_for(2)
    assert "1.18 is marked Complete" in asked.text
    assert "Reopen" in card_texts(form.cards[0])
    assert updates_of(sqlite_url, "1.18") == before
