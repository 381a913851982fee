"""The "Share with the chat" button on a private answer (shown only to the person who asked)."""

from __future__ import annotations

from typing import Any

from cards import verbs
from cards.base import buttons, execute

SHARE_TITLE = "Share with the chat"


def with_share_button(card_json: dict[str, Any], question: str) -> dict[str, Any]:
    """A copy of an answer card with a button that posts the same answer for everyone.

    The button carries the question, not the answer: pressed, the bot answers it again (so the
    figures are current and nothing the asker could edit is posted in their name).
    """
    row = buttons(execute(SHARE_TITLE, verbs.SHARE_ANSWER, {"text": question}))
    element = row.model_dump(mode="json", exclude_none=True, by_alias=True)
    return {**card_json, "body": [*(card_json.get("body") or []), element]}
