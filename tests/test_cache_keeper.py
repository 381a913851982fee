"""The read caches kept warm off the turns' path: a plan changed by another process is read by
the keeper, not by the next question; the vocabulary is renewed before it expires; the cyclic
garbage collector is paused during a whole-plan read."""

from __future__ import annotations

import gc
import logging
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import Engine, update

from bot.clock import FixedClock
from bot.services import open_services
from bot.web.keeper import CacheKeeper
from storage import plan_cache
from storage.db import make_engine, make_sessionmaker, transaction
from storage.gcpause import GcPause
from storage.models import Plan
from storage.plan_queries import current_plan_key
from storage.plan_store import VOCABULARY_RENEW_SECONDS
from storage.stores import open_stores
from tests.harness import settings_for
from tests.store_support import Timer, count_plan_reads


def _import_elsewhere(engine: Engine) -> None:
    """What an import by ``python -m bot import`` in another process leaves behind."""
    other = make_engine(engine.url.render_as_string(hide_password=False))
    try:
        with other.begin() as connection:
            connection.execute(update(Plan).values(revision=Plan.revision + 1))
    finally:
        other.dispose()


def test_the_keeper_reads_a_plan_changed_elsewhere_so_the_question_does_not(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    timer = Timer()
    stores = open_stores(engine, timer=timer)
    with stores.sessions() as session:
        count = stores.plan.cache.warm(session)
    assert count > 50
    _import_elsewhere(engine)
    timer.now += plan_cache.RECHECK_SECONDS  # the keeper's next pass, a second later
    reads = count_plan_reads(monkeypatch)
    stores.plan.keep_warm()  # the keeper notices the new revision and reads
    assert len(reads) == 1
    assert stores.plan.actions_for(None, numbers=["1.18"])  # the question finds the plan ready
    # ... whether it names the plan or not (the status card names it): one shared entry.
    with stores.sessions() as session:
        key = current_plan_key(session)
    assert stores.plan.actions_for(None, plan_key=key, numbers=["1.18"])
    assert len(reads) == 1
    timer.now += plan_cache.RECHECK_SECONDS
    stores.plan.keep_warm()  # nothing changed: no read
    assert len(reads) == 1


def test_a_change_elsewhere_is_seen_when_the_recheck_is_due_not_before(engine: Engine) -> None:
    timer = Timer()
    stores = open_stores(engine, timer=timer)
    first = stores.plan.plan()
    _import_elsewhere(engine)
    assert stores.plan.plan() is first  # checked less than a second ago: kept
    timer.now += plan_cache.RECHECK_SECONDS
    assert stores.plan.plan() is not first  # due: the new revision is read


def test_keep_warm_renews_the_vocabulary_before_it_expires(
    sqlite_url: str, tmp_path: Path, clock: FixedClock
) -> None:
    engine = make_engine(sqlite_url)
    timer = Timer()
    services = open_services(settings_for(sqlite_url, tmp_path), engine, clock, timer=timer)
    services.keep_warm()
    first = services.vocabulary()
    services.keep_warm()
    assert services.vocabulary() is first  # young: kept
    timer.now += VOCABULARY_RENEW_SECONDS
    services.keep_warm()
    renewed = services.vocabulary()
    assert renewed is not first and renewed.bodies is not None
    engine.dispose()


def test_keep_warm_without_a_current_plan_does_not_fail(
    engine: Engine, tmp_path: Path, clock: FixedClock
) -> None:
    factory = make_sessionmaker(engine)
    with transaction(factory) as session:
        session.execute(update(Plan).values(is_current=False))
    url = engine.url.render_as_string(hide_password=False)
    services = open_services(settings_for(url, tmp_path), factory, clock)
    services.keep_warm()
    assert services.vocabulary().sections == ()


async def test_the_keeper_logs_a_failure_once_and_its_recovery(
    caplog: pytest.LogCaptureFixture,
) -> None:
    outcomes = [RuntimeError("database down"), RuntimeError("still down"), None]

    def keep_warm() -> None:
        outcome = outcomes.pop(0)
        if outcome is not None:
            raise outcome

    async def inline(fn: Callable[[], None]) -> None:
        fn()

    keeper = CacheKeeper(keep_warm, inline)
    with caplog.at_level(logging.INFO, logger="bot.web.keeper"):
        for _ in range(3):
            await keeper.once()
    messages = [r.getMessage() for r in caplog.records]
    assert sum("could not refresh" in m for m in messages) == 1
    assert any("refreshed again" in m for m in messages)
    assert keeper.failing is False


def test_gc_is_paused_inside_and_restored_after_nested_blocks() -> None:
    pause = GcPause()
    assert gc.isenabled()
    with pause.paused():
        assert not gc.isenabled()
        with pause.paused():
            assert not gc.isenabled()
        assert not gc.isenabled()
    assert gc.isenabled()


def test_gc_pause_leaves_a_disabled_collector_disabled() -> None:
    gc.disable()
    try:
        with GcPause().paused():
            pass
        assert not gc.isenabled()
    finally:
        gc.enable()
