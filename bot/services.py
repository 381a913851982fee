"""What every handler gets: settings, the database, the clock, and cached look-ups."""

from __future__ import annotations

import contextlib
import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from bot.clock import Clock
from bot.config import Settings
from bot.plan.body_names import BodyIndex
from bot.understand import Vocabulary
from storage.models import Plan
from storage.plan_loader import body_infos
from storage.plan_queries import PlanNotFound, section_titles, warm

VOCABULARY_TTL_SECONDS = 60.0
_YEARS_RE = re.compile(r"\b(20\d\d)\s*[-–]\s*(?:20)?(\d\d)\b")


def plan_years(
    key: str, title: str, starts: date | None, ends: date | None
) -> tuple[str, str, str] | None:
    """A plan's years as people name it ("2018", "21"), from its title, else its period."""
    found = _YEARS_RE.search(title)
    if found:
        return found[1], found[2], key
    if starts and ends:
        return str(starts.year), f"{ends.year % 100:02d}", key
    return None


# ``keep_warm`` renews the vocabulary this long after it was read, before a turn would have to.
VOCABULARY_RENEW_SECONDS = 50.0


@dataclass
class Services:
    """Shared by all turns of one running bot; built once in ``bot.app``."""

    settings: Settings
    db: sessionmaker[Session]
    clock: Clock
    # Asks for the scheduled jobs to run soon (callable from any thread); set by the web app.
    wake_jobs: Callable[[], None] = field(default=lambda: None)
    _vocabulary: Vocabulary | None = field(default=None, init=False, repr=False)
    _vocabulary_at: float = field(default=0.0, init=False, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, init=False, repr=False)

    def vocabulary(self) -> Vocabulary:
        """Body names and section titles, re-read at most once a minute (bodies rarely change)."""
        with self._lock:
            fresh = time.monotonic() - self._vocabulary_at < VOCABULARY_TTL_SECONDS
            if self._vocabulary is None or not fresh:
                self._vocabulary = self._read_vocabulary()
                self._vocabulary_at = time.monotonic()
            return self._vocabulary

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
            earlier = session.execute(
                select(Plan.key, Plan.title, Plan.starts, Plan.ends).where(
                    Plan.is_current.is_(False)
                )
            ).all()
        return Vocabulary(
            bodies=bodies,
            sections=sections,
            previous_plan_key=previous,
            plans=tuple(p for row in earlier if (p := plan_years(*row)) is not None),
        )
