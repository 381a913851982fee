"""POST /api/jobs/run over real HTTP, and the built-in timer."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from bot.clock import FixedClock
from bot.jobs import timer as timer_module
from bot.jobs.timer import JobTimer
from bot.jobs.types import JobSummary
from storage.db import make_engine, make_sessionmaker
from tests.fakes.connector import FakeConnector
from tests.harness import BotServer, card_texts, message, settings_for
from tests.meetings_support import add_confirmed_series

PROMPT_DUE = datetime(2022, 3, 2, 10, 0, tzinfo=UTC)  # DASVG meets 9 March 2022 at 10:00
TOKEN = "a-long-random-jobs-token"


async def run_jobs(server: BotServer, headers: dict[str, str]) -> tuple[int, Any]:
    assert server.session is not None
    async with server.session.post(f"{server.url}/api/jobs/run", headers=headers) as response:
        return response.status, await response.json(content_type=None)


async def test_jobs_endpoint_needs_the_token_and_posts_the_digest(
    sqlite_url: str, tmp_path: Path, connector: FakeConnector
) -> None:
    engine = make_engine(sqlite_url)
    add_confirmed_series(make_sessionmaker(engine))  # the seed has no series: a chair's
    engine.dispose()
    settings = settings_for(
        sqlite_url,
        tmp_path,
        jobs_token=TOKEN,
        jobs_interval_seconds=0,
        bot_admins=("aad-admin",),
    )
    async with BotServer(settings, FixedClock(PROMPT_DUE)) as server:
        link = message(
            "link this channel to DASVG", kind="channel", aad="aad-admin", service_url=connector.url
        )
        assert (await server.post(link))[0] == 201
        (answer,) = await connector.wait_for(1)
        assert "Linked: DASVG's update prompts" in answer.text
        for headers in (
            {},
            {"Authorization": "Bearer wrong-token"},
            {"Authorization": f"Basic {TOKEN}"},
            {"Authorization": f"Bearer {TOKEN}x"},
        ):
            status, body = await run_jobs(server, headers)
            assert (status, body) == (401, {"error": "unauthorized"})
        assert len(connector.sent()) == 1  # nothing ran

        status, body = await run_jobs(server, {"Authorization": f"Bearer {TOKEN}"})
        assert status == 200
        assert body["status"] == "done" and body["planned"] == 1 and body["sent"] == 1
        digest = (await connector.wait_for(2))[1]
        assert digest.conversation_id == "team-id"  # a new post in the channel, not a reply
        assert digest.activity_id is None
        assert "Updates for DASVG's meeting" in card_texts(digest.cards[0])

        status, body = await run_jobs(server, {"Authorization": f"Bearer {TOKEN}"})
        assert status == 200 and body["sent"] == 0 and body["planned"] == 0
        assert len(connector.sent()) == 2


async def test_without_a_token_the_endpoint_does_not_exist(sqlite_url: str, tmp_path: Path) -> None:
    settings = settings_for(sqlite_url, tmp_path, jobs_token="", jobs_interval_seconds=0)
    async with BotServer(settings, FixedClock(PROMPT_DUE)) as server:
        status, _ = await run_jobs(server, {"Authorization": "Bearer "})
        assert status == 404


class CountingRunner:
    def __init__(self) -> None:
        self.runs: list[datetime] = []
        self.ran = asyncio.Event()

    async def run(self, now: datetime) -> JobSummary:
        self.runs.append(now)
        self.ran.set()
        if len(self.runs) == 1:
            raise RuntimeError("a failing run must not stop the timer")
        return JobSummary()


async def test_timer_runs_in_the_background_and_stops_cleanly(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(timer_module, "FIRST_RUN_AFTER_SECONDS", 0.0)
    runner = CountingRunner()
    off = JobTimer(runner, FixedClock(PROMPT_DUE), 0)  # type: ignore[arg-type]
    await off.start()
    assert off._task is None
    on = JobTimer(runner, FixedClock(PROMPT_DUE), 0.001)  # type: ignore[arg-type]
    await on.start()
    while len(runner.runs) < 2:  # the first run failed; the timer kept going
        runner.ran.clear()
        await asyncio.wait_for(runner.ran.wait(), 5)
    await on.stop()
    assert on._task is None and runner.runs[0] == PROMPT_DUE
