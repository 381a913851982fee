"""Opening the stores of one database: one set of sessions, watched, shared by three stores."""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from storage.db import make_sessionmaker
from storage.freshness import Freshness
from storage.people_store import SqlPeopleStore
from storage.plan_cache import PlanCache
from storage.plan_queries import PLAN_CACHE
from storage.plan_store import SqlPlanStore
from storage.schedule_store import SqlScheduleStore


@dataclass(frozen=True)
class Stores:
    """The stores of one database, and the sessions they use (for the edge and the jobs).

    Sessions made by ``sessions`` carry the plan cache, so the jobs' and reports' plan reads
    share it; the stores' caches see every commit made through them at once.
    """

    sessions: sessionmaker[Session]
    plan: SqlPlanStore
    people: SqlPeopleStore
    schedule: SqlScheduleStore


def open_stores(
    bind: Engine | sessionmaker[Session],
    *,
    membership_domains: Mapping[str, tuple[str, ...]] | None = None,
    domain_tenants: Mapping[str, frozenset[str]] | None = None,
    timer: Callable[[], float] = time.monotonic,
) -> Stores:
    """The stores over ``bind`` (an engine, or a session factory whose engine to use)."""
    engine = bind if isinstance(bind, Engine) else bind.kw["bind"]
    sessions = make_sessionmaker(engine)
    freshness = Freshness(sessions)
    cache = PlanCache(freshness, timer)
    sessions.configure(info={PLAN_CACHE: cache})
    return Stores(
        sessions=sessions,
        plan=SqlPlanStore(sessions, cache, timer),
        people=SqlPeopleStore(
            sessions, freshness, membership_domains, timer, domain_tenants=domain_tenants
        ),
        schedule=SqlScheduleStore(sessions),
    )
