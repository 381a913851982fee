"""The start-up heap is frozen, so that full garbage collections stay short under load."""

from __future__ import annotations

import gc
import weakref
from pathlib import Path
from typing import Any

import pytest

from bot import app as bot_app
from bot.clock import FixedClock
from tests.harness import settings_for


class _Node:
    other: Any = None


def test_freezing_keeps_collecting_what_comes_later() -> None:
    try:
        frozen = bot_app.freeze_startup_heap()
        assert frozen > 0 and gc.get_freeze_count() == frozen
        node = _Node()
        node.other = node  # a cycle: only the collector can free it
        alive = weakref.ref(node)
        del node
        gc.collect()
        assert alive() is None
    finally:
        gc.unfreeze()


def test_the_server_freezes_before_serving(
    sqlite_url: str, tmp_path: Path, clock: FixedClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen: list[int] = []
    monkeypatch.setattr(bot_app.web, "run_app", lambda *a, **k: seen.append(gc.get_freeze_count()))
    runtime = bot_app.build_runtime(settings_for(sqlite_url, tmp_path), clock)
    try:
        bot_app.run_server(runtime, "127.0.0.1", 0)
    finally:
        gc.unfreeze()
    assert seen and seen[0] > 0
