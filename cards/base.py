"""Building blocks shared by every card: text that wraps, escaped user text, buttons."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from microsoft_teams.cards.core import (
    ActionSet,
    AdaptiveCard,
    CardElement,
    Column,
    ColumnSet,
    ExecuteAction,
    Fact,
    FactSet,
    RefreshDefinition,
    SubmitAction,
    TextBlock,
)

from bot.plan.statuses import STATUS_COLOURS

CARD_VERSION = "1.5"
CARD_SCHEMA = "http://adaptivecards.io/schemas/adaptive-card.json"
SIZE_BUDGET_BYTES = 28 * 1024
CONTENT_TYPE = "application/vnd.microsoft.card.adaptive"

# Markdown that TextBlock renders is made inert WITHOUT backslashes: some Teams clients (mobile,
# web) show a backslash escape literally. "*" becomes the look-alike U+2217, a link's "](" and a
# tag's "<" get an invisible zero-width space, and "_" is fenced by zero-width spaces (a
# delimiter both left- and right-flanking, and not after punctuation, can neither open nor close
# emphasis). Plan lists ("- item", "1. first") keep rendering as lists, as written. A backslash
# someone typed is followed by a zero-width space, so that markdown never reads it as an escape
# (hidden by some clients, shown by others).
_ZWSP = "\u200b"
_INERT = str.maketrans(
    {"*": "\u2217", "_": f"{_ZWSP}_{_ZWSP}", "<": f"<{_ZWSP}", "\\": f"\\{_ZWSP}"}
)


def escape(text: str | None) -> str:
    """Make text shown in a card literal: no markdown links or emphasis, no mentions or tags.

    No backslashes are added (see above), so the text reads the same on every Teams client.
    """
    if not text:
        return ""
    return text.translate(_INERT).replace("](", f"]{_ZWSP}(")


def shorten(text: str, limit: int) -> str:
    """Cut ``text`` to ``limit`` characters at a word boundary, with an ellipsis."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[: limit - 1].rsplit(" ", 1)[0]
    return cut + "…"


def text(value: str, **style: Any) -> TextBlock:
    """A wrapping TextBlock (wrap is on for every text in this bot)."""
    return TextBlock(text=value, wrap=True, **style)


def heading(value: str) -> TextBlock:
    """The card's title."""
    return TextBlock(text=value, wrap=True, size="Large", weight="Bolder", style="heading")


def subheading(value: str, **style: Any) -> TextBlock:
    """A section title inside a card."""
    return TextBlock(text=value, wrap=True, size="Medium", weight="Bolder", **style)


def subtle(value: str, **style: Any) -> TextBlock:
    """Secondary text."""
    return TextBlock(text=value, wrap=True, is_subtle=True, size="Small", **style)


def facts(pairs: Sequence[tuple[str, str]]) -> FactSet:
    """A FactSet from (title, value) pairs; empty values are left out."""
    return FactSet(facts=[Fact(title=t, value=v) for t, v in pairs if v])


def status_text(status: str, **style: Any) -> TextBlock:
    """The status word, coloured by meaning (the word itself always carries the meaning)."""
    return TextBlock(
        text=status,
        wrap=True,
        weight="Bolder",
        color=STATUS_COLOURS.get(status, "Default"),
        **style,
    )


def two_columns(left: list[CardElement], right: list[CardElement], **style: Any) -> ColumnSet:
    """A wide left column and an auto-sized right column."""
    return ColumnSet(
        columns=[Column(width="stretch", items=left), Column(width="auto", items=right)],
        **style,
    )


def execute(
    title: str, verb: str, data: dict[str, Any] | None = None, **style: Any
) -> ExecuteAction:
    """An ``Action.Execute`` (Universal Actions): the answer is a card that replaces this one."""
    return ExecuteAction(title=title, verb=verb, data={"verb": verb, **(data or {})}, **style)


# Teams refreshes a card automatically for at most this many people (``refresh.userIds``).
REFRESH_USER_LIMIT = 60


def live_refresh(verb: str, data: dict[str, Any] | None = None) -> RefreshDefinition:
    """A Universal Actions ``refresh``: Teams sends ``verb`` when someone opens the card.

    ``userIds`` is left empty here (cards are pure); the Teams edge fills it with the
    conversation's members, up to :data:`REFRESH_USER_LIMIT` (``bot.teams.live``).
    """
    return RefreshDefinition(action=execute("Refresh", verb, data), user_ids=[])


def submit(title: str, verb: str, data: dict[str, Any] | None = None, **style: Any) -> SubmitAction:
    """An ``Action.Submit``: the bot answers with a new message."""
    return SubmitAction(title=title, data={"verb": verb, **(data or {})}, **style)


def open_dialog(title: str, dialog_id: str, data: dict[str, Any] | None = None) -> SubmitAction:
    """A button that opens a Teams dialog (task module) through ``task/fetch``."""
    payload = {"msteams": {"type": "task/fetch"}, "dialog": dialog_id, **(data or {})}
    return SubmitAction(title=title, data=payload)


def buttons(*actions: Any, **style: Any) -> ActionSet:
    """A row of buttons inside the card body."""
    return ActionSet(actions=[a for a in actions if a is not None], **style)


def card(
    body: Sequence[CardElement],
    actions: Sequence[Any] = (),
    *,
    full_width: bool = False,
    refresh: Any = None,
    fallback_text: str | None = None,
) -> dict[str, Any]:
    """Assemble an Adaptive Card 1.5 and return its JSON (a dict)."""
    model = AdaptiveCard(
        version=CARD_VERSION,
        body=list(body),
        actions=list(actions) or None,
        refresh=refresh,
        fallback_text=fallback_text,
    )
    result: dict[str, Any] = {"$schema": CARD_SCHEMA}
    result.update(model.model_dump(mode="json", exclude_none=True, by_alias=True))
    if full_width:
        result["msteams"] = {"width": "Full"}
    return result


def size_of(card_json: dict[str, Any]) -> int:
    """The card's size in bytes as sent (compact UTF-8 JSON)."""
    return len(json.dumps(card_json, separators=(",", ":"), ensure_ascii=False).encode("utf-8"))


def attachment(card_json: dict[str, Any]) -> dict[str, Any]:
    """The Bot Framework attachment that carries a card."""
    return {"contentType": CONTENT_TYPE, "content": card_json}


def with_notice(card_json: dict[str, Any], notice: str) -> dict[str, Any]:
    """A copy of a card with a notice under its heading (e.g. "the plan ended on ...")."""
    body = list(card_json.get("body") or [])
    block = TextBlock(text=escape(notice), wrap=True, color="Warning", size="Small")
    element = block.model_dump(mode="json", exclude_none=True, by_alias=True)
    at = 1 if body and body[0].get("style") == "heading" else 0
    return {**card_json, "body": [*body[:at], element, *body[at:]]}
