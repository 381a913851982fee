"""The audit log: written in the same transaction as the change it describes."""

from __future__ import annotations

import csv
import io
import json
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.plan.types import Actor, AuditRecord
from storage.models import AuditEntry

__all__ = ["Actor", "AuditRecord"]

MAX_TEXT = 500


COMMAND_LINE = Actor(None, "command line")


def _short(values: dict[str, Any] | None) -> dict[str, Any] | None:
    """Long texts cut down: the log says what changed, the tables keep the full values."""
    if values is None:
        return None
    return {
        k: (v[:MAX_TEXT] + "…" if isinstance(v, str) and len(v) > MAX_TEXT else v)
        for k, v in values.items()
    }


def record(
    session: Session,
    actor: Actor,
    action: str,
    subject_type: str,
    subject_key: str,
    *,
    now: datetime,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> None:
    """Add an entry to the log (commit it with the change)."""
    session.add(
        AuditEntry(
            at=now,
            actor_person_id=actor.person_id,
            actor=actor.label[:320],
            action=action,
            subject_type=subject_type,
            subject_key=subject_key[:200],
            before=_short(before),
            after=_short(after),
            conversation_id=actor.conversation_id,
        )
    )


def entries(
    session: Session,
    *,
    subject_key: str | None = None,
    since: datetime | None = None,
    limit: int = 1000,
    offset: int = 0,
) -> list[AuditRecord]:
    """Entries, newest first, optionally for one subject (an action number, a body key...)."""
    query = select(AuditEntry).order_by(AuditEntry.at.desc(), AuditEntry.id.desc())
    if subject_key is not None:
        query = query.where(AuditEntry.subject_key == subject_key)
    if since is not None:
        query = query.where(AuditEntry.at >= since)
    rows = session.scalars(query.limit(limit).offset(offset)).all()
    return [
        AuditRecord(r.at, r.actor, r.action, r.subject_type, r.subject_key, r.before, r.after)
        for r in rows
    ]


def as_csv(records: list[AuditRecord]) -> str:
    """The entries as CSV (for admins' exports)."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["at (UTC)", "actor", "action", "subject type", "subject", "before", "after"])
    for r in records:
        writer.writerow(
            [
                r.at.isoformat(timespec="seconds"),
                _safe(r.actor),
                r.action,
                r.subject_type,
                _safe(r.subject_key),
                _safe(_json(r.before)),
                _safe(_json(r.after)),
            ]
        )
    return out.getvalue()


def _json(values: dict[str, Any] | None) -> str:
    return (
        ""
        if values is None
        else json.dumps(values, ensure_ascii=False, sort_keys=True, default=str)
    )


def _safe(text: str) -> str:
    """No spreadsheet formulas from user text."""
    return "'" + text if text[:1] in ("=", "+", "-", "@") else text
