"""What every handler gets: settings, the database, the clock, and cached look-ups."""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from bot.clock import Clock
from bot.config import Settings
from bot.plan.body_names import BodyIndex
from bot.plan.knowledge import Knowledge, knowledge_from_data
from bot.plan.search import ActionSearch, SearchCache
from bot.understand import Vocabulary
from storage.models import Plan
from storage.plan_document import read_yaml
from storage.plan_loader import body_infos
from storage.plan_queries import PlanNotFound, actions, plan_record, section_titles, warm
from storage.seed_data import PARTNERSHIP_FILE

VOCABULARY_TTL_SECONDS = 60.0
# ``keep_warm`` renews the vocabulary this long after it was read, before a turn would have to.
VOCABULARY_RENEW_SECONDS = 50.0


def read_knowledge() -> Knowledge:
    """Chairs, remits, oversight and the glossary from the partnership data file."""
    return knowledge_from_data(read_yaml(PARTNERSHIP_FILE))


@dataclass
class Services:
    """Shared by all turns of one running bot; built once in ``bot.app``."""

    settings: Settings
    db: sessionmaker[Session]
    clock: Clock
    # Asks for the scheduled jobs to run soon (callable from any thread); set by the web app.
    wake_jobs: Callable[[], None] = field(default=lambda: None)
    # Chairs, remits, oversight and the glossary (partnership data), read once per services.
    knowledge: Knowledge = field(default_factory=read_knowledge)
    searches: SearchCache = field(default_factory=SearchCache, repr=False)
    _vocabulary: Vocabulary | None = field(default=None, init=False, repr=False)
    _vocabulary_at: float = field(default=0.0, init=False, repr=False)
    _enriched: tuple[Vocabulary, Vocabulary] | None = field(default=None, init=False, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, init=False, repr=False)

    def vocabulary(self) -> Vocabulary:
        """Body names and section titles, with the documents' knowledge and the plan's words.

        Names are re-read at most once a minute (bodies rarely change); the words the current
        plan uses tell a topic from a name the bot does not know.
        """
        with self._lock:
            fresh = time.monotonic() - self._vocabulary_at < VOCABULARY_TTL_SECONDS
            if self._vocabulary is None or not fresh:
                self._vocabulary = self._read_vocabulary()
                self._vocabulary_at = time.monotonic()
            base = self._vocabulary
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
        with self.db() as session:
            plan = plan_record(session, plan_key)
            records = actions(session, plan.key)
        outcomes = {t.number: " ".join(o.text for o in t.outcomes) for t in plan.themes}
        with self._lock:
            base = self._vocabulary
        if base is None:
            base = self._read_vocabulary()
        return self.searches.index(
            records, outcomes=outcomes, bodies=base.bodies.bodies, terms=self.knowledge.terms
        )

    def keep_warm(self) -> None:
        """Read ahead what turns would otherwise read: the current plan and the vocabulary.

        Called by the web app at start-up and then every second, off the turns' path. The
        vocabulary is read outside the lock: turns keep using the previous one meanwhile.
        """
        with self.db() as session, contextlib.suppress(PlanNotFound):
            warm(session)
        with self._lock:
            age = time.monotonic() - self._vocabulary_at
            due = self._vocabulary is None or age >= VOCABULARY_RENEW_SECONDS
        if due:
            vocabulary = self._read_vocabulary()
            with self._lock:
                self._vocabulary = vocabulary
                self._vocabulary_at = time.monotonic()
        with contextlib.suppress(PlanNotFound):
            self.search_index()  # a new plan's index is built here, off the turns' path

    def forget_vocabulary(self) -> None:
        """Drop the cache after bodies or plans changed in this process."""
        with self._lock:
            self._vocabulary = None

    def _read_vocabulary(self) -> Vocabulary:
        with self.db() as session:
            bodies = BodyIndex(body_infos(session))
            try:
                sections = tuple(title for _, title in section_titles(session))
            except PlanNotFound:
                sections = ()
            previous = session.scalar(
                select(Plan.key)
                .where(Plan.is_current.is_(False))
                .order_by(Plan.starts.desc())
                .limit(1)
            )
        return Vocabulary(bodies=bodies, sections=sections, previous_plan_key=previous)
