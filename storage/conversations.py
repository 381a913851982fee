"""Stored conversation references: where the bot may post without being asked."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from storage.models import ConversationRef


@dataclass(frozen=True)
class ReferenceRecord:
    """A conversation the bot can reach, as stored."""

    id: int
    conversation_id: str
    conversation_type: str
    tenant_id: str
    service_url: str
    team_id: str | None
    user_aad_object_id: str | None
    reference: dict[str, Any]
    active: bool


def _record(row: ConversationRef) -> ReferenceRecord:
    return ReferenceRecord(
        id=row.id,
        conversation_id=row.conversation_id,
        conversation_type=row.conversation_type,
        tenant_id=row.tenant_id,
        service_url=row.service_url,
        team_id=row.team_id,
        user_aad_object_id=row.user_aad_object_id,
        reference=dict(row.reference or {}),
        active=row.active,
    )


def save_reference(
    session: Session,
    *,
    conversation_id: str,
    conversation_type: str,
    tenant_id: str,
    service_url: str,
    team_id: str | None,
    user_aad_object_id: str | None,
    reference: dict[str, Any],
    now: datetime,
) -> ReferenceRecord:
    """Store or refresh a reference (the service URL can change); (re)activates it."""
    row = session.scalar(
        select(ConversationRef).where(ConversationRef.conversation_id == conversation_id)
    )
    if row is None:
        row = ConversationRef(conversation_id=conversation_id, installed_at=now)
        session.add(row)
    elif not row.active:
        row.installed_at = now
    row.conversation_type = conversation_type
    row.tenant_id = tenant_id
    row.service_url = service_url
    row.team_id = team_id or row.team_id
    if conversation_type == "personal" and user_aad_object_id:
        row.user_aad_object_id = user_aad_object_id
    row.reference = reference
    row.active = True
    row.deactivated_at = None
    row.last_seen_at = now
    session.flush()
    return _record(row)


def deactivate(session: Session, conversation_id: str, now: datetime) -> bool:
    """Mark a reference inactive (the app was removed); True if there was one."""
    row = session.scalar(
        select(ConversationRef).where(ConversationRef.conversation_id == conversation_id)
    )
    if row is None or not row.active:
        return False
    row.active = False
    row.deactivated_at = now
    return True


def deactivate_team(session: Session, team_id: str, now: datetime) -> int:
    """Mark every reference of a team inactive (the app was removed from the team)."""
    rows = session.scalars(
        select(ConversationRef).where(ConversationRef.team_id == team_id, ConversationRef.active)
    ).all()
    for row in rows:
        row.active = False
        row.deactivated_at = now
    return len(rows)


def reference_for(session: Session, conversation_id: str) -> ReferenceRecord | None:
    """The stored reference of a conversation, or None."""
    row = session.scalar(
        select(ConversationRef).where(ConversationRef.conversation_id == conversation_id)
    )
    return _record(row) if row else None


def personal_reference(session: Session, aad_object_id: str) -> ReferenceRecord | None:
    """The active 1:1 chat with a person, or None."""
    row = session.scalar(
        select(ConversationRef).where(
            ConversationRef.user_aad_object_id == aad_object_id,
            ConversationRef.conversation_type == "personal",
            ConversationRef.active,
        )
    )
    return _record(row) if row else None


def reference_by_id(session: Session, reference_id: int) -> ReferenceRecord | None:
    """A stored reference by its row id, or None."""
    row = session.get(ConversationRef, reference_id)
    return _record(row) if row else None
