"""Keeping a long fan-out at Teams' limits: the pacer's schedule, and no pause between batches."""

from __future__ import annotations

import asyncio
import itertools
import time
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

PROMPT_DUE = datetime(2022, 3, 2, 10, 0, tzinfo=UTC)  # DASVG meets 9 March 2022 at 10:00


async def test_the_pacer_keeps_its_schedule_when_callers_wake_late() -> None:
    pacer = Pacer(100)  # one every 10 ms
    loop = asyncio.get_running_loop()
    start = loop.time()
    granted = []
    for _ in range(51):
        await pacer.acquire()
        granted.append(loop.time())
        time.sleep(0.004)  # the caller's own work holds the loop: the next wake-up is late
    # A bucket that counts each gap from the late wake-up takes about 51 x 14 ms; the
    # schedule keeps 50 intervals of 10 ms.
    assert granted[-1] - start == pytest.approx(0.5, abs=0.06)
    gaps = [b - a for a, b in itertools.pairwise(granted)]
    assert min(gaps) >= 0.005 - 0.001  # never closer than half an interval
    assert max(sum(1 for t in granted if s <= t < s + 0.1) for s in granted) <= 11


async def test_the_pacer_spaces_concurrent_callers_and_gives_back_a_cancelled_slot() -> None:
    pacer = Pacer(50)  # one every 20 ms
    loop = asyncio.get_running_loop()
    granted: list[float] = []

    async def one() -> None:
        await pacer.acquire()
        granted.append(loop.time())

    await asyncio.gather(*(one() for _ in range(10)))
    gaps = [b - a for a, b in itertools.pairwise(granted)]
    assert min(gaps) >= 0.019 and granted[-1] - granted[0] == pytest.approx(0.18, abs=0.04)

    waiting = asyncio.create_task(pacer.acquire())
    await asyncio.sleep(0.005)
    waiting.cancel()
    with pytest.raises(asyncio.CancelledError):
        await waiting
    before = loop.time()
    await pacer.acquire()  # has the cancelled caller's slot, not the one after it
    assert loop.time() - before < 0.02 + 0.01


@pytest.fixture
def db(engine: Engine) -> sessionmaker[Session]:
    return make_sessionmaker(engine)


async def test_a_throttled_send_does_not_hold_up_the_next_batches(
    db: sessionmaker[Session], connector: FakeConnector, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(runner, "BATCH", 4)
    names = [f"19:c{n}@thread" for n in range(12)]
    for name in names:
        link(db, "DASVG", add_conversation(db, name, connector.url))
    connector.fail_next(429, retry_after=1)  # the very first send: retried a second later
    ctx = job_context(db, concurrency=8)
    ctx.sleep = asyncio.sleep  # really wait out the Retry-After
    started = time.monotonic()
    summary = await run_jobs(PROMPT_DUE, ctx)
    assert summary.sent == 12 and summary.retries == 1
    sent = connector.sent()
    # Batches of 4 sent one after another would wait for the retry before the next batch:
    # here the other 11 go out at once (12 / 50 per second) and the retry comes last.
    assert len(sent) == 12 and sent[-1].at - sent[-2].at > 0.5
    assert sent[-2].at - started < 0.8
    assert sorted(a.conversation_id for a in sent) == sorted(names)
