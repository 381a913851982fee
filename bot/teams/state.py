"""The Agents SDK's ``Storage`` on the bot's database (turn state survives restarts)."""

from __future__ import annotations

import asyncio
import copy
from concurrent.futures import Executor
from typing import Any, TypeVar

from microsoft_agents.hosting.core import Storage, StoreItem

from bot.clock import Clock
from storage.db import transaction
from storage.state_store import delete_documents, read_documents, write_document

ItemT = TypeVar("ItemT", bound=StoreItem)
ETAG = "e_tag"


class DatabaseStorage(Storage):
    """Documents in the ``bot_state`` table, with eTag concurrency.

    Items are the SDK's ``StoreItem``: what ``store_item_to_json`` gives is stored, and an
    ``e_tag`` key in it is the optimistic-concurrency check (``"*"`` or none: overwrite).
    Read items carry the stored eTag under the same key.
    """

    def __init__(self, factory: Any, clock: Clock, executor: Executor | None = None) -> None:
        self.factory = factory
        self.clock = clock
        self.executor = executor

    async def _run(self, fn: Any, *args: Any) -> Any:
        return await asyncio.get_running_loop().run_in_executor(self.executor, fn, *args)

    async def read(
        self, keys: list[str], *, target_cls: type[ItemT], **kwargs: Any
    ) -> dict[str, ItemT]:
        """Items by key, each built by ``target_cls`` from its document and eTag."""
        if not keys:
            raise ValueError("Storage.read(): keys are required")

        def work() -> dict[str, tuple[dict[str, Any], str]]:
            with self.factory() as session:
                found: dict[str, tuple[dict[str, Any], str]] = read_documents(session, keys)
            return found

        found = await self._run(work)
        return {
            key: target_cls.from_json_to_store_item({**doc, ETAG: etag})  # type: ignore[misc]
            for key, (doc, etag) in found.items()
        }

    async def write(self, changes: dict[str, StoreItem]) -> None:
        """Store each change; a stale ``e_tag`` raises ``ETagConflict``."""
        if not changes:
            raise ValueError("Storage.write(): changes are required")
        for key, item in changes.items():
            data = item.store_item_to_json()
            if not isinstance(data, dict):
                raise TypeError(f"cannot store {type(item).__name__}: not a JSON object")
            document = copy.deepcopy({k: v for k, v in data.items() if k != ETAG})
            etag = data.get(ETAG)
            new_etag = await self._run(
                write_document, self.factory, key, document, etag, self.clock.now()
            )
            if hasattr(item, ETAG):
                setattr(item, ETAG, new_etag)

    async def delete(self, keys: list[str]) -> None:
        """Remove documents."""

        def work() -> None:
            with transaction(self.factory) as session:
                delete_documents(session, keys)

        await self._run(work)
