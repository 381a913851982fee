"""Sending within Teams' limits: rate limiters (:class:`Pacer`) and the retry policy (tenacity).

Teams allows a bot about 7 messages a second in one conversation and 50 requests a second in
one tenant. The limiters space sends evenly, one every 1/7 or 1/50 s, on a fixed schedule, so
that no one-second window holds more than the limit (give or take a send woken a moment late),
whatever the burst. :class:`Limits` counts in this process (one instance, tests);
:class:`SharedLimits` counts in the database, so that several instances sharing it keep to the
limits together (what a running bot uses).

The schedule is what keeps a long fan-out at the limit. A leaky bucket of one
(``aiolimiter.AsyncLimiter(1, 1/50)``, used before) measures each gap from the moment the
previous waiter actually woke; the event loop wakes a sleeper a little late (about 0.7 ms
here), and that lateness was lost on every send: 2,500 sends took 3.5% longer than 50 s.

A 429 is retried after its ``Retry-After``; 412, 502, 503 and 504 (and a 429 without the
header) after an exponential back-off with jitter. A bounded number of tries is made; a
``Retry-After`` longer than :data:`MAX_RETRY_AFTER_SECONDS` ends the tries at once.
"""

from __future__ import annotations

import asyncio
import math
import time
from collections.abc import Awaitable, Callable
from types import TracebackType
from typing import Any, Protocol

from sqlalchemy.orm import Session, sessionmaker
from tenacity import (
    AsyncRetrying,
    RetryCallState,
    retry_if_result,
    stop_after_attempt,
    wait_exponential_jitter,
)
from tenacity.stop import stop_base
from tenacity.wait import wait_base

from bot.jobs.types import SendResult
from storage.db import transaction
from storage.rate_slots import reserve_send_slot

PER_CONVERSATION_PER_SECOND = 7
PER_TENANT_PER_SECOND = 50
MAX_RETRY_AFTER_SECONDS = 120.0
BACKOFF_INITIAL_SECONDS = 1.0
BACKOFF_MAX_SECONDS = 30.0


class Pacer:
    """At most ``per_second`` acquisitions a second, spaced evenly, first come first served.

    Each caller is given a slot on a schedule, one interval after the previous slot (or now,
    when the pacer has been idle) and sleeps until it. The next slot is counted from the
    previous *slot*, not from when its caller actually woke, so a late wake-up does not push
    the rest of the schedule back; idle time is never saved up for a burst either.
    """

    def __init__(
        self,
        per_second: float,
        clock: Callable[[], float] | None = None,
        sleep: Callable[[float], Awaitable[None]] | None = None,
    ) -> None:
        # ``clock`` and ``sleep`` default to the event loop's; tests pass virtual ones, so the
        # schedule is checked without depending on the machine's timing.
        self.interval = 1.0 / per_second
        self._clock = clock or (lambda: asyncio.get_running_loop().time())
        self._sleep = sleep or asyncio.sleep
        self._next = -math.inf
        self._last = -math.inf
        self._lock = asyncio.Lock()

    async def acquire(self) -> None:
        """Wait for this caller's slot."""
        async with self._lock:
            # After a late wake-up the next caller keeps to the schedule, but never goes
            # closer than half an interval behind the late one.
            slot = max(self._next, self._clock(), self._last + self.interval / 2)
            self._next = slot + self.interval
            try:
                if (wait := slot - self._clock()) > 0:
                    await self._sleep(wait)
            except asyncio.CancelledError:
                self._next = slot  # not used: the next caller may have it
                raise
            self._last = self._clock()

    async def __aenter__(self) -> None:
        await self.acquire()

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        return None


class RateLimits(Protocol):
    """Waits until a request to one conversation of one tenant is within the limits."""

    async def wait_turn(self, tenant_id: str, conversation_id: str) -> None:
        """Return when this request may be sent."""
        ...


class Limits:
    """One limiter per conversation and one per tenant, created on first use (this process)."""

    def __init__(
        self,
        per_conversation: float = PER_CONVERSATION_PER_SECOND,
        per_tenant: float = PER_TENANT_PER_SECOND,
    ) -> None:
        self.per_conversation = per_conversation
        self.per_tenant = per_tenant
        self._conversations: dict[str, Pacer] = {}
        self._tenants: dict[str, Pacer] = {}

    def conversation(self, conversation_id: str) -> Pacer:
        """The limiter of one conversation."""
        if conversation_id not in self._conversations:
            self._conversations[conversation_id] = Pacer(self.per_conversation)
        return self._conversations[conversation_id]

    def tenant(self, tenant_id: str) -> Pacer:
        """The limiter of one tenant (all conversations in it)."""
        if tenant_id not in self._tenants:
            self._tenants[tenant_id] = Pacer(self.per_tenant)
        return self._tenants[tenant_id]

    async def wait_turn(self, tenant_id: str, conversation_id: str) -> None:
        """Wait for the tenant's slot, then the conversation's."""
        await self.tenant(tenant_id).acquire()
        await self.conversation(conversation_id).acquire()


# The shared limits keep a margin below Teams' figures. Requests leave on a schedule, but a
# process that stalls (a busy machine, a garbage collection) sends its overdue slots together
# when it resumes, and the receiving side can bunch arrivals the same way: any one-second
# window then holds what was scheduled over slightly more than a second. Measured at the
# connector with two instances on a busy two-core machine, 0.96 of the limits still showed
# 53/s; 0.9 with late slots given back held.
SHARED_MARGIN = 0.9
# A request that wakes this much after its slot takes a fresh one instead of sending late
# (next to the slots after it); after a few tries it is sent anyway.
LATE_SECONDS = 0.05
RESERVATIONS = 4


class SharedLimits:
    """Teams' limits counted in the database all instances share (``storage.rate_slots``).

    Each request reserves its slot in one short transaction (on a worker thread), then sleeps
    until it; a request that is cancelled while sleeping leaves its slot unused.
    """

    def __init__(
        self,
        db: sessionmaker[Session],
        blocking: Callable[..., Awaitable[Any]],
        per_conversation: float = PER_CONVERSATION_PER_SECOND * SHARED_MARGIN,
        per_tenant: float = PER_TENANT_PER_SECOND * SHARED_MARGIN,
        clock: Callable[[], float] = time.time,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self.db = db
        self.blocking = blocking
        self.tenant_interval = 1.0 / per_tenant
        self.conversation_interval = 1.0 / per_conversation
        self._clock = clock
        self._sleep = sleep

    def _reserve(self, tenant_id: str, conversation_id: str) -> float:
        with transaction(self.db) as session:
            return reserve_send_slot(
                session,
                f"tenant:{tenant_id}"[:500],
                f"conversation:{conversation_id}"[:500],
                self._clock(),
                tenant_interval=self.tenant_interval,
                conversation_interval=self.conversation_interval,
            )

    async def wait_turn(self, tenant_id: str, conversation_id: str) -> None:
        """Reserve the next slot both limits allow, and sleep until it.

        A slot woken up to too late is not used: a fresh one is reserved (a few times at most).
        """
        for _ in range(RESERVATIONS):
            slot = await self.blocking(self._reserve, tenant_id, conversation_id)
            if (wait := slot - self._clock()) > 0:
                await self._sleep(wait)
            if self._clock() - slot <= LATE_SECONDS:
                return


def _last(state: RetryCallState) -> SendResult | None:
    outcome = state.outcome
    if outcome is None or outcome.failed:
        return None
    result = outcome.result()
    return result if isinstance(result, SendResult) else None


class WaitForRetryAfter(wait_base):
    """Wait as long as the connector's ``Retry-After`` says, else back off exponentially."""

    def __init__(self, fallback: wait_base) -> None:
        self.fallback = fallback

    def __call__(self, retry_state: RetryCallState) -> float:
        """Seconds to wait before the next try."""
        last = _last(retry_state)
        if last is not None and last.retry_after is not None:
            return max(0.0, last.retry_after)
        return float(self.fallback(retry_state))


class StopWhenThrottledTooLong(stop_base):
    """Give up when the connector asks us to wait longer than ``limit`` seconds."""

    def __init__(self, limit: float) -> None:
        self.limit = limit

    def __call__(self, retry_state: RetryCallState) -> bool:
        """True to stop trying."""
        last = _last(retry_state)
        return last is not None and last.retry_after is not None and last.retry_after > self.limit


def _give_back_last(retry_state: RetryCallState) -> SendResult | None:
    """When the tries run out, the last answer is the result (recorded as a failure)."""
    return _last(retry_state)


def retrying(attempts: int, sleep: Callable[[float], Awaitable[None]]) -> AsyncRetrying:
    """The retry policy for one delivery: retry refusals only, never an unknown outcome.

    A timeout or a dropped connection (status None) is not retried: the connector may have
    accepted the message, and a second send could duplicate it.
    """
    return AsyncRetrying(
        stop=stop_after_attempt(max(1, attempts))
        | StopWhenThrottledTooLong(MAX_RETRY_AFTER_SECONDS),
        wait=WaitForRetryAfter(
            wait_exponential_jitter(
                initial=BACKOFF_INITIAL_SECONDS, max=BACKOFF_MAX_SECONDS, jitter=1.0
            )
        ),
        retry=retry_if_result(lambda result: isinstance(result, SendResult) and result.retryable),
        retry_error_callback=_give_back_last,
        sleep=sleep,
        reraise=True,
    )
