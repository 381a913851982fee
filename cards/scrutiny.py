"""Scrutiny requests and recommendations: the list, and the form to record a response."""

from __future__ import annotations

from typing import Any

from microsoft_teams.cards.core import (
    CardElement,
    Choice,
    ChoiceSetInput,
    Container,
    DateInput,
    TextInput,
)

from cards import verbs
from cards.base import buttons, card, escape, execute, facts, heading, shorten, subtle, text
from cards.views import ScrutinyListView, ScrutinyResponseView, ScrutinyRow

TEXT_LIMIT = 400
RESPONSE_LIMIT = 600
STATUS_CHOICES = (
    ("answered", "Answered (response recorded)"),
    ("withdrawn", "Withdrawn by the panel"),
    ("open", "Still open"),
)


def _row(row: ScrutinyRow, query: dict[str, Any]) -> Container:
    kind = "Recommendation" if row.kind == "recommendation" else "Request"
    items: list[CardElement] = [
        text(f"**{kind} {escape(row.ref)}**"),
        text(escape(shorten(row.text, TEXT_LIMIT)), spacing="Small"),
        facts(
            [
                ("Asked by", row.asked_by),
                ("Owed by", row.owner),
                ("Due at", row.due),
                ("Status", row.status),
                ("Response", shorten(row.response, RESPONSE_LIMIT)),
                ("Responded", row.responded),
            ]
        ),
    ]
    if row.can_respond:
        data = {"requestId": row.request_id, "q": query}
        items.append(buttons(execute("Record response", verbs.RESPOND_SCRUTINY, data)))
    return Container(separator=True, spacing="Medium", items=items)


def scrutiny_list_card(view: ScrutinyListView) -> dict[str, Any]:
    """Requests and recommendations with who owes the answer, by which meeting, and its state."""
    body: list[CardElement] = [heading(escape(view.title))]
    if view.message:
        body.append(text(escape(view.message), color="Good", weight="Bolder"))
    body.append(text(escape(view.summary)))
    body.extend(_row(row, view.query) for row in view.rows)
    return card(body, full_width=True)


def _error(view: ScrutinyResponseView, name: str) -> list[CardElement]:
    message = view.errors.get(name)
    return [text(escape(message), color="Attention", size="Small")] if message else []


def scrutiny_response_card(view: ScrutinyResponseView) -> dict[str, Any]:
    """Record (or correct) the response to one request; the change is audited."""
    row = view.row
    body: list[CardElement] = [
        heading(f"Response to {escape(row.ref)}"),
        text(escape(shorten(row.text, TEXT_LIMIT))),
        subtle(escape(f"Asked by {row.asked_by} of {row.owner}; due at {row.due}.")),
        TextInput(
            id="response",
            label="Response",
            is_multiline=True,
            max_length=4000,
            value=view.values.get("response") or row.response or None,
        ),
        *_error(view, "response"),
        DateInput(id="respondedOn", label="Date of the response", value=view.values.get("date")),
        *_error(view, "respondedOn"),
        ChoiceSetInput(
            id="status",
            label="Status",
            style="compact",
            value=view.values.get("status") or "answered",
            choices=[Choice(title=t, value=v) for v, t in STATUS_CHOICES],
        ),
        *_error(view, "status"),
    ]
    data = {"requestId": row.request_id, "q": view.query}
    return card(
        body, [execute("Save response", verbs.SAVE_SCRUTINY_RESPONSE, data, style="positive")]
    )
