"""Membership requests waiting for a chair's or an admin's decision."""

from __future__ import annotations

from typing import Any

from microsoft_teams.cards.core import CardElement, Container

from bot.clock import LONDON
from bot.plan.types import PendingRequest
from cards import verbs
from cards.base import buttons, card, escape, execute, heading, subtle, text

MAX_SHOWN = 20


def requests_card(pending: list[PendingRequest], message: str = "") -> dict[str, Any]:
    """Each pending request: who (name and e-mail as Teams gives them), which body, when.

    Approve and Refuse act on that one request; the answer is this card again.
    """
    body: list[CardElement] = [heading("Membership requests")]
    if message:
        body.append(text(escape(message), color="Attention"))
    body.append(
        subtle(
            "Approve only people you know work for the body: a member may post progress "
            "updates on its actions. Name and e-mail are as Teams gives them."
        )
    )
    if not pending:
        body.append(text("No requests are waiting for you.", spacing="Medium"))
    for request in pending[:MAX_SHOWN]:
        when = request.requested_at.astimezone(LONDON).strftime("%d %b %Y %H:%M")
        data = {"person": request.person_id, "body": request.body_key}
        body.append(
            Container(
                separator=True,
                items=[
                    text(
                        escape(f"{request.name or 'Unnamed'} asks to join {request.body_key}"),
                        weight="Bolder",
                    ),
                    subtle(
                        escape(
                            f"{request.email or 'no e-mail on record'} · {request.body_name} · "
                            f"asked {when}"
                        )
                    ),
                    buttons(
                        execute("Approve", verbs.APPROVE_MEMBERSHIP, data, style="positive"),
                        execute("Refuse", verbs.REFUSE_MEMBERSHIP, data, style="destructive"),
                    ),
                ],
            )
        )
    if len(pending) > MAX_SHOWN:
        body.append(subtle(f"Showing {MAX_SHOWN} of {len(pending)}, oldest first."))
    return card(body, [])
