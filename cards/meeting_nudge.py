"""The private note to an owner as a meeting starts: their overdue actions, and a way out."""

from __future__ import annotations

from typing import Any

from microsoft_teams.cards.core import CardElement

from bot.plan.types import ActionRecord
from cards import verbs
from cards.base import buttons, card, escape, execute, open_dialog, shorten, subtle, text

SHOWN = 5
TEXT_LIMIT = 120
STOP_TITLE = "Stop these reminders"


def nudge_line(numbers: tuple[str, ...]) -> str:
    """The note's line: "1.23 is overdue; post an update?" (at most five numbers named)."""
    shown = ", ".join(numbers[:SHOWN])
    more = len(numbers) - SHOWN
    if more > 0:
        shown += f" and {more} more"
    verb = "is" if len(numbers) == 1 else "are"
    return f"{shown} {verb} overdue; post an update?"


def _row(action: ActionRecord) -> list[CardElement]:
    data = {"actionId": action.id, "number": action.number}
    return [
        text(
            f"**{escape(action.number)}** {escape(shorten(action.text, TEXT_LIMIT))}",
            spacing="Medium",
        ),
        subtle(f"Owner: {escape(action.owner_labels)}"),
        buttons(open_dialog(f"Post update on {action.number}", verbs.DIALOG_UPDATE, data)),
    ]


def meeting_nudge_card(actions: tuple[ActionRecord, ...]) -> dict[str, Any]:
    """The note: one line, the most overdue actions with "Post update", and "Stop"."""
    numbers = tuple(a.number for a in actions)
    body: list[CardElement] = [text(escape(nudge_line(numbers)), weight="Bolder")]
    for action in actions[:SHOWN]:
        body.extend(_row(action))
    body.append(subtle("Only you can see this. Say “stop meeting nudges” to stop these notes."))
    return card(
        body,
        [execute(STOP_TITLE, verbs.MEETING_NUDGES_OFF)],
        fallback_text=nudge_line(numbers),
    )
