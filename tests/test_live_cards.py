"""Live cards (Universal Actions refresh) in shared conversations, over real HTTP.

A card posted in one chat refreshes, as each member opens it, to the current figures: an
update posted in another chat shows there; "Post update" only for people who may update.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from bot.clock import FixedClock
from cards import verbs
from cards.base import REFRESH_USER_LIMIT
from tests.harness import BotServer, card_texts, fixture, message, settings_for
from tests.store_support import member

OWNER, OWNER_ID = "aad-owner", "29:owner"
READER, READER_ID = "aad-reader", "29:reader"
CHAT_A = "19:chat-a@thread.v2"
CHAT_B = "19:chat-b@thread.v2"


@pytest.fixture
async def server(sqlite_url: str, tmp_path: Path, clock: FixedClock) -> AsyncIterator[BotServer]:
    settings = settings_for(sqlite_url, tmp_path)
    member(settings.database_url, OWNER, "Olive Owner", ("OPCCN",))
    member(settings.database_url, READER, "Rita Reader")
    async with BotServer(settings, clock) as running:
        running.connector.members.update(
            {OWNER_ID: {"name": "Olive Owner"}, READER_ID: {"name": "Rita Reader"}}
        )
        yield running


def opened(server: BotServer, action_id: int, aad: str, user_id: str) -> dict[str, Any]:
    """Teams refreshing the card as this person opens it in chat B (the built fixture)."""
    activity = fixture("groupChat-invoke-adaptiveCard-action-refresh")
    activity["serviceUrl"] = server.connector.url
    activity["conversation"]["id"] = CHAT_B
    activity["from"] = {"id": user_id, "name": "someone", "aadObjectId": aad}
    data = {"verb": verbs.SHOW_ACTION, "actionId": action_id}
    activity["value"]["action"]["data"] = data
    return activity


def titles(card: dict[str, Any]) -> list[str]:
    return [a["title"] for a in card.get("actions", [])]


async def test_an_update_in_one_chat_shows_on_the_card_in_another(server: BotServer) -> None:
    action = server.runtime.services.plan.actions_for(["OPCCN"])[0]
    # Chat B: someone asks for the action; everyone gets the read-only live card.
    asked = message(
        f"action {action.number}",
        kind="groupChat",
        aad=READER,
        user_id=READER_ID,
        conversation_id=CHAT_B,
        service_url=server.connector.url,
    )
    await server.post(asked)
    (posted,) = server.connector.sent(CHAT_B)
    (card,) = posted.cards
    assert card["refresh"]["action"]["verb"] == verbs.SHOW_ACTION
    assert sorted(card["refresh"]["userIds"]) == [OWNER_ID, READER_ID]
    assert titles(card)[0] == "Refresh" and "Post update" not in titles(card)
    assert "Terms of reference agreed" not in card_texts(card)
    # Chat A: the owner posts an update by typing it.
    typed = message(
        f"update {action.number} at risk: Terms of reference agreed",
        kind="groupChat",
        aad=OWNER,
        user_id=OWNER_ID,
        conversation_id=CHAT_A,
        service_url=server.connector.url,
    )
    await server.post(typed)
    # Chat B, next time it is opened: Teams asks for the card again, per person.
    for aad, user_id, may_update in ((READER, READER_ID, False), (OWNER, OWNER_ID, True)):
        status, body = await server.post(opened(server, action.id, aad, user_id))
        assert status == 200 and body["statusCode"] == 200
        fresh = body["value"]
        assert "Terms of reference agreed" in card_texts(fresh) and "At risk" in card_texts(fresh)
        assert ("Post update" in titles(fresh)) is may_update
        assert "Refresh" not in titles(fresh)  # their own view, not the shared one
        assert sorted(fresh["refresh"]["userIds"]) == [OWNER_ID, READER_ID]
    assert server.connector.roster_reads == 1  # the roster is kept, not read per card


async def test_above_sixty_members_nobody_is_refreshed_automatically(server: BotServer) -> None:
    server.connector.members.update(
        {f"29:member-{i}": {"name": f"Member {i}"} for i in range(REFRESH_USER_LIMIT)}
    )
    await server.post(
        message("action 1.18", kind="groupChat", aad=READER, service_url=server.connector.url)
    )
    (posted,) = server.connector.sent()
    (card,) = posted.cards
    assert card["refresh"]["userIds"] == []
    assert titles(card)[0] == "Refresh"  # everyone can still get their own current view


async def test_a_personal_chat_card_is_not_live(server: BotServer) -> None:
    await server.post(message("action 1.18", aad=OWNER, service_url=server.connector.url))
    (posted,) = server.connector.sent()
    (card,) = posted.cards
    assert "refresh" not in card and "Post update" in titles(card)
    await server.post(message("status", aad=OWNER, service_url=server.connector.url))
    status_card = server.connector.sent()[-1].cards[0]
    assert "userIds" not in status_card["refresh"]  # Teams refreshes a 1:1 chat without a list
    assert server.connector.roster_reads == 0
