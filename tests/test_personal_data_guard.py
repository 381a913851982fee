"""The personal-data guard on the update dialog, the inline form and typed updates (HTTP)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from bot.clock import FixedClock
from cards import verbs
from storage.db import make_engine, make_sessionmaker
from storage.models import AuditEntry
from tests.cardcheck import check_card
from tests.fakes.connector import FakeConnector
from tests.harness import BotServer, card_texts, execute, message, settings_for
from tests.test_updates import MEMBER, action_id, add_people, submit_dialog, updates_of

RISKY = "Met Mrs Smith at NR1 3QY; she is safe now"


@pytest.fixture
async def server(sqlite_url: str, tmp_path: Path, clock: FixedClock) -> AsyncIterator[BotServer]:
    add_people(sqlite_url)
    async with BotServer(settings_for(sqlite_url, tmp_path), clock) as running:
        yield running


def confirmed_audit(url: str) -> list[Any]:
    engine = make_engine(url)
    with make_sessionmaker(engine)() as session:
        rows = session.scalars(
            select(AuditEntry.after).where(AuditEntry.action == "update.posted")
        ).all()
    engine.dispose()
    return [row.get("personal_data_confirmed") for row in rows]


def button(card: dict[str, Any], title: str) -> dict[str, Any]:
    return next(a for a in card["actions"] if a["title"] == title)


async def test_the_dialog_asks_then_saves_anyway_and_audits_it(
    server: BotServer, sqlite_url: str
) -> None:
    aid = action_id(sqlite_url, "1.10")
    data = {"actionId": aid, "updateKey": "g" * 20, "status": "On track", "text": RISKY}
    body = await submit_dialog(server, data)
    card = body["task"]["value"]["card"]["content"]
    assert not check_card(card)
    texts = card_texts(card)
    assert "a name after a title (“Mrs Smith”)" in texts and "a postcode (“NR1 3QY”)" in texts
    assert updates_of(sqlite_url, "1.10") == []
    anyway = button(card, "Save anyway")["data"]
    saved = await submit_dialog(server, {k: v for k, v in anyway.items() if k != "dialog"})
    assert saved["task"] == {"type": "message", "value": "Update saved: 1.10 is now On track."}
    assert updates_of(sqlite_url, "1.10") == [("On track", RISKY, "Alex Wilber")]
    assert confirmed_audit(sqlite_url) == [["name", "postcode"]]


async def test_edit_brings_the_form_back_and_a_changed_text_is_checked_again(
    server: BotServer, sqlite_url: str
) -> None:
    aid = action_id(sqlite_url, "1.10")
    data = {"actionId": aid, "updateKey": "h" * 20, "status": "On track", "text": RISKY}
    card = (await submit_dialog(server, data))["task"]["value"]["card"]["content"]
    edit = button(card, "Edit")["data"]
    form = await submit_dialog(server, {k: v for k, v in edit.items() if k != "dialog"})
    content = form["task"]["value"]["card"]["content"]
    assert "without naming or identifying anyone" in card_texts(content)
    assert any(e.get("id") == "text" and e.get("value") == RISKY for e in content["body"])
    # "Save anyway" confirms one text: another text with personal data is asked about again.
    token = button(card, "Save anyway")["data"]["personalData"]
    other = {**data, "text": "Spoke to Mr Jones on 07700 900123", "personalData": token}
    again = await submit_dialog(server, other)
    assert "Check before saving" in card_texts(again["task"]["value"]["card"]["content"])
    clean = {**data, "text": "Met the family; they are safe now", "personalData": "edit"}
    assert "without naming" not in card_texts(
        (await submit_dialog(server, clean))["task"]["value"]["card"]["content"]
    )
    plain = {**data, "text": "Met the family; they are safe now"}
    assert "Update saved" in (await submit_dialog(server, plain))["task"]["value"]
    assert confirmed_audit(sqlite_url) == [None]


async def test_the_inline_form_asks_with_execute_buttons(
    server: BotServer, sqlite_url: str
) -> None:
    aid = action_id(sqlite_url, "1.10")
    data = {"actionId": aid, "updateKey": "i" * 20, "status": "At risk", "text": RISKY}
    _status, body = await server.post(execute(verbs.SAVE_UPDATE, data, aad=MEMBER))
    card = body["value"]
    assert not check_card(card)
    anyway = button(card, "Save anyway")
    assert anyway["type"] == "Action.Execute" and anyway["verb"] == verbs.SAVE_UPDATE
    _status, saved = await server.post(execute(verbs.SAVE_UPDATE, anyway["data"], aad=MEMBER))
    assert "Update saved: 1.10 is now At risk." in card_texts(saved["value"])


async def test_a_typed_update_with_personal_data_is_not_saved_until_confirmed(
    server: BotServer, connector: FakeConnector, sqlite_url: str
) -> None:
    typed = message(
        "update 1.10 on track: Visited Mrs Smith, DOB 12/03/1980",
        aad=MEMBER,
        service_url=connector.url,
    )
    assert (await server.post(typed))[0] == 201
    asked, ask = await connector.wait_for(2)
    assert "Nothing was saved yet" in asked.text
    card = ask.cards[0]
    assert "a date of birth" in card_texts(card)
    assert updates_of(sqlite_url, "1.10") == []
    anyway = button(card, "Save anyway")
    _status, saved = await server.post(execute(verbs.SAVE_UPDATE, anyway["data"], aad=MEMBER))
    assert "Update saved" in card_texts(saved["value"])
    assert confirmed_audit(sqlite_url) == [["name", "date_of_birth"]]


async def test_a_plain_typed_update_saves_at_once(
    server: BotServer, connector: FakeConnector, sqlite_url: str
) -> None:
    typed = message(
        "update 1.10 on track: Review of 1.18 agreed at the 12/03/2024 meeting",
        aad=MEMBER,
        service_url=connector.url,
    )
    await server.post(typed)
    (reply,) = await connector.wait_for(1)
    assert "Update saved" in card_texts(reply.cards[0])
