"""The status card: counts by status, the overdue actions, the updates since the last meeting.

The counts are drawn as a donut chart where Teams supports one and always written out in words.
The card refreshes itself when reopened in Teams (a card-level ``refresh`` with
``Action.Execute``, for the conversation's members: ``cards.base.live_refresh``).
"""

from __future__ import annotations

from typing import Any

from microsoft_teams.cards.core import (
    CardElement,
    Container,
    DonutChart,
    DonutChartData,
)

from cards import verbs
from cards.base import (
    buttons,
    card,
    escape,
    execute,
    facts,
    heading,
    live_refresh,
    shorten,
    subheading,
    subtle,
    text,
    two_columns,
)
from cards.views import ActionItem, PostedUpdate, StatusView

ITEM_TEXT_LIMIT = 140
UPDATE_TEXT_LIMIT = 240


def _counts(view: StatusView) -> list[CardElement]:
    """The chart where Teams draws one, and always the counts in words (colour never alone)."""
    out: list[CardElement] = []
    if view.total:
        out.append(
            DonutChart(
                title="Actions by status",
                data=[DonutChartData(legend=s, value=n) for s, n in view.counts.items() if n],
                fallback="drop",
            )
        )
    pairs = [(status, str(count)) for status, count in view.counts.items()]
    pairs.append(("Total", f"{view.total} actions"))
    pairs.append(("Overdue", f"{view.overdue_total} (past the deadline and not complete)"))
    out.append(facts(pairs))
    return out


def _overdue_item(item: ActionItem) -> Container:
    action = item.action
    return Container(
        separator=True,
        items=[
            text(f"**{escape(action.number)}** {escape(shorten(action.text, ITEM_TEXT_LIMIT))}"),
            subtle(
                escape(f"{action.owner_labels} · {item.flag} · {item.status}"),
                color="Attention",
            ),
        ],
    )


def _overdue(view: StatusView) -> list[CardElement]:
    out: list[CardElement] = [subheading(f"Overdue ({view.overdue_total})", spacing="Large")]
    if not view.overdue:
        out.append(text("Nothing is overdue."))
        return out
    out.extend(_overdue_item(item) for item in view.overdue)
    if view.overdue_total > len(view.overdue):
        out.append(
            buttons(
                execute(
                    f"Show all {view.overdue_total} overdue",
                    verbs.SHOW_ALL_OVERDUE,
                    {"scope": view.scope},
                )
            )
        )
    return out


def _update(update: PostedUpdate) -> Container:
    return Container(
        separator=True,
        items=[
            two_columns(
                [text(f"**{escape(update.number)}** {escape(update.status)}")],
                [subtle(escape(f"{update.posted} · {update.author or 'unknown'}"))],
            ),
            text(escape(shorten(update.text, UPDATE_TEXT_LIMIT)) or "(no text)"),
        ],
    )


def _updates(view: StatusView) -> list[CardElement]:
    count = view.updates_total
    title = f"{count or 'No'} update{'' if count == 1 else 's'} {view.since_label}"
    out: list[CardElement] = [subheading(escape(title), spacing="Large")]
    out.extend(_update(update) for update in view.updates)
    more = view.updates_total - len(view.updates)
    if more > 0:
        out.append(subtle(f"…and {more} more; ask “history” and an action number for all."))
    return out


def _coming(view: StatusView) -> list[CardElement]:
    """The next meeting on record (never an invented date) and the requests it should see."""
    out: list[CardElement] = []
    if view.next_meeting:
        out.append(subheading("Next meeting", spacing="Medium"))
        out.append(text(escape(view.next_meeting)))
    if view.scrutiny:
        out.append(subheading(f"Open scrutiny requests ({len(view.scrutiny)})", spacing="Medium"))
        out.extend(text(escape(line), size="Small", spacing="Small") for line in view.scrutiny)
    return out


def status_card(view: StatusView) -> dict[str, Any]:
    """The status card for one scope (plan, theme, section or bodies)."""
    body: list[CardElement] = [heading(escape(view.title)), subtle(escape(view.summary))]
    if view.period:
        body.append(subtle(escape(view.period), spacing="None"))
    body.extend(_counts(view))
    body.extend(_overdue(view))
    body.extend(_updates(view))
    body.extend(_coming(view))
    if view.hint:
        body.append(subtle(escape(view.hint), spacing="Medium"))
    body.append(subtle(escape(f"Figures as of {view.made_at}."), spacing="Medium"))
    return card(
        body,
        [execute("Refresh", verbs.REFRESH_STATUS, {"scope": view.scope})],
        full_width=True,
        refresh=live_refresh(verbs.REFRESH_STATUS, {"scope": view.scope}),
    )
