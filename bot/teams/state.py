"""botbuilder ``Storage`` on the bot's database (turn state survives restarts and instances)."""

from __future__ import annotations

import asyncio
import copy
from concurrent.futures import Executor
from typing import Any

from botbuilder.core import Storage, StoreItem

from bot.clock import Clock
from storage.db import transaction
from storage.state_store import delete_documents, read_documents, write_document


class DatabaseStorage(Storage):
    """Documents in the ``bot_state`` table, with eTag concurrency (as botbuilder expects)."""

    def __init__(self, factory: Any, clock: Clock, executor: Executor | None = None) -> None:
        super().__init__()
        self.factory = factory
        self.clock = clock
        self.executor = executor

    async def _run(self, fn: Any, *args: Any) -> Any:
        return await asyncio.get_running_loop().run_in_executor(self.executor, fn, *args)

    async def read(self, keys: list[str]) -> dict[str, object]:
        """Documents by key, each with its ``e_tag``."""
        if not keys:
            raise ValueError("Storage.read(): keys are required")

        def work() -> dict[str, object]:
            with self.factory() as session:
                found = read_documents(session, keys)
            return {key: {**doc, "e_tag": etag} for key, (doc, etag) in found.items()}

        result: dict[str, object] = await self._run(work)
        return result

    async def write(self, changes: dict[str, object]) -> None:
        """Store each change; a stale ``e_tag`` raises ``ETagConflict``."""
        for key, item in changes.items():
            if isinstance(item, StoreItem):
                document = copy.deepcopy({k: v for k, v in vars(item).items() if k != "e_tag"})
                etag = getattr(item, "e_tag", None)
            elif isinstance(item, dict):
                document = copy.deepcopy({k: v for k, v in item.items() if k != "e_tag"})
                etag = item.get("e_tag")
            else:
                raise TypeError(f"cannot store {type(item).__name__}")
            new_etag = await self._run(
                write_document, self.factory, key, document, etag, self.clock.now()
            )
            if isinstance(item, dict):
                item["e_tag"] = new_etag
            else:
                item.e_tag = new_etag

    async def delete(self, keys: list[str]) -> None:
        """Remove documents."""

        def work() -> None:
            with transaction(self.factory) as session:
                delete_documents(session, keys)

        await self._run(work)
