"""Membership requests: chairs of a body (and admins) approve or refuse them from a card."""

from __future__ import annotations

from typing import Any

from bot.handlers.common import actor_of
from bot.plan.permissions import may_manage
from bot.services import Services
from bot.turns import Reply, Request
from bot.understand import Intent
from cards.memberships import requests_card

NOT_AN_APPROVER = (
    "Only chairs of a body (and admins) can see and decide requests to join it. "
    "If you chair one, ask an admin to load your chair role."
)


def _chaired(request: Request) -> list[str] | None:
    """Bodies whose requests the sender decides: None for every body (admins)."""
    if request.is_admin:
        return None
    return sorted({key for key, role in request.memberships if role in ("chair", "admin")})


def _card(services: Services, request: Request, message: str = "") -> Reply:
    bodies = _chaired(request)
    pending = services.people.pending_requests(bodies)
    return Reply.with_card(requests_card(pending, message))


def requests_intent(services: Services, request: Request, intent: Intent) -> Reply:
    """Answer "requests": the pending requests the sender may decide."""
    if request.is_admin or _chaired(request):
        return _card(services, request)
    return Reply.with_text(NOT_AN_APPROVER)


def _target(data: dict[str, Any]) -> tuple[int, str] | None:
    person, body = data.get("person"), data.get("body")
    if not isinstance(person, int) or isinstance(person, bool) or not 0 < person < 2**31:
        return None
    if not isinstance(body, str) or not 0 < len(body) <= 64:
        return None
    return person, body.upper()


def _decide(services: Services, request: Request, *, approve: bool) -> Reply:
    target = _target(request.data)
    if target is None:
        return Reply(error="That button's data could not be read.")
    person_id, body_key = target
    if not may_manage(request.memberships, body_key, is_admin=request.is_admin):
        return Reply.with_text(NOT_AN_APPROVER)
    if person_id == request.person_id and not request.is_admin:
        return _card(services, request, "You cannot decide your own request.")
    done = services.people.decide_request(
        person_id, body_key, approve=approve, actor=actor_of(request), now=request.now
    )
    if not done:
        message = "That request was already decided or withdrawn."
    else:
        message = f"{'Approved' if approve else 'Refused'}: the request to join {body_key}."
    return _card(services, request, message)


def approve(services: Services, request: Request) -> Reply:
    """The card's Approve button: the person becomes a member of the body."""
    return _decide(services, request, approve=True)


def refuse(services: Services, request: Request) -> Reply:
    """The card's Refuse button: the request is deleted (and audited)."""
    return _decide(services, request, approve=False)
