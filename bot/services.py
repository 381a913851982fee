"""What every handler gets: settings, the clock, and the three stores (``bot.stores``)."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from bot.clock import Clock
from bot.config import Settings
from bot.plan.vocabulary import Vocabulary
from bot.stores import PeopleStore, PlanStore, ScheduleStore
from storage.stores import open_stores


@dataclass
class Services:
    """Shared by all turns of one running bot; built once by :func:`open_services`.

    Attributes:
        settings: the bot's configuration.
        clock: the injected clock (turns take their "now" from it).
        plan: the plan, its actions, updates and audit log.
        people: people and the bodies they work for.
        schedule: channels, meetings and prompt timing of bodies.
        db: the session factory of the stores, for the Teams edge's own records
            (conversation references) and the jobs; handlers never use it.
        wake_jobs: asks for the scheduled jobs to run soon (callable from any thread).
    """

    settings: Settings
    clock: Clock
    plan: PlanStore
    people: PeopleStore
    schedule: ScheduleStore
    db: sessionmaker[Session]
    wake_jobs: Callable[[], None] = field(default=lambda: None)

    def vocabulary(self) -> Vocabulary:
        """Body names and section titles (kept by the plan store)."""
        return self.plan.vocabulary()

    def keep_warm(self) -> None:
        """Read ahead what turns would otherwise read (the web app calls it every second)."""
        self.plan.keep_warm()


def open_services(
    settings: Settings,
    bind: Engine | sessionmaker[Session],
    clock: Clock,
    *,
    timer: Callable[[], float] = time.monotonic,
) -> Services:
    """The services over a database: its stores, with their own watched sessions."""
    stores = open_stores(bind, membership_domains=settings.membership_domains, timer=timer)
    return Services(
        settings=settings,
        clock=clock,
        plan=stores.plan,
        people=stores.people,
        schedule=stores.schedule,
        db=stores.sessions,
    )
