"""Sending due deliveries: claim, send within the limits, record; each exactly once.

Per delivery: claim the row (committed), send with retries, record the answer. When the run
is cancelled (shutdown, a test stopping it midway):

- a delivery not yet claimed is left pending for the next run;
- a claimed delivery waiting for its limiter slot or between tries is given back (pending):
  the connector has accepted nothing;
- a send already on the wire is awaited (up to ``in_flight_wait`` seconds) and its answer
  recorded, so a graceful stop never leaves an outcome unknown. Only a process killed between
  the connector's answer and the commit leaves a claim behind (see ``storage.deliveries``).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from bot.jobs.content import Content, Target
from bot.jobs.context import JobContext
from bot.jobs.outcomes import describe, record_answer, status_of
from bot.jobs.policy import retrying
from bot.jobs.types import JobSummary, SendResult
from bot.turns import Message
from storage import deliveries
from storage.conversations import ReferenceRecord
from storage.db import transaction
from storage.deliveries import DeliveryRecord

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Prepared:
    """A due delivery with its target and message worked out."""

    record: DeliveryRecord
    target: Target
    content: Content


class Interrupted(Exception):
    """The run was cancelled during a send; ``result`` is its answer, None if still unknown."""

    def __init__(self, result: SendResult | None, tries: int) -> None:
        super().__init__("cancelled during a send")
        self.result = result
        self.tries = tries


Fetch = Callable[[], Awaitable[list[Prepared] | None]]


class FanOut:
    """Sends prepared deliveries, ``ctx.concurrency`` at a time, as one continuous stream.

    Deliveries come in batches from ``fetch``; the next batch is prepared while the current one
    is being sent, and a worker takes the next delivery as soon as it has finished one, so the
    limiters, not the batches, set the pace: no pause between batches, and a delivery waiting
    out a 429's ``Retry-After`` holds up only its own worker, not the rest of its batch.
    """

    def __init__(self, ctx: JobContext, now: datetime, summary: JobSummary) -> None:
        self.ctx = ctx
        self.now = now
        self.summary = summary
        self._gone: set[str] = set()

    async def run(self, fetch: Fetch, prefetch: int = 100) -> None:
        """Send what ``fetch`` gives until it gives None; returns when each one is recorded.

        At most ``prefetch`` prepared deliveries wait unclaimed. On cancellation too, this
        waits until every worker has recorded what it was doing; unclaimed ones stay pending.
        """
        queue: asyncio.Queue[Prepared | None] = asyncio.Queue(maxsize=max(1, prefetch))
        workers = [
            asyncio.ensure_future(self._work(queue)) for _ in range(max(1, self.ctx.concurrency))
        ]
        try:
            while (batch := await fetch()) is not None:
                for item in batch:
                    await queue.put(item)
            for _ in workers:
                await queue.put(None)
        except BaseException:
            for worker in workers:
                worker.cancel()
            await asyncio.wait(workers)
            raise
        # return_exceptions: on cancellation gather waits for every worker (without it, it
        # would return as soon as one of them is cancelled, leaving the others unwatched).
        results = await asyncio.gather(*workers, return_exceptions=True)
        errors = [e for r in results for e in ([r] if isinstance(r, BaseException) else r)]
        if errors:
            raise errors[0]

    async def _work(self, queue: asyncio.Queue[Prepared | None]) -> list[BaseException]:
        errors: list[BaseException] = []
        while (item := await queue.get()) is not None:
            try:
                await self._deliver(item)
            except Exception as error:  # one broken delivery must not stop the others
                log.error("a delivery failed unexpectedly", exc_info=error)
                errors.append(error)
        return errors

    async def _db(self, fn: Any, *args: Any, **kwargs: Any) -> Any:
        def work() -> Any:
            with transaction(self.ctx.db) as session:
                return fn(session, *args, **kwargs)

        return await self.ctx.blocking(work)

    async def _claim(self, record: DeliveryRecord) -> bool:
        pending = asyncio.ensure_future(
            self._db(deliveries.claim, record.id, self.ctx.worker, self.now)
        )
        try:
            return bool(await asyncio.shield(pending))
        except asyncio.CancelledError:
            if await pending:  # claimed after all: give it back, nothing was sent
                await self._db(deliveries.release, record.id, self.ctx.worker, 0, self.now)
            raise

    async def _deliver(self, item: Prepared) -> None:
        reference, message = item.target.reference, item.content.message
        assert reference is not None and message is not None
        if not await self._claim(item.record):
            return  # another run or instance has it
        if reference.conversation_id in self._gone:
            await self._finish(item, SendResult(403, error="removed earlier in this run"), 0)
            return
        try:
            result, tries = await self._send(reference, message)
        except Interrupted as stop:
            await self._after_interrupt(item, stop)
            raise asyncio.CancelledError from None
        except asyncio.CancelledError:
            # Waiting for a limiter slot or between tries: nothing is on the wire.
            await self._db(deliveries.release, item.record.id, self.ctx.worker, 0, self.now)
            raise
        await self._finish(item, result, tries)

    async def _send(self, reference: ReferenceRecord, message: Message) -> tuple[SendResult, int]:
        tries = 0

        async def attempt() -> SendResult:
            nonlocal tries
            await self.ctx.limits.wait_turn(reference.tenant_id or "-", reference.conversation_id)
            tries += 1
            if tries > 1:
                self.summary.retries += 1
            return await self._one_send(reference, message, tries)

        result: SendResult | None = await retrying(self.ctx.attempts, self.ctx.sleep)(attempt)
        assert isinstance(result, SendResult)
        return result, tries

    async def _one_send(
        self, reference: ReferenceRecord, message: Message, tries: int
    ) -> SendResult:
        sending = asyncio.ensure_future(self.ctx.sender.send(reference, message))
        try:
            return await asyncio.shield(sending)
        except asyncio.CancelledError:
            try:
                result = await asyncio.wait_for(sending, self.ctx.in_flight_wait)
            except (asyncio.CancelledError, TimeoutError):
                raise Interrupted(None, tries) from None
            raise Interrupted(result, tries) from None

    async def _after_interrupt(self, item: Prepared, stop: Interrupted) -> None:
        record, result = item.record, stop.result
        if result is None:
            log.warning("delivery %s: cancelled with a send in flight; outcome unknown", record.id)
            return  # stays claimed; expire_stale_claims will call it "unknown"
        if result.ok or result.gone or result.in_doubt:
            await self._finish(item, result, stop.tries)
        else:  # refused: nothing arrived, the next run sends it
            await self._db(deliveries.release, record.id, self.ctx.worker, stop.tries, self.now)

    async def _finish(self, item: Prepared, result: SendResult, tries: int) -> None:
        record, reference = item.record, item.target.reference
        assert reference is not None
        status = status_of(result)
        outcome = "" if result.ok else describe(result, tries)
        await self._db(
            record_answer, record, reference, self.ctx.worker, status, self.now, tries, result
        )
        if status == "gone":
            self._gone.add(reference.conversation_id)
        self.summary.count(status)
        if status != "sent":
            log.warning(
                "delivery %s (%s %s): %s", record.id, record.rule, record.recipient, outcome
            )
