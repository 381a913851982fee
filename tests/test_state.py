"""The Agents SDK's Storage on SQLite and PostgreSQL, with eTag concurrency."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import pytest
from microsoft_agents.hosting.core import StoreItem
from sqlalchemy import Engine

from bot.clock import FixedClock
from bot.teams.state import DatabaseStorage
from storage.db import make_sessionmaker
from storage.state_store import ETagConflict


@dataclass
class Counter(StoreItem):
    count: int = 0
    e_tag: str | None = None

    def store_item_to_json(self) -> dict[str, Any]:
        return {"count": self.count, "e_tag": self.e_tag}

    @staticmethod
    def from_json_to_store_item(json_data: Any) -> Counter:
        return Counter(count=json_data["count"], e_tag=json_data.get("e_tag"))


@pytest.fixture
def storage(engine: Engine) -> DatabaseStorage:
    return DatabaseStorage(make_sessionmaker(engine), FixedClock(datetime(2022, 6, 1, tzinfo=UTC)))


async def test_read_write_delete(storage: DatabaseStorage) -> None:
    assert await storage.read(["a"], target_cls=Counter) == {}
    await storage.write({"a": Counter(1)})
    first = await storage.read(["a", "b"], target_cls=Counter)
    assert set(first) == {"a"}
    assert first["a"].count == 1 and first["a"].e_tag
    await storage.delete(["a"])
    assert await storage.read(["a"], target_cls=Counter) == {}


async def test_stale_etag_is_refused(storage: DatabaseStorage) -> None:
    await storage.write({"k": Counter(1)})
    one = (await storage.read(["k"], target_cls=Counter))["k"]
    two = (await storage.read(["k"], target_cls=Counter))["k"]
    one.count = 2
    await storage.write({"k": one})
    two.count = 3
    with pytest.raises(ETagConflict):
        await storage.write({"k": two})
    assert (await storage.read(["k"], target_cls=Counter))["k"].count == 2
    await storage.write({"k": Counter(4, "*")})  # "*" overwrites
    assert (await storage.read(["k"], target_cls=Counter))["k"].count == 4


async def test_written_items_carry_their_new_etag(storage: DatabaseStorage) -> None:
    item = Counter(1)
    await storage.write({"c": item})
    assert item.e_tag
    item.count = 2
    await storage.write({"c": item})  # its own eTag: accepted
    assert (await storage.read(["c"], target_cls=Counter))["c"].count == 2
