"""Small helpers every handler uses: list items, who the sender is, paging."""

from __future__ import annotations

from datetime import date

from bot.plan import rules
from bot.plan.labels import deadline_label, flag_for
from bot.plan.status_notes import status_note
from bot.plan.types import ActionRecord, Actor, PersonRecord
from bot.turns import Request
from cards.views import ActionItem


class BadQuery(ValueError):
    """Card data that does not describe a question (tampered, or from an older version)."""


def item_for(action: ActionRecord, today: date, interval_days: int, why: str = "") -> ActionItem:
    """One action as a list item, labelled for ``today`` (``why``: what a topic matched)."""
    return ActionItem(
        action=action,
        status=rules.current_status(action),
        deadline_label=deadline_label(action),
        flag=flag_for(action, today, interval_days),
        why=why,
        status_note=status_note(action, today),
    )


def actor_of(request: Request) -> Actor:
    """The sender as the audit log names them."""
    sender = request.sender
    label = sender.name or sender.email or sender.aad_object_id or "unknown"
    return Actor(request.person_id, label, request.place.conversation_id)


def person_of(request: Request) -> PersonRecord | None:
    """The sender as identified for this turn (no database access)."""
    if request.person_id is None:
        return None
    return PersonRecord(
        id=request.person_id,
        aad_object_id=request.sender.aad_object_id,
        name=request.sender.name,
        email=request.sender.email,
        memberships=request.memberships,
        claimed=request.claimed,
    )


def pages(total: int, size: int) -> int:
    """How many pages ``total`` items fill (at least one)."""
    return max(1, -(-total // size))
