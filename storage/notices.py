"""Update notices: a one-line message in each channel linked to an owner of an updated action.

They travel as deliveries (rule ``notice``), so the jobs' exactly-once sending, rate limits
and retries apply to them as to prompts and reminders.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.plan.schedule import NOTICE, PlannedDelivery, channel_recipient
from storage.deliveries import record_planned
from storage.models import ActionOwner, Body, ChannelLink, ConversationRef, ProgressUpdate

OCCURRENCE_PREFIX = "update:"


def plan_update_notices(
    session: Session, update_id: int, now: datetime, *, skip_conversation: str | None = None
) -> int:
    """Plan a notice of this update for every active channel linked to an owning body.

    The conversation the update was posted from is skipped (it already sees the new status).

    Returns:
        How many notices were planned.
    """
    rows = session.execute(
        select(Body.key, ConversationRef.id, ConversationRef.conversation_id)
        .select_from(ProgressUpdate)
        .join(ActionOwner, ActionOwner.action_id == ProgressUpdate.action_id)
        .join(Body, Body.id == ActionOwner.body_id)
        .join(ChannelLink, ChannelLink.body_id == Body.id)
        .join(ConversationRef, ConversationRef.id == ChannelLink.conversation_ref_id)
        .where(ProgressUpdate.id == update_id, ConversationRef.active)
        .order_by(ConversationRef.id, Body.key)
    ).all()
    planned: dict[int, PlannedDelivery] = {}
    for body_key, ref_id, conversation_id in rows:
        if conversation_id == skip_conversation or ref_id in planned:
            continue
        planned[ref_id] = PlannedDelivery(
            rule=NOTICE,
            occurrence_key=f"{OCCURRENCE_PREFIX}{update_id}",
            recipient=channel_recipient(ref_id),
            body_key=body_key,
            meeting_id=None,
            occurrence_starts=now,
            due_at=now,
            conversation_ref_id=ref_id,
        )
    return len(record_planned(session, [(p, "") for p in planned.values()], now))


def update_of(session: Session, occurrence_key: str) -> ProgressUpdate | None:
    """The update a notice is about, from its occurrence key."""
    if not occurrence_key.startswith(OCCURRENCE_PREFIX):
        return None
    raw = occurrence_key[len(OCCURRENCE_PREFIX) :]
    return session.get(ProgressUpdate, int(raw)) if raw.isdigit() else None
