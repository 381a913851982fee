"""For the stores' cache tests: a monotonic timer moved by hand, and counting plan reads."""

from __future__ import annotations

from typing import Any

import pytest

from storage import plan_cache, plan_queries


def count_plan_reads(monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    """Every whole-plan (or "as of") read of the actions from now on, as a growing list."""
    reads: list[Any] = []
    real = plan_queries.read_actions

    def counted(*args: Any, **kwargs: Any) -> Any:
        reads.append(args)
        return real(*args, **kwargs)

    monkeypatch.setattr(plan_queries, "read_actions", counted)
    monkeypatch.setattr(plan_cache, "read_actions", counted)
    return reads


class Timer:
    """A monotonic clock the test moves by hand (``timer.now += 1.0``)."""

    def __init__(self, start: float = 1000.0) -> None:
        self.now = start

    def __call__(self) -> float:
        return self.now
