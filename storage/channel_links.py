"""Channels linked to bodies: where a body's update prompts are posted."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from bot.plan.schedule import ChannelTarget
from bot.plan.types import LinkRecord
from bot.turns import thread_root
from storage.models import Body, ChannelLink, ConversationRef


def _body(session: Session, body_key: str) -> Body:
    body = session.scalar(select(Body).where(Body.key == body_key))
    if body is None:
        raise KeyError(body_key)
    return body


def link_channel(
    session: Session, body_key: str, conversation_ref_id: int, person_id: int | None, now: datetime
) -> bool:
    """Link a conversation to a body; False when it was linked already.

    Raises:
        KeyError: when no body has that key.
    """
    body = _body(session, body_key)
    exists = session.scalar(
        select(ChannelLink.id).where(
            ChannelLink.body_id == body.id, ChannelLink.conversation_ref_id == conversation_ref_id
        )
    )
    if exists is not None:
        return False
    session.add(
        ChannelLink(
            body_id=body.id,
            conversation_ref_id=conversation_ref_id,
            linked_by_person_id=person_id,
            created_at=now,
        )
    )
    session.flush()
    return True


def unlink_channel(
    session: Session, conversation_ref_id: int, body_keys: Iterable[str] | None = None
) -> list[str]:
    """Remove links of a conversation (to these bodies, or to all); returns the keys unlinked."""
    query = (
        select(ChannelLink.id, Body.key)
        .join(Body, Body.id == ChannelLink.body_id)
        .where(ChannelLink.conversation_ref_id == conversation_ref_id)
    )
    if body_keys is not None:
        query = query.where(Body.key.in_(list(body_keys)))
    rows = session.execute(query.order_by(Body.key)).all()
    if rows:
        session.execute(delete(ChannelLink).where(ChannelLink.id.in_([r[0] for r in rows])))
    return [key for _, key in rows]


def links(
    session: Session,
    *,
    body_keys: Iterable[str] | None = None,
    conversation_ref_id: int | None = None,
) -> list[LinkRecord]:
    """Links, optionally of some bodies or of one conversation, by body then date."""
    query = (
        select(ChannelLink, Body, ConversationRef)
        .join(Body, Body.id == ChannelLink.body_id)
        .join(ConversationRef, ConversationRef.id == ChannelLink.conversation_ref_id)
    )
    if body_keys is not None:
        query = query.where(Body.key.in_(list(body_keys)))
    if conversation_ref_id is not None:
        query = query.where(ChannelLink.conversation_ref_id == conversation_ref_id)
    rows = session.execute(query.order_by(Body.key, ChannelLink.id)).all()
    return [
        LinkRecord(
            body_key=body.key,
            body_label=body.abbreviation or body.name,
            conversation_ref_id=ref.id,
            conversation_id=ref.conversation_id,
            team_id=ref.team_id,
            active=ref.active,
            created_at=link.created_at,
        )
        for link, body, ref in rows
    ]


def channel_targets(session: Session) -> list[ChannelTarget]:
    """Every link whose conversation is still active (the app is installed there)."""
    return [
        ChannelTarget(link.body_key, link.conversation_ref_id, link.created_at)
        for link in links(session)
        if link.active
    ]


def linked_body_keys(session: Session, conversation_id: str) -> tuple[str, ...]:
    """Keys of the bodies a conversation is linked to ("link this channel to DASVG"), in order.

    A channel's threads share the channel's links (the id's ``;messageid=`` part is ignored).
    """
    rows = session.scalars(
        select(Body.key)
        .join(ChannelLink, ChannelLink.body_id == Body.id)
        .join(ConversationRef, ConversationRef.id == ChannelLink.conversation_ref_id)
        .where(ConversationRef.conversation_id == thread_root(conversation_id))
        .order_by(Body.key)
    ).all()
    return tuple(dict.fromkeys(rows))
