"""botbuilder's Storage on SQLite and PostgreSQL, with eTag concurrency."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from botbuilder.core import ConversationState, TurnContext
from botbuilder.core.adapters import TestAdapter
from botbuilder.schema import Activity, ChannelAccount, ConversationAccount
from sqlalchemy import Engine

from bot.clock import FixedClock
from bot.teams.state import DatabaseStorage
from storage.db import make_sessionmaker
from storage.state_store import ETagConflict


@pytest.fixture
def storage(engine: Engine) -> DatabaseStorage:
    return DatabaseStorage(make_sessionmaker(engine), FixedClock(datetime(2022, 6, 1, tzinfo=UTC)))


async def test_read_write_delete(storage: DatabaseStorage) -> None:
    assert await storage.read(["a"]) == {}
    await storage.write({"a": {"count": 1}})
    first = await storage.read(["a", "b"])
    assert set(first) == {"a"}
    doc = first["a"]
    assert isinstance(doc, dict) and doc["count"] == 1 and doc["e_tag"]
    await storage.delete(["a"])
    assert await storage.read(["a"]) == {}


async def test_stale_etag_is_refused(storage: DatabaseStorage) -> None:
    await storage.write({"k": {"v": 1}})
    one = (await storage.read(["k"]))["k"]
    two = (await storage.read(["k"]))["k"]
    assert isinstance(one, dict) and isinstance(two, dict)
    one["v"] = 2
    await storage.write({"k": one})
    two["v"] = 3
    with pytest.raises(ETagConflict):
        await storage.write({"k": two})
    final = (await storage.read(["k"]))["k"]
    assert isinstance(final, dict) and final["v"] == 2
    await storage.write({"k": {"v": 4, "e_tag": "*"}})  # "*" overwrites
    last = (await storage.read(["k"]))["k"]
    assert isinstance(last, dict) and last["v"] == 4


async def test_conversation_state_round_trip(storage: DatabaseStorage) -> None:
    state = ConversationState(storage)
    counter = state.create_property("counter")
    activity = Activity(
        type="message",
        channel_id="msteams",
        conversation=ConversationAccount(id="c1"),
        from_property=ChannelAccount(id="u1"),
        recipient=ChannelAccount(id="b1"),
        text="hi",
    )
    for expected in (1, 2):
        context = TurnContext(TestAdapter(), activity)
        value = await counter.get(context, lambda: 0)
        await counter.set(context, value + 1)
        await state.save_changes(context)
        assert value + 1 == expected
