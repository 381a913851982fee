"""The audit log card (admins): who changed what, when."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from microsoft_teams.cards.core import CardElement, Container

from bot.clock import LONDON
from cards import verbs
from cards.base import card, escape, execute, heading, shorten, subtle, text
from cards.views import AuditView


def _value(value: Any, labels: Mapping[str, str]) -> str:
    """A stored value as a person reads it: body keys as their names, lists joined."""
    if value is None or value == "" or value == []:
        return "none"
    if isinstance(value, (list, tuple)):
        return ", ".join(_value(v, labels) for v in value)
    if isinstance(value, dict):
        return "; ".join(f"{_field(k)} {_value(v, labels)}" for k, v in sorted(value.items()))
    if isinstance(value, bool):
        return "yes" if value else "no"
    shown = str(value)
    return labels.get(shown, shown)


def _field(name: str) -> str:
    return name.replace("_", " ").capitalize()


def changes(
    before: dict[str, Any] | None, after: dict[str, Any] | None, labels: Mapping[str, str]
) -> list[str]:
    """What changed, one readable line per field ("Status: On track → At risk")."""
    before, after = before or {}, after or {}
    lines = []
    for name in sorted(set(before) | set(after)):
        old, new = before.get(name), after.get(name)
        if old == new:
            continue
        if name not in before:
            lines.append(f"{_field(name)}: {_value(new, labels)}")
        elif name not in after:
            lines.append(f"{_field(name)}: {_value(old, labels)} (removed)")
        else:
            lines.append(f"{_field(name)}: {_value(old, labels)} → {_value(new, labels)}")
    return [shorten(line, 300) for line in lines] or ["No field changed."]


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
                            f"{entry.subject_type} "
                            f"{view.labels.get(entry.subject_key, entry.subject_key)}"
                        ),
                        weight="Bolder",
                    ),
                    *(
                        subtle(escape(line))
                        for line in changes(entry.before, entry.after, view.labels)
                    ),
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
