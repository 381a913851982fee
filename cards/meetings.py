"""Meetings: the coming meetings (paged) and the add/edit form for chairs and admins."""

from __future__ import annotations

from typing import Any

from microsoft_teams.cards.core import (
    CardElement,
    Choice,
    ChoiceSetInput,
    Container,
    DateInput,
    NumberInput,
    TextInput,
    TimeInput,
)

from cards import verbs
from cards.base import buttons, card, escape, execute, heading, subtle, text, two_columns
from cards.views import MeetingFormView, MeetingListView, MeetingRow

RECURRENCE_TITLES = (
    ("none", "Does not repeat"),
    ("weekly", "Every week"),
    ("monthly", "Every month, same weekday (e.g. 2nd Wednesday)"),
    ("quarterly", "Every 3 months, same weekday"),
    ("custom", "Custom rule (RRULE)"),
)


def _row(row: MeetingRow) -> Container:
    place = row.location or ("Online" if row.link else "Place not set")
    left: list[CardElement] = [
        text(f"**{escape(row.body_label)}** · {escape(row.title)}"),
        subtle(escape(place) + (f" · {escape(row.link)}" if row.link else "")),
    ]
    if row.repeats:
        left.append(subtle(escape(row.repeats)))
    right: list[CardElement] = [
        text(escape(row.date_label), weight="Bolder", horizontal_alignment="Right"),
        text(escape(row.time_label), horizontal_alignment="Right", size="Small"),
    ]
    items: list[CardElement] = [two_columns(left, right)]
    if row.can_edit:
        edit = execute("Edit", verbs.EDIT_MEETING, {"meetingId": row.meeting_id})
        items.append(buttons(edit, spacing="Small"))
    return Container(separator=True, spacing="Medium", items=items)


def meeting_list_card(view: MeetingListView) -> dict[str, Any]:
    """A page of coming meetings with date, time (UK), place or link."""
    body: list[CardElement] = [heading(escape(view.title))]
    if view.message:
        body.append(text(escape(view.message), color="Good", weight="Bolder"))
    body.append(text(escape(view.summary)))
    body.extend(_row(row) for row in view.rows)
    if view.pages > 1:
        body.append(subtle(f"Page {view.page} of {view.pages}"))
    if view.cadences:
        body.append(text("Meeting on a cadence, no dates on record:", weight="Bolder"))
        body.extend(subtle(escape(line), spacing="None") for line in view.cadences)
        body.append(subtle("Chairs: add the next date with “Add meeting”.", spacing="Small"))
    actions: list[Any] = []
    if view.page > 1:
        actions.append(
            execute("Previous", verbs.MEETINGS_PAGE, {"q": view.query, "page": view.page - 1})
        )
    if view.page < view.pages:
        actions.append(
            execute(
                f"Show more ({view.page + 1} of {view.pages})",
                verbs.MEETINGS_PAGE,
                {"q": view.query, "page": view.page + 1},
            )
        )
    if view.add_bodies:
        data = {"body": view.add_bodies[0]} if len(view.add_bodies) == 1 else {}
        actions.append(execute("Add meeting", verbs.EDIT_MEETING, data))
    return card(body, actions, full_width=True)


def _error(view: MeetingFormView, name: str) -> list[CardElement]:
    message = view.errors.get(name)
    if not message:
        return []
    return [text(escape(message), color="Attention", size="Small", spacing="None")]


def _value(view: MeetingFormView, name: str) -> str | None:
    return view.values.get(name) or None


def _duration(view: MeetingFormView) -> float | None:
    try:
        return float(view.values.get("duration", ""))
    except ValueError:
        return None


def meeting_form_card(view: MeetingFormView) -> dict[str, Any]:
    """Add or change a meeting (or series); invalid fields come back with a message each."""
    title = "Change a meeting" if view.meeting_id else "Add a meeting"
    body: list[CardElement] = [heading(title)]
    if view.message:
        body.append(text(escape(view.message), color="Attention", weight="Bolder"))
    if view.body_choices:
        choices = [Choice(title=label, value=key) for key, label in view.body_choices]
        body.append(
            ChoiceSetInput(
                id="body",
                label="Body",
                style="compact",
                value=_value(view, "body"),
                choices=choices,
            )
        )
        body.extend(_error(view, "body"))
    body.extend(
        [
            TextInput(id="title", label="Title", max_length=300, value=_value(view, "title")),
            *_error(view, "title"),
            DateInput(id="date", label="Date", value=_value(view, "date")),
            *_error(view, "date"),
            TimeInput(id="time", label="Start time (UK time)", value=_value(view, "time")),
            *_error(view, "time"),
            NumberInput(
                id="duration", label="Duration (minutes)", min=5, max=600, value=_duration(view)
            ),
            *_error(view, "duration"),
            TextInput(
                id="location",
                label="Place (optional)",
                max_length=500,
                value=_value(view, "location"),
            ),
            *_error(view, "location"),
            TextInput(
                id="link",
                label="Online meeting link (optional)",
                placeholder="https://teams.microsoft.com/...",
                style="Url",
                max_length=2048,
                value=_value(view, "link"),
            ),
            *_error(view, "link"),
            ChoiceSetInput(
                id="recurrence",
                label="Repeats",
                style="compact",
                value=_value(view, "recurrence") or "none",
                choices=[Choice(title=t, value=v) for v, t in RECURRENCE_TITLES],
            ),
            *_error(view, "recurrence"),
            TextInput(
                id="rrule",
                label="Custom rule (only for “Custom rule”)",
                placeholder="FREQ=MONTHLY;INTERVAL=2;BYDAY=1TH",
                max_length=500,
                value=_value(view, "rrule"),
            ),
            *_error(view, "rrule"),
            DateInput(id="until", label="Repeats until (optional)", value=_value(view, "until")),
            *_error(view, "until"),
        ]
    )
    data: dict[str, Any] = {}
    if view.meeting_id:
        data["meetingId"] = view.meeting_id
    elif not view.body_choices and view.values.get("body"):
        data["body"] = view.values["body"]
    return card(body, [execute("Save meeting", verbs.SAVE_MEETING, data, style="positive")])
