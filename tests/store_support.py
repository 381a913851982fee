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


def member(database_url: str, aad: str, name: str, bodies: tuple[str, ...] = ()) -> None:
    """A person (by AAD id) who belongs to ``bodies`` as a member (none: just known)."""
    from storage.db import make_engine, make_sessionmaker, transaction
    from storage.people import add_memberships, ensure_person

    engine = make_engine(database_url)
    try:
        with transaction(make_sessionmaker(engine)) as session:
            person = ensure_person(session, aad_object_id=aad, name=name)
            if bodies:
                add_memberships(session, person.id, list(bodies), role="member", source="test")
    finally:
        engine.dispose()
