"""The running server over real HTTP on 127.0.0.1, replies received by a fake Bot Connector."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy import select

from bot.clock import FixedClock
from cards import verbs
from storage.db import make_sessionmaker
from storage.models import ConversationRef
from tests.fakes.connector import FakeConnector
from tests.harness import BotServer, card_texts, execute, install, message, settings_for


@pytest.fixture
async def server(sqlite_url: str, tmp_path: Path, clock: FixedClock) -> AsyncIterator[BotServer]:
    async with BotServer(settings_for(sqlite_url, tmp_path), clock) as running:
        yield running


async def test_health_and_readiness(server: BotServer) -> None:
    assert await server.get("/healthz") == (200, {"status": "ok"})
    assert await server.get("/readyz") == (200, {"status": "ready"})


async def test_message_reply_reaches_the_connector(
    server: BotServer, connector: FakeConnector
) -> None:
    status, _ = await server.post(message("what's overdue for OPCCN?", service_url=connector.url))
    assert status == 201
    (arrival,) = await connector.wait_for(1)
    (card,) = arrival.cards
    assert "**1.4**" in card_texts(card)
    assert arrival.body["replyToId"]


async def test_every_conversation_type(server: BotServer, connector: FakeConnector) -> None:
    for n, kind in enumerate(("personal", "channel", "groupChat"), start=1):
        status, _ = await server.post(
            message("overdue OPCCN", kind=kind, service_url=connector.url)
        )
        assert status == 201
        arrivals = await connector.wait_for(n)
        assert "**1.4**" in card_texts(arrivals[-1].cards[0]), kind


async def test_reference_stored_on_install_and_welcome_sent(
    server: BotServer, connector: FakeConnector
) -> None:
    status, _ = await server.post(
        install(service_url=connector.url, conversation_id="conv-install")
    )
    assert status == 201
    (arrival,) = await connector.wait_for(1)
    assert "Hello from the Safer Partnership bot" in card_texts(arrival.cards[0])
    factory = make_sessionmaker(server.runtime.engine)
    with factory() as session:
        ref = session.scalar(
            select(ConversationRef).where(ConversationRef.conversation_id == "conv-install")
        )
        assert ref is not None and ref.active and ref.service_url == connector.url


async def test_execute_invoke_body_arrives_intact(server: BotServer) -> None:
    status, body = await server.post(execute(verbs.RUN_COMMAND, {"text": "priorities"}))
    assert status == 200
    assert body["statusCode"] == 200
    assert body["type"] == "application/vnd.microsoft.card.adaptive"
    assert body["value"]["type"] == "AdaptiveCard"


async def test_unknown_invoke_is_not_a_server_error(server: BotServer) -> None:
    activity = execute("x", {})
    activity["name"] = "composeExtension/submitAction"  # the bot has no action commands
    status, body = await server.post(activity)
    assert status == 400 and body["code"] == "NotSupported"


async def test_bad_requests(server: BotServer) -> None:
    assert (await server.post(b"{not json"))[0] == 400
    assert (await server.post(b"[1, 2]"))[0] == 400
    assert (await server.post(b'{"text": "no type"}'))[0] == 400
    assert (await server.post(message("hi"), content_type="text/plain"))[0] == 415
    assert (await server.post(b"{" + b" " * (300 * 1024) + b"}"))[0] == 413
