"""A body's prompt rules (shown, or edited by its chairs), and failed deliveries for admins."""

from __future__ import annotations

from typing import Any

from microsoft_teams.cards.core import CardElement, Container, NumberInput

from cards import verbs
from cards.base import card, escape, execute, facts, heading, subtle, text, two_columns
from cards.views import ProblemListView, RulesView


def _days(count: int) -> str:
    return f"{count} day{'s' if count != 1 else ''}"


def _number(view: RulesView, name: str, label: str, current: int, low: int, high: int) -> list[Any]:
    raw = view.values.get(name, str(current))
    try:
        value: float | None = float(raw)
    except ValueError:
        value = None
    found: list[Any] = [NumberInput(id=name, label=label, min=low, max=high, value=value)]
    if view.errors.get(name):
        found.append(
            text(escape(view.errors[name]), color="Attention", size="Small", spacing="None")
        )
    return found


def rules_card(view: RulesView) -> dict[str, Any]:
    """The rules as facts, or (editing) as a form with a message per invalid field."""
    label = escape(view.body_label)
    body: list[CardElement] = [heading(f"Update prompts and reminders: {label}")]
    if view.message:
        colour = "Attention" if view.errors else "Good"
        body.append(text(escape(view.message), color=colour, weight="Bolder"))
    follow = (
        f"{_days(view.follow_up_days)} after the prompt" if view.follow_up_days else "no follow-up"
    )
    if not view.editing:
        body.append(
            facts(
                [
                    ("Update prompt", f"{_days(view.lead_days)} before each meeting"),
                    ("Follow-up", follow),
                    ("Members' reminder", f"{_days(view.reminder_days)} before each meeting"),
                ]
            )
        )
        body.append(
            subtle(
                f"The prompt goes to the channels linked to {label}; reminders go 1:1 to "
                "members who said “reminders on”."
            )
        )
        actions = (
            [execute("Change", verbs.EDIT_RULES, {"body": view.body_key})] if view.can_edit else []
        )
        return card(body, actions)
    body.extend(
        _number(
            view, "lead", "Update prompt: days before the meeting (1-60)", view.lead_days, 1, 60
        )
    )
    body.extend(
        _number(
            view,
            "followUp",
            "Follow-up: days after the prompt (0 for none)",
            view.follow_up_days,
            0,
            59,
        )
    )
    body.extend(
        _number(
            view, "reminder", "Members' reminder: days before (1-14)", view.reminder_days, 1, 14
        )
    )
    save = execute("Save rules", verbs.SAVE_RULES, {"body": view.body_key}, style="positive")
    return card(body, [save])


def problems_card(view: ProblemListView) -> dict[str, Any]:
    """Scheduled messages that did not arrive, newest first, with the reason."""
    body: list[CardElement] = [heading("Failed deliveries")]
    if not view.rows:
        body.append(text(f"Every scheduled message of the last {view.days} days arrived."))
        return card(body)
    body.append(text(f"Scheduled messages of the last {view.days} days that did not arrive."))
    for row in view.rows:
        what = f"**{escape(row.body_label)}** {escape(row.kind)} → {escape(row.recipient)}"
        body.append(
            Container(
                separator=True,
                items=[
                    two_columns(
                        [text(what)],
                        [text(escape(row.status), weight="Bolder", horizontal_alignment="Right")],
                    ),
                    subtle(f"{escape(row.when)} · {escape(row.outcome)}"),
                ],
            )
        )
    return card(body, full_width=True)
