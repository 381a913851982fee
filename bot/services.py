"""What every handler gets: settings, the clock, and the three stores (``bot.stores``)."""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from bot.clock import Clock
from bot.config import Settings
from bot.plan.knowledge import Knowledge, knowledge_from_data
from bot.plan.search import ActionSearch, SearchCache
from bot.plan.types import PlanNotFound
from bot.plan.vocabulary import Vocabulary
from bot.stores import PeopleStore, PlanStore, ScheduleStore
from bot.understood import UnderstoodTexts
from cards.memo import CardMemo
from storage.plan_document import read_yaml
from storage.seed_data import PARTNERSHIP_FILE
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
        cards: cards already drawn, for views that come again (``cards.memo``).
        understood: intents of recent short texts (``bot.understood``).
    """

    settings: Settings
    clock: Clock
    plan: PlanStore
    people: PeopleStore
    schedule: ScheduleStore
    db: sessionmaker[Session]
    wake_jobs: Callable[[], None] = field(default=lambda: None)
    cards: CardMemo = field(default_factory=CardMemo)
    # Chairs, remits, oversight and the glossary (partnership data), read once at start.
    knowledge: Knowledge = field(default_factory=lambda: read_knowledge())
    searches: SearchCache = field(default_factory=SearchCache, repr=False)
    understood: UnderstoodTexts = field(default_factory=UnderstoodTexts, repr=False)
    _enriched: tuple[Vocabulary, Vocabulary] | None = field(default=None, init=False, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, init=False, repr=False)

    def vocabulary(self) -> Vocabulary:
        """Body names and section titles, with the documents' knowledge and the plan's words.

        Names are kept by the plan store; the words the current plan uses tell a topic from a
        name the bot does not know.
        """
        base = self.plan.vocabulary()
        try:
            words = self.search_index().words
        except PlanNotFound:
            words = frozenset()
        with self._lock:
            # The same vocabulary object while names and the plan's words are unchanged.
            cached = self._enriched
            if cached is None or cached[0] is not base or cached[1].plan_words is not words:
                cached = (base, replace(base, knowledge=self.knowledge, plan_words=words))
                self._enriched = cached
            return cached[1]

    def search_index(self, plan_key: str | None = None) -> ActionSearch:
        """The topic search over a plan's actions (None: the current plan).

        Built once per version of its actions (see ``SearchCache``).

        Raises:
            PlanNotFound: when there is no such plan.
        """
        plan = self.plan.plan(plan_key)
        actions = self.plan.actions_for(None, plan_key=plan.key)
        outcomes = {t.number: " ".join(o.text for o in t.outcomes) for t in plan.themes}
        return self.searches.index(
            actions,
            outcomes=outcomes,
            bodies=self.plan.vocabulary().bodies.bodies,
            terms=self.knowledge.terms,
        )

    def keep_warm(self) -> None:
        """Read ahead what turns would otherwise read (the web app calls it every second)."""
        self.plan.keep_warm()
        with contextlib.suppress(PlanNotFound):
            self.search_index()  # a new plan's index is built here, off the turns' path


def open_services(
    settings: Settings,
    bind: Engine | sessionmaker[Session],
    clock: Clock,
    *,
    timer: Callable[[], float] = time.monotonic,
) -> Services:
    """The services over a database: its stores, with their own watched sessions."""
    stores = open_stores(
        bind,
        membership_domains=settings.membership_domains,
        domain_tenants=settings.membership_domain_tenants,
        timer=timer,
    )
    return Services(
        settings=settings,
        clock=clock,
        plan=stores.plan,
        people=stores.people,
        schedule=stores.schedule,
        db=stores.sessions,
    )


def read_knowledge() -> Knowledge:
    """Chairs, remits, oversight and the glossary from the partnership data file."""
    return knowledge_from_data(read_yaml(PARTNERSHIP_FILE))
