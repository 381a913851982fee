"""Which bodies a Teams conversation (channel, group chat, meeting chat) is linked to."""

from __future__ import annotations

from sqlalchemy.orm import Session


def linked_body_keys(session: Session, conversation_id: str) -> tuple[str, ...]:
    """Keys of the bodies this conversation is linked to ("link DASVG"), in key order.

    The channel/chat-to-body links are stored by issue 5 ("link", "unlink", "links"), which
    fills this function in; until then no conversation is linked and this returns ``()``, so a
    bare "status" covers the whole current plan.
    """
    del session, conversation_id  # read once the link table exists (issue 5)
    return ()
