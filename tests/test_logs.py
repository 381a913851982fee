"""Structured logs: one JSON object per line, ids and outcomes, no message text at info."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import pytest

from bot.clock import FixedClock
from bot.logs import JsonFormatter
from tests.harness import BotServer, message, settings_for


def test_one_json_line_even_with_hostile_text() -> None:
    record = logging.LogRecord(
        "bot", logging.WARNING, __file__, 1, "refused %s", ('x\n{"level": "fake"}',), None
    )
    record.activity_id = "a1"
    line = JsonFormatter().format(record)
    assert "\n" not in line
    entry = json.loads(line)
    assert entry["level"] == "WARNING" and entry["activity_id"] == "a1"
    assert entry["message"] == 'refused x\n{"level": "fake"}'


async def test_turns_are_logged_with_ids_and_outcome_but_not_text(
    sqlite_url: str, tmp_path: Path, clock: FixedClock, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    async with BotServer(settings_for(sqlite_url, tmp_path), clock) as server:
        activity = message("overdue for OPCCN, my secret words", kind="groupChat")
        assert (await server.post(activity))[0] == 201
        await server.connector.wait_for(1)
    formatter = JsonFormatter()
    lines = [json.loads(formatter.format(r)) for r in caplog.records if r.levelno >= logging.INFO]
    turns = [line for line in lines if line["message"] == "turn message"]
    assert turns == [
        {
            **turns[0],
            "activity_id": activity["id"],
            "conversation_type": "groupChat",
            "outcome": "ok",
        }
    ]
    assert not any("secret words" in json.dumps(line) for line in lines)
