"""Scheduled cards: the update prompt (and follow-up) in a body's channel, a member's reminder."""

from __future__ import annotations

from typing import Any

from microsoft_teams.cards.core import CardElement, Container, OpenUrlAction

from cards import verbs
from cards.actions import update_buttons
from cards.base import (
    buttons,
    card,
    escape,
    execute,
    facts,
    heading,
    shorten,
    status_text,
    subtle,
    text,
    two_columns,
)
from cards.views import MeetingReminderView, PromptItem, UpdatePromptView

ITEM_TEXT_LIMIT = 160


def _item(item: PromptItem) -> Container:
    action = item.action
    left: list[CardElement] = [
        text(f"**{escape(action.number)}** {escape(shorten(action.text, ITEM_TEXT_LIMIT))}"),
        subtle(f"Owner: {escape(action.owner_labels)}"),
    ]
    right: list[CardElement] = [status_text(item.status, horizontal_alignment="Right")]
    if item.reason.lower() != item.status.lower():
        right.append(
            text(escape(item.reason), color="Attention", size="Small", horizontal_alignment="Right")
        )
    return Container(
        separator=True,
        spacing="Medium",
        items=[
            two_columns(left, right),
            buttons(*update_buttons(action.id, action.number), spacing="Small"),
        ],
    )


def _more(count: int, ask: str) -> list[CardElement]:
    if count <= 0:
        return []
    return [subtle(f"And {count} more: ask “{escape(ask)}” to see them all.", spacing="Medium")]


def _requests(lines: tuple[str, ...]) -> list[CardElement]:
    if not lines:
        return []
    out: list[CardElement] = [
        text(f"Open scrutiny requests for this meeting ({len(lines)}):", weight="Bolder")
    ]
    out.extend(text(escape(line), size="Small", spacing="Small") for line in lines)
    return out


def update_prompt_card(view: UpdatePromptView) -> dict[str, Any]:
    """One digest for a body's meeting: the actions needing an update, each with its buttons."""
    body_label, when = escape(view.body_label), escape(view.meeting_when)
    title = (
        f"Still missing for {body_label}'s meeting"
        if view.follow_up
        else f"Updates for {body_label}'s meeting"
    )
    body: list[CardElement] = [heading(title), subtle(f"{escape(view.meeting_title)} · {when}")]
    if view.whole_plan:
        body.append(subtle(f"{body_label} owns no actions, so this covers the whole plan."))
    whose = "the plan's" if view.whole_plan else f"{body_label}'s"
    count = len(view.items) + view.more
    body.extend(_requests(view.requests))
    if not count:
        body.append(
            text(f"All of {whose} open actions have an update for this meeting. Thank you.")
        )
        return card(body)
    plural = "action needs" if count == 1 else "actions need"
    since = f" since the last meeting ({escape(view.since_label)})" if view.since_label else ""
    intro = (
        f"{count} {plural} an update before the meeting and nothing has been posted since the "
        "reminder."
        if view.follow_up
        else f"{count} {plural} an update before the meeting: overdue, or no update{since}."
    )
    body.append(text(intro))
    body.extend(_item(item) for item in view.items)
    body.extend(_more(view.more, "status" if view.whole_plan else f"actions {view.body_label}"))
    return card(body, full_width=True)


def meeting_reminder_card(view: MeetingReminderView) -> dict[str, Any]:
    """A member's reminder: when and where, the link, and what is due from them."""
    body: list[CardElement] = [
        heading(f"Reminder: {escape(view.body_label)} meeting"),
        text(escape(view.meeting_title)),
        facts(
            [
                ("When", escape(view.meeting_when) + " (UK time)"),
                ("Where", escape(view.location) or ("Online" if view.link else "Not set")),
                ("Link", escape(view.link or "")),
            ]
        ),
    ]
    if view.items:
        body.append(text("Due from you before the meeting:", weight="Bolder", spacing="Medium"))
        body.extend(_item(item) for item in view.items)
        body.extend(_more(view.more, "my actions"))
    else:
        body.append(
            text("Nothing of yours is overdue or due before the meeting.", spacing="Medium")
        )
    actions: list[Any] = []
    if view.link:
        actions.append(OpenUrlAction(title="Join the meeting", url=view.link))
    actions.append(execute("Stop reminders", verbs.REMINDERS_OFF))
    return card(body, actions)
