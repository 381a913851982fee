"""The plan store: the plan's reads and writes on the database, with its caches.

One per running bot (``bot.app.build_runtime``), over the sessions ``storage.stores`` makes:
it owns the plan cache and the vocabulary as instance state, with an injected timer.
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Callable, Iterable
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from bot.plan import rules
from bot.plan.body_names import BodyIndex
from bot.plan.period import Extension
from bot.plan.scrutiny import Response, ScrutinyItem
from bot.plan.types import (
    ActionRecord,
    Actor,
    AuditRecord,
    NewUpdate,
    PlanNotFound,
    PlanRecord,
    RecordedUpdate,
    StoreUnavailable,
    UpdateRecord,
)
from bot.plan.vocabulary import Vocabulary, plan_years
from storage import audit, plan_queries, scrutiny
from storage.db import reading, writing
from storage.models import Plan
from storage.notices import plan_update_notices
from storage.plan_cache import PlanCache
from storage.plan_lifecycle import extend_plan
from storage.plan_loader import body_infos
from storage.updates import record_update

VOCABULARY_TTL_SECONDS = 60.0
# ``keep_warm`` renews the vocabulary this long after it was read, before a turn would have to.
VOCABULARY_RENEW_SECONDS = 50.0


class SqlPlanStore:
    """:class:`bot.stores.PlanStore` on SQLAlchemy.

    Args:
        sessions: the store's own sessions (they carry ``cache``; see ``storage.stores``).
        cache: the plan cache those sessions share.
        timer: seconds from a monotonic clock (injected: tests step it).
    """

    def __init__(
        self,
        sessions: sessionmaker[Session],
        cache: PlanCache,
        timer: Callable[[], float] = time.monotonic,
    ) -> None:
        self.sessions = sessions
        self.cache = cache
        self._timer = timer
        self._vocabulary: Vocabulary | None = None
        self._vocabulary_at = 0.0
        self._lock = threading.Lock()

    # --- names the bot understands -----------------------------------------------------

    def vocabulary(self) -> Vocabulary:
        """Body names and section titles, re-read at most once a minute."""
        with self._lock:
            fresh = self._timer() - self._vocabulary_at < VOCABULARY_TTL_SECONDS
            if self._vocabulary is None or not fresh:
                self._vocabulary = self._read_vocabulary()
                self._vocabulary_at = self._timer()
            return self._vocabulary

    def keep_warm(self) -> None:
        """Read ahead what turns would otherwise read: the current plan and the vocabulary.

        The vocabulary is read outside the lock: turns keep using the previous one meanwhile.
        """
        with reading(self.sessions) as session, contextlib.suppress(PlanNotFound):
            self.cache.warm(session)
        with self._lock:
            age = self._timer() - self._vocabulary_at
            due = self._vocabulary is None or age >= VOCABULARY_RENEW_SECONDS
        if due:
            vocabulary = self._read_vocabulary()
            with self._lock:
                self._vocabulary = vocabulary
                self._vocabulary_at = self._timer()

    def forget_vocabulary(self) -> None:
        """Drop the vocabulary after bodies or plans changed."""
        with self._lock:
            self._vocabulary = None

    def _read_vocabulary(self) -> Vocabulary:
        with reading(self.sessions) as session:
            bodies = BodyIndex(body_infos(session))
            try:
                sections = tuple(title for _, title in plan_queries.section_titles(session))
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

    # --- reads ---------------------------------------------------------------------------

    def plan(self, plan_key: str | None = None) -> PlanRecord:
        """A plan (None: the current one) with its themes and outcomes."""
        kept = self.cache.kept_plan(plan_key)
        if kept is not None:  # most turns: no session at all
            return kept
        with reading(self.sessions) as session:
            return plan_queries.plan_record(session, plan_key)

    def plans(self) -> list[PlanRecord]:
        """Every plan, current first."""
        with reading(self.sessions) as session:
            return plan_queries.plans(session)

    def actions_for(
        self,
        bodies: Iterable[str] | None,
        *,
        as_of: date | None = None,
        plan_key: str | None = None,
        numbers: Iterable[str] | None = None,
        theme: int | None = None,
        section: str | None = None,
        words: Iterable[str] | None = None,
    ) -> list[ActionRecord]:
        """Actions owned by any of ``bodies`` (None: all), narrowed, in number order."""
        # Read once here: the kept records and the database may both need them.
        bodies = tuple(bodies) if bodies is not None else None
        numbers = tuple(numbers) if numbers is not None else None
        words = tuple(words) if words is not None else None
        kept = self.cache.kept_actions(plan_key)
        if kept is not None:  # most turns: no session at all
            found = plan_queries.kept_actions(
                kept[1], bodies, numbers, theme, section, words, as_of
            )
            if found is not None:
                return found
        with reading(self.sessions) as session:
            return plan_queries.actions(
                session,
                plan_key,
                body_keys=bodies,
                numbers=numbers,
                theme=theme,
                section=section,
                words=words,
                as_of=as_of,
            )

    def action(self, number: str, plan_key: str | None = None) -> ActionRecord | None:
        """One action by its number, or None."""
        with reading(self.sessions) as session:
            return plan_queries.action_by_number(session, number, plan_key)

    def action_by_id(self, action_id: int) -> ActionRecord | None:
        """One action by its database id, or None."""
        with reading(self.sessions) as session:
            return plan_queries.action_by_id(session, action_id)

    def history(self, action_id: int) -> list[UpdateRecord]:
        """Every update of an action, newest first."""
        with reading(self.sessions) as session:
            return plan_queries.history(session, action_id)

    def posted_between(
        self, action_ids: Iterable[int], since: datetime, until: datetime, *, limit: int
    ) -> tuple[int, list[tuple[int, UpdateRecord]]]:
        """How many updates of these actions were posted in ``[since, until)``, and the newest."""
        with reading(self.sessions) as session:
            return plan_queries.posted_between(session, action_ids, since, until, limit=limit)

    def audit_entries(
        self, subject_key: str | None, *, limit: int, offset: int
    ) -> list[AuditRecord]:
        """Audit entries, newest first, of one subject or of everything."""
        with reading(self.sessions) as session:
            return audit.entries(session, subject_key=subject_key, limit=limit, offset=offset)

    # --- writes --------------------------------------------------------------------------

    def record_update(
        self, update: NewUpdate, actor: Actor, now: datetime, *, notify_from: str | None
    ) -> RecordedUpdate:
        """Store an update once per key, audited, and plan notices for linked channels.

        Raises:
            StoreUnavailable: when the database failed; the transaction left nothing behind.
        """
        notices = 0
        with writing(self.sessions) as session:
            before = plan_queries.action_by_id(session, update.action_id)
            stored, created = record_update(session, update, now)
            if created and before is not None:
                confirmed = update.personal_data_confirmed
                audit.record(
                    session,
                    actor,
                    "update.posted",
                    "action",
                    before.number,
                    now=now,
                    before={"status": rules.current_status(before)},
                    after={
                        "status": stored.status,
                        "text": stored.text,
                        "revised_date": str(stored.revised_date or ""),
                        "evidence_url": stored.evidence_url or "",
                        **({"personal_data_confirmed": list(confirmed)} if confirmed else {}),
                    },
                )
            if created and notify_from is not None:
                notices = plan_update_notices(
                    session, stored.id, now, skip_conversation=notify_from
                )
        after = self.action_by_id(update.action_id)
        if after is None:
            raise StoreUnavailable("the action is gone")
        return RecordedUpdate(after, created, notices)

    # --- issue 16: the plan's period and the scrutiny requests --------------------------

    def extend_plan(self, until: date, reason: str, actor: Actor, now: datetime) -> Extension:
        """Move the current plan's end (audited); see :func:`storage.plan_lifecycle.extend_plan`.

        Raises:
            PlanChangeRefused: when the date or reason will not do (nothing changed).
            PlanNotFound: when no plan is current.
        """
        with writing(self.sessions) as session:
            done = extend_plan(session, until=until, reason=reason, actor=actor, now=now)
        self.forget_vocabulary()
        return done

    def scrutiny(
        self,
        *,
        owner_keys: Iterable[str] | None = None,
        asked_by_keys: Iterable[str] | None = None,
        open_only: bool = False,
    ) -> list[ScrutinyItem]:
        """Requests and recommendations, oldest first (owners include their parts)."""
        with reading(self.sessions) as session:
            return scrutiny.scrutiny_items(
                session, owner_keys=owner_keys, asked_by_keys=asked_by_keys, open_only=open_only
            )

    def scrutiny_item(self, request_id: int) -> ScrutinyItem | None:
        """One request by id, or None."""
        with reading(self.sessions) as session:
            return scrutiny.scrutiny_item(session, request_id)

    def record_scrutiny_response(
        self, request_id: int, response: Response, actor: Actor, now: datetime
    ) -> ScrutinyItem:
        """Record the response to a request (audited).

        Raises:
            RequestRefused: when the request is unknown or the response will not do.
        """
        with writing(self.sessions) as session:
            return scrutiny.record_response(session, request_id, response, actor=actor, now=now)
