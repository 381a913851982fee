"""Keeping the read caches warm in the background, so that turns find them ready.

Every second (and once before the server starts) ``Services.keep_warm`` runs on the worker
threads: it re-reads the plan when its version changed (an import, here or in another process)
and renews the vocabulary before it expires. At 5,500 actions a whole-plan read takes about
0.1-0.3 s; done here, no person's question waits for it (benchmarks/plan_scale.py).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

from aiohttp import web

from bot.background import cancel_and_wait

log = logging.getLogger(__name__)
KEEP_WARM_EVERY_SECONDS = 1.0


class CacheKeeper:
    """Starts with the aiohttp app (``on_startup``) and stops with it (``on_cleanup``)."""

    def __init__(
        self,
        keep_warm: Callable[[], None],
        blocking: Callable[[Callable[[], None]], Awaitable[None]],
        interval_seconds: float = KEEP_WARM_EVERY_SECONDS,
    ) -> None:
        self.keep_warm = keep_warm
        self.blocking = blocking
        self.interval = interval_seconds
        self.failing = False
        self._task: asyncio.Task[None] | None = None

    async def start(self, app: web.Application | None = None) -> None:
        """Start the background task."""
        self._task = asyncio.create_task(self._loop(), name="cache-keeper")

    async def stop(self, app: web.Application | None = None) -> None:
        """Cancel the task (a read in progress finishes on its thread)."""
        await cancel_and_wait(self._task)
        self._task = None

    async def once(self) -> None:
        """One pass; a failure is logged once until a pass succeeds again (no log flood)."""
        try:
            await self.blocking(self.keep_warm)
        except Exception:  # turns read for themselves meanwhile; the log says why
            if not self.failing:
                log.warning("could not refresh the plan cache; turns will read it themselves")
            self.failing = True
        else:
            if self.failing:
                log.info("the plan cache is refreshed again")
            self.failing = False

    async def _loop(self) -> None:
        while True:
            await asyncio.sleep(self.interval)
            await self.once()
