"""The welcome card (sent on install) and help, with what to ask in this kind of chat."""

from __future__ import annotations

from typing import Any

from microsoft_teams.cards.core import CardElement

from cards import verbs
from cards.base import buttons, card, escape, facts, heading, submit, subtle, text
from cards.views import HelpView

EXAMPLES: tuple[tuple[str, str], ...] = (
    ("what's overdue for me?", "overdue actions of the bodies you work for"),
    ("my actions", "everything your bodies own, with flags"),
    ("what are the priorities?", "the plan's themes and long-term outcomes"),
    ("action 1.18", "one action in full, with its latest update"),
    ("anything on call blockers?", "actions of a section or on any topic, best match first"),
    ("who owns 2.3?", "one fact: an owner, a success measure, an outcome, who chairs a group"),
    ("overdue OPCCN", "overdue actions of any body (name or abbreviation)"),
    ("what's due in Q3 for DASVG?", "deadlines in a period (next 3 months, by October...)"),
    ("status", "counts by status, what is overdue, updates since the last meeting"),
    ("meetings", "the coming meetings"),
    ("when is the next DASVG meeting?", "the next meeting on record, or how often it meets"),
    ("open scrutiny requests", "what the Scrutiny Sub Panel is owed, by which meeting"),
    (
        "stop meeting nudges",
        "no private overdue note when you join a Teams meeting (“start meeting nudges” to resume)",
    ),
    ("update 1.18 on track: text", "post a progress update by typing"),
    ("history 1.18", "every update of an action"),
    ("my bodies", "say which bodies you work for"),
    ("report", "chairs and admins: the plan report for the Scrutiny Sub Panel"),
)

_PLACE_NOTES = {
    "personal": "Ask me anything below in this chat.",
    "channel": "In a channel, @mention me first, for example: @Safer Partnership status DASVG.",
    "groupChat": "In a group chat, @mention me first, for example: @Safer Partnership overdue.",
    "meeting": "In a meeting chat, @mention me, for example: @Safer Partnership status.",
}


def help_card(view: HelpView) -> dict[str, Any]:
    """Help: what the bot is for, how to address it here, and example questions."""
    body: list[CardElement] = []
    body.extend(
        [
            heading(view.greeting or "Safer Partnership bot"),
            text(
                "I hold the Safer Norfolk Plan 2021-24 delivery plan: its priorities, actions, "
                "owners, deadlines and progress updates. Ask me in plain words."
            ),
            subtle(_PLACE_NOTES.get(view.place, _PLACE_NOTES["personal"])),
            facts([(f"“{q}”", why) for q, why in EXAMPLES]),
        ]
    )
    quick = [
        submit("What's overdue for me?", verbs.RUN_COMMAND, {"text": "overdue for me"}),
        submit("Priorities", verbs.RUN_COMMAND, {"text": "priorities"}),
        submit("Status", verbs.RUN_COMMAND, {"text": "status"}),
    ]
    body.append(buttons(*quick, spacing="Medium"))
    return card(body)


def did_you_mean_card(view: HelpView) -> dict[str, Any]:
    """A short answer to text the bot could not place: the closest commands, as buttons."""
    body: list[CardElement] = [
        text(f"I didn't understand “{escape(view.not_understood)}”.", weight="Bolder"),
        text("Did you mean one of these?"),
    ]
    choices = [submit(s, verbs.RUN_COMMAND, {"text": s}) for s in view.suggestions]
    choices.append(submit("Help", verbs.RUN_COMMAND, {"text": "help"}))
    body.append(buttons(*choices))
    return card(body)
