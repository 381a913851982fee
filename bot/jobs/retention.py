"""The retention job: a plain async function of ``now``, idempotent, audited when it acts.

It runs with every jobs run (``bot.jobs.runner``): each run redacts or deletes whatever has
passed its period since the last one, and a run with nothing due changes nothing and writes
nothing to the audit log.
"""

from __future__ import annotations

import logging
from datetime import datetime

from sqlalchemy.orm import Session, sessionmaker

from bot.jobs.context import Blocking
from bot.plan.retention import RETENTION_ACTOR, RetentionPolicy
from bot.plan.types import Actor
from storage import audit, retention
from storage.db import transaction

log = logging.getLogger(__name__)


def apply_now(db: sessionmaker[Session], policy: RetentionPolicy, now: datetime) -> dict[str, int]:
    """Apply the rule in one transaction; the audit entry commits with what it describes."""
    cutoffs = policy.cutoffs(now)
    with transaction(db) as session:
        counts = retention.apply_retention(session, cutoffs, now)
        if any(counts.values()):
            audit.record(
                session,
                Actor(None, RETENTION_ACTOR),
                "retention.applied",
                "data",
                "retention",
                now=now,
                after={
                    **counts,
                    "update_texts_before": cutoffs.update_text.isoformat(),
                    "audit_before": cutoffs.audit.isoformat(),
                    "deliveries_before": cutoffs.delivery.isoformat(),
                    "conversations_before": cutoffs.conversation.isoformat(),
                },
            )
    if any(counts.values()):
        log.info("retention rule applied: %s", counts)
    return counts


async def apply_retention(
    now: datetime, db: sessionmaker[Session], policy: RetentionPolicy, blocking: Blocking
) -> dict[str, int]:
    """Redact and delete what the retention rule says is due at ``now`` (off the event loop)."""
    counts: dict[str, int] = await blocking(apply_now, db, policy, now)
    return counts
