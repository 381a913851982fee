"""Recording progress updates: append-only, exactly once per idempotency key."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.plan.types import UpdateRecord
from storage import freshness
from storage.db import insert_if_new
from storage.models import ProgressUpdate
from storage.plan_queries import update_record


@dataclass(frozen=True)
class NewUpdate:
    """A validated update, ready to store."""

    action_id: int
    status: str
    text: str
    revised_date: date | None
    evidence_url: str | None
    author_person_id: int | None
    author_name: str
    key: str
    source: str = "teams"


def typed_update_key(tenant_id: str, conversation_id: str, activity_id: str) -> str:
    """The idempotency key of a typed update: its message, which Teams may deliver twice.

    Teams activity ids are unique only within a conversation, so the key is scoped to the
    tenant and conversation too (hashed: conversation ids are long).
    """
    scope = "\n".join((tenant_id, conversation_id, activity_id)).encode("utf-8", "replace")
    return "text:" + hashlib.sha256(scope).hexdigest()[:48]


def form_update_key(person_id: int | None, action_id: int, client_key: str) -> str:
    """The idempotency key of a form submission, bound to the person and action server-side.

    The form's own key comes from the client; bound to who submits it and for which action, it
    cannot collide with (or reserve) anyone else's update, nor a typed update's key.
    """
    scope = f"{person_id}\n{action_id}\n{client_key}".encode("utf-8", "replace")
    return "form:" + hashlib.sha256(scope).hexdigest()[:48]


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
