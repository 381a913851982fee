"""Cards that show actions: a page of a list, one action in full, an action's history."""

from __future__ import annotations

from typing import Any

from microsoft_teams.cards.core import CardElement, Container

from bot.clock import LONDON
from bot.plan.statuses import NO_UPDATE
from bot.plan.types import ActionRecord
from cards import verbs
from cards.base import (
    buttons,
    card,
    escape,
    execute,
    facts,
    heading,
    live_refresh,
    open_dialog,
    shorten,
    status_text,
    subheading,
    subtle,
    text,
    two_columns,
)
from cards.views import ActionDetailView, ActionItem, ActionListView, HistoryView

LIST_TEXT_LIMIT = 220


def update_buttons(action_id: int, number: str, origin: dict[str, Any] | None = None) -> list[Any]:
    """The update buttons: "Post update" (a Teams dialog) and "Quick update" (inline).

    ``origin`` names the card they sit on (its verb and data), so that after a save that card
    can be drawn again with the new status.
    """
    data: dict[str, Any] = {"actionId": action_id, "number": number}
    if origin:
        data["origin"] = origin
    return [
        open_dialog("Post update", verbs.DIALOG_UPDATE, data),
        execute("Quick update", verbs.OPEN_UPDATE_INLINE, data),
    ]


def owners_as_written(action: ActionRecord) -> str:
    """The owner cell as the plan writes it, its lines joined."""
    lines = [line.strip() for line in action.owner_text.splitlines() if line.strip()]
    return ", ".join(lines) or action.owner_labels


def due_as_written(item: ActionItem) -> str:
    """The date cell as the plan writes it; a revised deadline is said as such."""
    action = item.action
    revised = action.latest is not None and action.latest.revised_date is not None
    if revised or not action.due_text:
        return item.deadline_label
    return " ".join(action.due_text.split())


def _item(item: ActionItem, origin: dict[str, Any]) -> Container:
    action = item.action
    left: list[CardElement] = [
        text(f"**{escape(action.number)}** {escape(shorten(action.text, LIST_TEXT_LIMIT))}"),
        subtle(f"Owner: {escape(owners_as_written(action))} · Due: {escape(due_as_written(item))}"),
    ]
    if item.why:
        left.append(subtle(f"Matched: {escape(item.why)}"))
    right: list[CardElement] = [status_text(item.status, horizontal_alignment="Right")]
    if item.status_note:
        right.append(subtle(escape(item.status_note), horizontal_alignment="Right", spacing="None"))
    if item.flag and not (item.status == NO_UPDATE and item.flag == "no update yet"):
        # One "no update" line: the status already says it.
        right.append(text(item.flag, color="Attention", size="Small", horizontal_alignment="Right"))
    row_buttons = [execute("Details", verbs.SHOW_ACTION, {"actionId": action.id})]
    if item.can_update:
        row_buttons = update_buttons(action.id, action.number, origin) + row_buttons
    return Container(
        separator=True,
        spacing="Medium",
        items=[two_columns(left, right), buttons(*row_buttons, spacing="Small")],
    )


def _pager(view: ActionListView) -> list[Any]:
    out = []
    if view.page > 1:
        out.append(execute("Previous", verbs.LIST_PAGE, {"q": view.query, "page": view.page - 1}))
    if view.page < view.pages:
        out.append(
            execute(
                f"Show more ({view.page + 1} of {view.pages})",
                verbs.LIST_PAGE,
                {"q": view.query, "page": view.page + 1},
            )
        )
    return out


def action_list_card(view: ActionListView) -> dict[str, Any]:
    """A page of actions with status, deadline, flags and update buttons."""
    body: list[CardElement] = [heading(escape(view.title))]
    if view.items:
        body.append(text(escape(view.summary)))
        origin = {"verb": verbs.LIST_PAGE, "q": view.query, "page": view.page}
        body.extend(_item(item, origin) for item in view.items)
        if view.pages > 1:
            body.append(subtle(f"Page {view.page} of {view.pages} · {view.total} actions"))
    else:
        body.append(text(escape(view.empty_text), spacing="Medium"))
    if view.hint:
        body.append(subtle(escape(view.hint), spacing="Medium"))
    actions: list[Any] = _pager(view)
    if view.show_choose_bodies:
        actions.append(execute("Choose my bodies", verbs.CHOOSE_BODIES))
    return card(body, actions, full_width=True)


def action_detail_card(view: ActionDetailView) -> dict[str, Any]:
    """One action with every field of the plan's table and its latest update."""
    action = view.action
    latest = action.latest
    body: list[CardElement] = []
    if view.message:
        body.append(text(escape(view.message), color="Good", weight="Bolder"))
    body += [
        heading(f"Action {escape(action.number)}"),
        subtle(escape(f"{action.theme_title} › {action.section_title}")),
        text(escape(action.text), spacing="Medium"),
        facts(
            [
                ("Success measure", escape(action.success_measure)),
                ("Owner", escape(action.owner_text.replace("\n", ", "))),
                ("Date", escape(action.due_text)),
                ("Deadline", escape(view.deadline_label)),
            ]
        ),
        two_columns([subheading("Status")], [status_text(view.status)], spacing="Medium"),
    ]
    if view.flag:
        body.append(text(view.flag, color="Attention"))
    if latest is not None:
        when = latest.created_at.astimezone(LONDON).strftime("%d %b %Y")
        author = f" by {latest.author_name}" if latest.author_name else ""
        body.append(subtle(escape(f"Latest update, {when}{author}:")))
        body.append(text(escape(latest.text) or "(no text)"))
    actions: list[Any] = []
    shown = {"actionId": action.id}
    if view.can_update and view.viewer_known:
        origin = {"verb": verbs.SHOW_ACTION, **shown}
        actions.extend(update_buttons(action.id, action.number, origin))
    if view.live and not view.viewer_known:
        actions.append(execute("Refresh", verbs.SHOW_ACTION, shown))
    if view.history_count:
        actions.append(
            execute(f"History ({view.history_count})", verbs.SHOW_HISTORY, {"actionId": action.id})
        )
    return card(
        body, actions, refresh=live_refresh(verbs.SHOW_ACTION, shown) if view.live else None
    )


def history_card(view: HistoryView) -> dict[str, Any]:
    """The updates of one action, newest first, with who and when."""
    action = view.action
    body: list[CardElement] = [
        heading(f"History of action {escape(action.number)}"),
        subtle(escape(shorten(action.text, 200))),
    ]
    if not view.updates:
        body.append(text("No progress updates have been posted yet.", spacing="Medium"))
    for update in view.updates:
        when = update.created_at.astimezone(LONDON).strftime("%d %b %Y %H:%M")
        who = update.author_name or "unknown"
        details = [f"{when} · {who}"]
        if update.revised_date:
            details.append(f"revised date {update.revised_date:%d %b %Y}")
        body.append(
            Container(
                separator=True,
                items=[
                    two_columns(
                        [subtle(escape(" · ".join(details)))], [status_text(update.status)]
                    ),
                    text(escape(update.text) or "(no text)"),
                ]
                + (
                    [subtle(escape(f"Evidence: {update.evidence_url}"))]
                    if update.evidence_url
                    else []
                ),
            )
        )
    actions: list[Any] = []
    if view.page > 1:
        actions.append(
            execute("Newer", verbs.SHOW_HISTORY, {"actionId": action.id, "page": view.page - 1})
        )
    if view.page < view.pages:
        actions.append(
            execute("Older", verbs.SHOW_HISTORY, {"actionId": action.id, "page": view.page + 1})
        )
    return card(body, actions)
