"""The audit log card (admins): who changed what, when."""

from __future__ import annotations

import json
from typing import Any

from microsoft_teams.cards.core import CardElement, Container

from bot.clock import LONDON
from cards import verbs
from cards.base import card, escape, execute, heading, shorten, subtle, text
from cards.views import AuditView


def _values(values: dict[str, Any] | None) -> str:
    if not values:
        return "—"
    return shorten(json.dumps(values, ensure_ascii=False, sort_keys=True, default=str), 300)


def audit_card(view: AuditView) -> dict[str, Any]:
    """A page of audit entries, newest first."""
    title = f"Audit log: {view.subject}" if view.subject else "Audit log"
    body: list[CardElement] = [heading(escape(title))]
    if not view.entries:
        body.append(text("No changes are recorded yet.", spacing="Medium"))
    for entry in view.entries:
        when = entry.at.astimezone(LONDON).strftime("%d %b %Y %H:%M")
        body.append(
            Container(
                separator=True,
                items=[
                    text(
                        escape(
                            f"{when} · {entry.actor} · {entry.action} "
                            f"{entry.subject_type} {entry.subject_key}"
                        ),
                        weight="Bolder",
                    ),
                    subtle(escape(f"Before: {_values(entry.before)}")),
                    subtle(escape(f"After: {_values(entry.after)}")),
                ],
            )
        )
    actions = []
    data = {"subject": view.subject or ""}
    if view.page > 1:
        actions.append(execute("Newer", verbs.AUDIT_PAGE, {**data, "page": view.page - 1}))
    if view.more:
        actions.append(execute("Older", verbs.AUDIT_PAGE, {**data, "page": view.page + 1}))
    return card(body, actions)
