"""Idempotency keys of progress updates, scoped to where each update came from."""

from __future__ import annotations

import hashlib


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
