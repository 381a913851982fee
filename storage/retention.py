"""Applying the retention rule and erasures to the tables (in the caller's transaction).

Update texts are redacted in place: the text, the evidence link and the author's name and id
go; the status, the dates and which body the author was a member of stay, so the plan's history
still reads ("On track, 3 May 2021, by a member of OPCCN"). The audit log's copies of those
texts go with them. Old audit entries, delivery records, meeting-nudge records and the
conversations the bot was removed from are deleted.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from bot.plan.retention import REDACTED_TEXT, Cutoffs, as_body_member
from storage import freshness
from storage.models import (
    ActionOwner,
    AuditEntry,
    Body,
    ChannelLink,
    ConversationRef,
    Delivery,
    MeetingNudge,
    Membership,
    ProgressUpdate,
)

# Updates from the shipped plan documents are the partnership's published reports, not what
# anyone typed: the retention rule leaves them.
PUBLISHED_SOURCES = ("seed",)
BATCH = 500
SETTLED = ("sent", "gone", "failed", "unknown", "skipped", "no_chat")


def _owner_labels(session: Session, action_ids: Iterable[int]) -> dict[int, list[tuple[int, str]]]:
    rows = session.execute(
        select(ActionOwner.action_id, Body.id, func.coalesce(Body.abbreviation, Body.name))
        .join(Body, Body.id == ActionOwner.body_id)
        .where(ActionOwner.action_id.in_(set(action_ids)))
        .order_by(Body.key)
    ).all()
    owners: dict[int, list[tuple[int, str]]] = {}
    for action_id, body_id, label in rows:
        owners.setdefault(action_id, []).append((body_id, label))
    return owners


def _bodies_of(session: Session, person_ids: Iterable[int | None]) -> dict[int, set[int]]:
    ids = {p for p in person_ids if p is not None}
    rows = session.execute(
        select(Membership.person_id, Membership.body_id).where(Membership.person_id.in_(ids))
    ).all()
    bodies: dict[int, set[int]] = {}
    for person_id, body_id in rows:
        bodies.setdefault(person_id, set()).add(body_id)
    return bodies


def author_as_body(
    owners: list[tuple[int, str]], author_bodies: set[int], *, former: bool = False
) -> str:
    """The author as "a member of <body>": an owning body they belong to, else the owners."""
    theirs = [label for body_id, label in owners if body_id in author_bodies]
    return as_body_member(theirs or [label for _, label in owners], former=former)


def redact_updates(
    session: Session, rows: list[ProgressUpdate], now: datetime, *, former: bool = False
) -> int:
    """Redact these updates: text, evidence link and author go; status and dates stay."""
    owners = _owner_labels(session, (r.action_id for r in rows))
    memberships = _bodies_of(session, (r.author_person_id for r in rows))
    for row in rows:
        mine = memberships.get(row.author_person_id or 0, set())
        row.author_name = author_as_body(owners.get(row.action_id, []), mine, former=former)
        row.author_person_id = None
        row.text = REDACTED_TEXT
        row.evidence_url = None
        row.redacted_at = now
    session.flush()
    if rows:
        freshness.mark_changed(session, "plan")
    return len(rows)


def redact_old_update_texts(session: Session, before: datetime, now: datetime) -> int:
    """Redact updates posted before ``before`` (a batch at a time; the next run does more)."""
    total = 0
    while True:
        rows = list(
            session.scalars(
                select(ProgressUpdate)
                .where(
                    ProgressUpdate.created_at < before,
                    ProgressUpdate.redacted_at.is_(None),
                    ProgressUpdate.source.not_in(PUBLISHED_SOURCES),
                )
                .order_by(ProgressUpdate.id)
                .limit(BATCH)
            )
        )
        if not rows:
            return total
        total += redact_updates(session, rows, now)


def scrub_audit_texts(session: Session, entries: Iterable[AuditEntry]) -> int:
    """Remove update texts from these entries' recorded values (the change itself stays)."""
    scrubbed = 0
    for entry in entries:
        after: dict[str, Any] = dict(entry.after or {})
        if after.get("text") in (None, REDACTED_TEXT) and not after.get("evidence_url"):
            continue
        after["text"] = REDACTED_TEXT
        after.pop("evidence_url", None)
        entry.after = after
        scrubbed += 1
    session.flush()
    return scrubbed


def scrub_old_audit_texts(session: Session, before: datetime) -> int:
    """The audit log's copies of update texts posted before ``before``."""
    entries = session.scalars(
        select(AuditEntry).where(AuditEntry.action == "update.posted", AuditEntry.at < before)
    )
    return scrub_audit_texts(session, entries)


def delete_old_audit_entries(session: Session, before: datetime) -> int:
    """Audit entries older than ``before``."""
    result = session.execute(delete(AuditEntry).where(AuditEntry.at < before))
    return int(getattr(result, "rowcount", 0) or 0)


def delete_old_deliveries(session: Session, before: datetime) -> int:
    """Settled delivery records whose message was due before ``before``."""
    result = session.execute(
        delete(Delivery).where(Delivery.due_at < before, Delivery.status.in_(SETTLED))
    )
    return int(getattr(result, "rowcount", 0) or 0)


def delete_old_meeting_nudges(session: Session, before: datetime) -> int:
    """Records of overdue notes sent in Teams meetings before ``before`` (the delivery period).

    Each only stops a second note in the same meeting, which is long over by then.
    """
    result = session.execute(delete(MeetingNudge).where(MeetingNudge.sent_at < before))
    return int(getattr(result, "rowcount", 0) or 0)


def delete_conversations(session: Session, ids: list[int]) -> int:
    """Forget these conversation references (their channel links go too)."""
    if not ids:
        return 0
    session.execute(
        update(Delivery)
        .where(Delivery.conversation_ref_id.in_(ids))
        .values(conversation_ref_id=None)
    )
    session.execute(delete(ChannelLink).where(ChannelLink.conversation_ref_id.in_(ids)))
    session.execute(delete(ConversationRef).where(ConversationRef.id.in_(ids)))
    freshness.mark_changed(session, "people")
    return len(ids)


def delete_old_conversations(session: Session, before: datetime) -> int:
    """Conversations the bot was removed from (or lost) before ``before``."""
    last = func.coalesce(ConversationRef.deactivated_at, ConversationRef.last_seen_at)
    ids = list(
        session.scalars(
            select(ConversationRef.id).where(ConversationRef.active.is_(False), last < before)
        )
    )
    return delete_conversations(session, ids)


def apply_retention(session: Session, cutoffs: Cutoffs, now: datetime) -> dict[str, int]:
    """Redact and delete everything the retention rule says has been kept long enough.

    Returns:
        How many records of each kind were redacted or deleted (all zero: nothing was due).
    """
    return {
        "update_texts_redacted": redact_old_update_texts(session, cutoffs.update_text, now),
        "audit_entries_deleted": delete_old_audit_entries(session, cutoffs.audit),
        "audit_texts_redacted": scrub_old_audit_texts(session, cutoffs.update_text),
        "deliveries_deleted": delete_old_deliveries(session, cutoffs.delivery),
        "meeting_nudges_deleted": delete_old_meeting_nudges(session, cutoffs.delivery),
        "conversations_deleted": delete_old_conversations(session, cutoffs.conversation),
    }
