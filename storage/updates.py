"""Recording progress updates: append-only, exactly once per idempotency key."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.plan.types import NewUpdate, UpdateRecord
from storage import freshness
from storage.db import insert_if_new
from storage.models import ProgressUpdate
from storage.plan_queries import update_record

__all__ = ["NewUpdate"]


def record_update(session: Session, update: NewUpdate, now: datetime) -> tuple[UpdateRecord, bool]:
    """Append an update unless one with the same key exists (in the caller's transaction).

    Returns:
        The stored update and True when this call created it (False: a repeat of the same
        submission, e.g. a double click or a Teams retry, which stores nothing new).
    """
    created = insert_if_new(
        session,
        ProgressUpdate,
        {
            "action_id": update.action_id,
            "author_person_id": update.author_person_id,
            "author_name": update.author_name[:256],
            "status": update.status,
            "text": update.text,
            "revised_date": update.revised_date,
            "evidence_url": update.evidence_url,
            "created_at": now,
            "idempotency_key": update.key,
            "source": update.source,
        },
        ["idempotency_key"],
    )
    row = session.scalar(select(ProgressUpdate).where(ProgressUpdate.idempotency_key == update.key))
    assert row is not None
    if created:
        freshness.mark_changed(session, "plan")
    return update_record(row), created
