"""Teams dialogs (task modules) over HTTP, from the task/fetch and task/submit fixtures."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from bot.clock import FixedClock
from tests.harness import BotServer, fixture, settings_for
from tests.test_updates import MEMBER, action_id, add_people, updates_of


@pytest.fixture
async def server(sqlite_url: str, tmp_path: Path, clock: FixedClock) -> AsyncIterator[BotServer]:
    add_people(sqlite_url)
    async with BotServer(settings_for(sqlite_url, tmp_path), clock) as running:
        yield running


def captured(name: str, action: int, **data: Any) -> dict[str, Any]:
    """A fixture for our member, about ``action``; only ids and the action change."""
    activity = fixture(name)
    activity["id"] = str(uuid.uuid4())
    activity["from"]["aadObjectId"] = MEMBER
    activity["value"]["data"].update(actionId=action, **data)
    return activity


async def test_task_fetch_opens_the_update_form(server: BotServer, sqlite_url: str) -> None:
    activity = captured("personal-invoke-task-fetch", action_id(sqlite_url, "1.10"))
    status, body = await server.post(activity)
    assert status == 200
    assert body["task"]["type"] == "continue"
    assert body["task"]["value"]["title"] == "Update action 1.10"
    card = body["task"]["value"]["card"]
    assert card["contentType"] == "application/vnd.microsoft.card.adaptive"
    inputs = {e["id"] for e in card["content"]["body"] if e.get("type", "").startswith("Input.")}
    assert {"status", "text"} <= inputs


async def test_task_submit_saves_the_update_once(server: BotServer, sqlite_url: str) -> None:
    activity = captured("personal-invoke-task-submit", action_id(sqlite_url, "1.10"))
    status, body = await server.post(activity)
    assert status == 200
    assert body == {"task": {"type": "message", "value": "Update saved: 1.10 is now On track."}}
    activity["id"] = str(uuid.uuid4())  # the same form sent again (a double click)
    status, again = await server.post(activity)
    assert status == 200 and "already saved" in again["task"]["value"]
    text = "Training dates agreed with the college."
    assert updates_of(sqlite_url, "1.10") == [("On track", text, "Alex Wilber")]


async def test_task_submit_with_a_bad_field_reopens_the_form(
    server: BotServer, sqlite_url: str
) -> None:
    activity = captured(
        "personal-invoke-task-submit", action_id(sqlite_url, "1.10"), status="Sideways"
    )
    status, body = await server.post(activity)
    assert status == 200 and body["task"]["type"] == "continue"
    assert updates_of(sqlite_url, "1.10") == []
