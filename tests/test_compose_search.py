"""The compose-box search (message extension ``composeExtension/query``) over real HTTP."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from bot.clock import FixedClock
from bot.handlers.compose import NO_BODIES, read_query
from cards import verbs
from tests.cardcheck import check_card
from tests.harness import BotServer, card_texts, fixture, settings_for
from tests.store_support import member

OWNER = "00000000-0000-0000-0000-0000000000020"  # the fixture's user


@pytest.fixture
async def server(sqlite_url: str, tmp_path: Path, clock: FixedClock) -> AsyncIterator[BotServer]:
    settings = settings_for(sqlite_url, tmp_path)
    member(settings.database_url, OWNER, "Alex Wilber", ("OPCCN",))
    async with BotServer(settings, clock) as running:
        yield running


async def searched(server: BotServer, typed: str | None, **change: Any) -> dict[str, Any]:
    activity = fixture("channel-invoke-composeExtension-query")
    activity["serviceUrl"] = server.connector.url
    if typed is None:
        activity["value"]["parameters"] = [{"name": "initialRun", "value": "true"}]
    else:
        activity["value"]["parameters"][0]["value"] = typed
    activity.update(change)
    status, body = await server.post(activity)
    assert status == 200, body
    assert not server.connector.sent(), "a search must post nothing"
    return dict(body["composeExtension"])


def numbers_of(result: dict[str, Any]) -> list[str]:
    assert result["type"] == "result" and result["attachmentLayout"] == "list"
    return [a["preview"]["content"]["title"].split(" · ")[0] for a in result["attachments"]]


async def test_a_number_finds_that_action_and_inserts_its_card(server: BotServer) -> None:
    result = await searched(server, "1.18")
    assert numbers_of(result) == ["1.18"]
    (attachment,) = result["attachments"]
    card = attachment["content"]
    assert attachment["contentType"] == "application/vnd.microsoft.card.adaptive"
    assert not check_card(card)
    assert "Action 1.18" in card_texts(card)
    preview = attachment["preview"]
    assert preview["contentType"] == "application/vnd.microsoft.card.thumbnail"
    content = preview["content"]
    assert content["title"].startswith("1.18 · ") and content["text"]
    assert " · " in content["subtitle"]  # owner · deadline


async def test_words_find_the_county_lines_actions(server: BotServer) -> None:
    found = numbers_of(await searched(server, "county lines"))
    assert found and {"2.1", "2.2"} <= set(found)
    assert all(n.startswith("2.") for n in found)


async def test_owner_and_status_narrow_the_search(server: BotServer) -> None:
    everything = await searched(server, "OPCCN")
    titles = [a["preview"]["content"]["title"] for a in everything["attachments"]]
    status = titles[0].split(" · ")[1]
    expected = [t.split(" · ")[0] for t in titles if t.endswith(f" · {status}")]
    narrowed = numbers_of(await searched(server, f"OPCCN {status.lower()}"))
    assert narrowed == expected and len(narrowed) <= len(titles)


async def test_an_empty_box_shows_my_actions(server: BotServer) -> None:
    mine = numbers_of(await searched(server, None))
    assert mine == numbers_of(await searched(server, "OPCCN"))


async def test_an_empty_box_for_someone_without_bodies_explains(server: BotServer) -> None:
    stranger = {"id": "29:stranger", "name": "Sam", "aadObjectId": "aad-stranger"}
    result = await searched(server, None, **{"from": stranger})
    assert result == {"type": "message", "text": NO_BODIES}


async def test_nothing_found_and_unknown_commands_are_messages(server: BotServer) -> None:
    result = await searched(server, "9.99")
    assert result["type"] == "message" and "9.99" in result["text"]
    activity = fixture("channel-invoke-composeExtension-query")
    activity["serviceUrl"] = server.connector.url
    activity["value"]["commandId"] = "nope"
    status, body = await server.post(activity)
    assert status == 200 and body["composeExtension"]["type"] == "message"


def test_reading_a_query() -> None:
    assert read_query("OPCCN  Off Track") == ("opccn", "Off track", False)
    assert read_query("overdue county lines") == ("county lines", None, True)
    assert read_query("") == ("", None, False)
    assert verbs.SEARCH_ACTIONS == "searchActions"
