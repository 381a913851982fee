"""Keeping a long fan-out at Teams' limits: the pacer's schedule, and no pause between batches."""

from __future__ import annotations

import asyncio
import itertools
from datetime import UTC, datetime

import pytest
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from bot.jobs import runner
from bot.jobs.policy import Pacer
from bot.jobs.runner import run_jobs
from storage.db import make_sessionmaker
from tests.fakes.connector import FakeConnector
from tests.jobs_support import add_conversation, job_context, link
from tests.meetings_support import add_confirmed_series

PROMPT_DUE = datetime(2022, 3, 2, 10, 0, tzinfo=UTC)  # DASVG meets 9 March 2022 at 10:00


class VirtualTime:
    """A clock that only moves when someone sleeps: the schedule is checked, not the machine."""

    def __init__(self, late_by: float = 0.0) -> None:
        self.now = 100.0
        self.late_by = late_by  # how late every wake-up is (the loop busy elsewhere)

    def time(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        await asyncio.sleep(0)  # a real suspension point, where a cancellation can land
        self.now += seconds + self.late_by


async def test_the_pacer_keeps_its_schedule_when_callers_wake_late() -> None:
    clock = VirtualTime(late_by=0.004)
    pacer = Pacer(100, clock=clock.time, sleep=clock.sleep)  # one every 10 ms
    start = clock.now
    granted = []
    for _ in range(51):
        await pacer.acquire()
        granted.append(clock.now)
    # A bucket that counts each gap from the late wake-up takes 50 x 14 ms; the schedule
    # keeps 50 intervals of 10 ms (plus the last wake-up's lateness).
    assert granted[-1] - start == pytest.approx(0.5 + 0.004, abs=1e-6)
    gaps = [b - a for a, b in itertools.pairwise(granted)]
    assert min(gaps) >= 0.005 - 1e-9  # never closer than half an interval
    assert max(sum(1 for t in granted if s <= t < s + 0.1) for s in granted) <= 11


async def test_the_pacer_spaces_concurrent_callers() -> None:
    clock = VirtualTime()
    pacer = Pacer(50, clock=clock.time, sleep=clock.sleep)  # one every 20 ms
    granted: list[float] = []

    async def one() -> None:
        await pacer.acquire()
        granted.append(clock.now)

    await asyncio.gather(*(one() for _ in range(10)))
    gaps = [b - a for a, b in itertools.pairwise(granted)]
    assert gaps == pytest.approx([0.02] * 9)


async def test_a_cancelled_caller_gives_its_slot_back() -> None:
    clock = VirtualTime()
    pacer = Pacer(50, clock=clock.time, sleep=clock.sleep)
    await pacer.acquire()  # slot now; the next one is 20 ms on
    waiting = asyncio.create_task(pacer.acquire())
    await asyncio.sleep(0)  # it takes the next slot and starts waiting for it
    waiting.cancel()
    with pytest.raises(asyncio.CancelledError):
        await waiting
    before = clock.now
    await pacer.acquire()  # has the cancelled caller's slot, not the one after it
    assert clock.now - before == pytest.approx(0.02)


async def test_the_pacer_uses_the_event_loop_clock_by_default() -> None:
    pacer = Pacer(1000)
    loop = asyncio.get_running_loop()
    before = loop.time()
    for _ in range(3):
        await pacer.acquire()
    assert loop.time() - before >= 0.0019  # three slots a millisecond apart: two intervals


@pytest.fixture
def db(engine: Engine) -> sessionmaker[Session]:
    factory = make_sessionmaker(engine)
    add_confirmed_series(factory)  # the seed has no series: the ones a chair would confirm
    return factory


async def test_a_throttled_send_does_not_hold_up_the_next_batches(
    db: sessionmaker[Session], connector: FakeConnector, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(runner, "BATCH", 4)
    # The fake connector checks each card against the Adaptive Card schema on the test's event
    # loop: 0.1-0.2 s a card on a busy machine, which would stretch the 0.22 s the other 11
    # sends take past the retry's second. Cards are checked in the other tests.
    monkeypatch.setattr("tests.fakes.connector.check_card", lambda card: [])
    names = [f"19:c{n}@thread" for n in range(12)]
    for name in names:
        link(db, "DASVG", add_conversation(db, name, connector.url))
    connector.fail_next(429, retry_after=1)  # the very first send: retried a second later
    ctx = job_context(db, concurrency=8)
    ctx.sleep = asyncio.sleep  # really wait out the Retry-After
    summary = await run_jobs(PROMPT_DUE, ctx)
    assert summary.sent == 12 and summary.retries == 1
    sent = connector.sent()
    (throttled,) = [a.conversation_id for a in connector.arrivals if a.status == 429]
    # Batches of 4 sent one after another would wait for the retry before the next batch
    # (so later batches would arrive after it): here the other 11 go out at once (0.22 s at
    # 50 a second) and the retry, a second after its 429, comes last.
    assert len(sent) == 12 and sent[-1].conversation_id == throttled
    assert sorted(a.conversation_id for a in sent) == sorted(names)
