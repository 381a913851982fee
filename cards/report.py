"""Cards for the plan report: download links for one person, and the offer in a shared chat.

The offer's button gives each person who presses it their own links (the Action.Execute answer
is seen only by whoever pressed).
"""

from __future__ import annotations

from typing import Any

from microsoft_teams.cards.core import OpenUrlAction

from cards import verbs
from cards.base import card, escape, execute, heading, subtle, text
from cards.views import ReportLinksView


def report_links_card(view: ReportLinksView) -> dict[str, Any]:
    """Download buttons for the report; the links are personal, single-use and short-lived."""
    body = [
        heading("Plan report"),
        text(
            escape(
                f"{view.plan_title} as of {view.as_of}: one row per action "
                "(N, Action, Success measure, Owner, Date, Update, Status, Last updated), "
                "grouped by theme and section."
            )
        ),
        subtle(
            escape(
                f"These links are for you only: each works once, until {view.expires}. "
                "Ask “report” again for fresh ones."
            ),
            spacing="Medium",
        ),
    ]
    actions = [OpenUrlAction(title=title, url=url) for title, url in view.links]
    return card(body, actions)


def report_offer_card(as_of: str, data: dict[str, Any]) -> dict[str, Any]:
    """In a shared chat: a button that shows the download links only to whoever presses it."""
    body = [
        heading("Plan report"),
        text(escape(f"The delivery plan with the latest updates, as of {as_of}.")),
        subtle(
            "Download links are personal, so I don't post them here: press the button and "
            "only you will see yours (chairs and admins only).",
            spacing="Medium",
        ),
    ]
    return card(body, [execute("Show my download links", verbs.REPORT_LINKS, data)])
