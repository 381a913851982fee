"""Graceful shutdown: a turn in flight when the bot is told to stop still completes."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import socket
import sys
from pathlib import Path

import aiohttp

from tests.fakes.connector import FakeConnector
from tests.harness import message

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def wait_until_ready(url: str) -> None:
    async with aiohttp.ClientSession() as session:
        for _ in range(300):
            try:
                async with session.get(url) as response:
                    if response.status == 200:
                        return
            except aiohttp.ClientError:
                pass
            await asyncio.sleep(0.1)
    raise AssertionError("the bot did not start")


async def test_sigterm_finishes_the_turn_in_flight(
    tmp_path: Path, connector: FakeConnector
) -> None:
    port = free_port()
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "MicrosoftAppId")}
    env.update({"DATA_DIR": str(tmp_path), "JOBS_INTERVAL_SECONDS": "0"})
    bot = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        "serve",
        "--port",
        str(port),
        cwd=ROOT,
        env=env,
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.PIPE,
    )
    try:
        await wait_until_ready(f"http://127.0.0.1:{port}/healthz")
        connector.delay_seconds = 2.0  # the reply takes a while, so the turn is in flight
        activity = message("what are the priorities?", service_url=connector.url)
        async with aiohttp.ClientSession() as session:
            post = asyncio.ensure_future(
                session.post(
                    f"http://127.0.0.1:{port}/api/messages",
                    data=json.dumps(activity),
                    headers={"Content-Type": "application/json"},
                )
            )
            for _ in range(200):
                if connector.in_flight:
                    break
                await asyncio.sleep(0.02)
            assert connector.in_flight == 1 and not connector.arrivals
            bot.send_signal(signal.SIGTERM)
            response = await post
            assert response.status == 201
        assert await asyncio.wait_for(bot.wait(), 30) == 0
        assert len(connector.sent()) == 1
    finally:
        if bot.returncode is None:
            bot.kill()
            await bot.wait()
