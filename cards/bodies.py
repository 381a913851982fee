"""Choosing the bodies one works for: search, tick, save."""

from __future__ import annotations

from typing import Any

from microsoft_teams.cards.core import CardElement, Choice, ChoiceSetInput, TextInput

from cards import verbs
from cards.base import buttons, card, escape, execute, heading, subtle, text
from cards.views import BodyChoiceView

SEARCH_INPUT = "bodySearch"
CHOICE_INPUT = "bodies"


def choose_bodies_card(view: BodyChoiceView) -> dict[str, Any]:
    """A searchable, multi-select list of bodies, with the person's current ones ticked."""
    body: list[CardElement] = [heading("Which bodies do you work for?")]
    body.append(
        text(
            "I use this to answer questions about “me”: your overdue actions, your actions, "
            "and reminders. Tick every body you work for or belong to."
        )
    )
    if view.message:
        body.append(text(escape(view.message), color="Attention"))
    body.append(
        TextInput(
            id=SEARCH_INPUT,
            label="Search bodies",
            placeholder="Name or abbreviation, e.g. OPCCN, constabulary",
            value=view.search or None,
            max_length=100,
        )
    )
    body.append(buttons(execute("Search", verbs.CHOOSE_BODIES)))
    if view.bodies:
        body.append(
            ChoiceSetInput(
                id=CHOICE_INPUT,
                label="Bodies",
                is_multi_select=True,
                style="expanded",
                wrap=True,
                value=",".join(view.selected) or None,
                choices=[
                    Choice(
                        title=f"{b.abbreviation} – {b.name}" if b.abbreviation else b.name,
                        value=b.key,
                    )
                    for b in view.bodies
                ],
            )
        )
        if view.total_matches > len(view.bodies):
            body.append(
                subtle(f"Showing {len(view.bodies)} of {view.total_matches}; search to narrow it.")
            )
    else:
        body.append(text("No body matches that search.", spacing="Medium"))
    # Ticks are only seen for the bodies shown; the others already chosen are carried along.
    hidden = {"kept": list(view.selected), "shown": [b.key for b in view.bodies]}
    return card(body, [execute("Save", verbs.SAVE_BODIES, hidden, style="positive")])
