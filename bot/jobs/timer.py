"""The built-in trigger: run the jobs every ``JOBS_INTERVAL_SECONDS`` in a background task.

The task runs beside the web server and never blocks it: database work goes to the runtime's
executor and sends are awaited, so turns keep being answered during a long fan-out. Stopping
the app cancels the task; a send already on the wire is recorded first (``bot.jobs.fanout``).
"""

from __future__ import annotations

import asyncio
import logging

from aiohttp import web

from bot.background import cancel_and_wait
from bot.clock import Clock
from bot.jobs.runner import JobRunner

log = logging.getLogger(__name__)
FIRST_RUN_AFTER_SECONDS = 30.0


class JobTimer:
    """Starts with the aiohttp app (``on_startup``) and stops with it (``on_cleanup``)."""

    def __init__(self, runner: JobRunner, clock: Clock, interval_seconds: float) -> None:
        self.runner = runner
        self.clock = clock
        self.interval = interval_seconds
        self._task: asyncio.Task[None] | None = None
        self._loop_ref: asyncio.AbstractEventLoop | None = None
        self._soon: set[asyncio.Task[None]] = set()

    def wake(self) -> None:
        """Run the jobs now, from any thread (e.g. after an update planned channel notices)."""
        if self._loop_ref is not None and not self._loop_ref.is_closed():
            self._loop_ref.call_soon_threadsafe(self._run_soon)

    def _run_soon(self) -> None:
        task = asyncio.create_task(self._run_once(), name="jobs-now")
        self._soon.add(task)
        task.add_done_callback(self._soon.discard)

    async def _run_once(self) -> None:
        try:
            await self.runner.run(self.clock.now())
        except Exception:  # the timer will try again; the log says why
            log.exception("the jobs run asked for by a turn failed")

    async def start(self, app: web.Application | None = None) -> None:
        """Start the background task (not when the interval is 0: the endpoint is used)."""
        self._loop_ref = asyncio.get_running_loop()
        if self.interval <= 0:
            log.info("the job timer is off (JOBS_INTERVAL_SECONDS=0)")
            return
        self._task = asyncio.create_task(self._loop(), name="job-timer")

    async def stop(self, app: web.Application | None = None) -> None:
        """Cancel the task and wait for it to record what it was sending."""
        self._loop_ref = None
        for task in list(self._soon):
            task.cancel()
        for task in list(self._soon):
            await cancel_and_wait(task)
        await cancel_and_wait(self._task)
        self._task = None

    async def _loop(self) -> None:
        await asyncio.sleep(min(self.interval, FIRST_RUN_AFTER_SECONDS))
        while True:
            try:
                await self.runner.run(self.clock.now())
            except asyncio.CancelledError:
                raise
            except Exception:  # one failed run must not stop the timer; the log says why
                log.exception("the scheduled jobs failed; trying again at the next interval")
            await asyncio.sleep(self.interval)
