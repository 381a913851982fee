"""The priorities card: a plan's themes with their long-term outcomes and sections."""

from __future__ import annotations

from typing import Any

from microsoft_teams.cards.core import CardElement, Container

from bot.plan.types import ThemeRecord
from cards import verbs
from cards.base import card, escape, execute, heading, subheading, subtle, text
from cards.views import PlanView

# A theme lists this many section titles; the rest are counted ("and 12 more").
SECTIONS_SHOWN = 8


def _sections(titles: tuple[str, ...]) -> str:
    shown = ", ".join(titles[:SECTIONS_SHOWN])
    more = len(titles) - SECTIONS_SHOWN
    return f"{shown} and {more} more" if more > 0 else shown


def _current_theme(theme: ThemeRecord) -> list[CardElement]:
    items: list[CardElement] = [subheading(f"{theme.number}. {escape(theme.title)}")]
    items.extend(subtle(f"Outcome {o.number}: {escape(o.text)}") for o in theme.outcomes)
    if theme.sections:
        items.append(
            text(f"Sections: {escape(_sections(theme.sections))} · {theme.action_count} actions")
        )
    return items


def _previous_theme(theme: ThemeRecord) -> list[CardElement]:
    items: list[CardElement] = [subheading(f"{theme.number}. {escape(theme.title)}")]
    who = ", ".join(x for x in (theme.sponsor_text, theme.lead_officer) if x)
    if who:
        items.append(subtle(f"Sponsor and lead: {escape(who)}"))
    if theme.objectives:
        items.append(text(escape(theme.objectives)))
    if theme.targets:
        items.append(subtle(f"Targets: {escape(theme.targets)}"))
    return items


def priorities_card(view: PlanView) -> dict[str, Any]:
    """The plan's themes (current plan) or priorities (earlier plans)."""
    plan = view.plan
    body: list[CardElement] = [heading(escape(plan.title))]
    body.append(
        subtle("The current plan." if plan.is_current else "An earlier plan, kept for reference.")
    )
    size = view.themes_per_page
    themes = plan.themes[(view.page - 1) * size : view.page * size]
    for theme in themes:
        items = _current_theme(theme) if plan.is_current else _previous_theme(theme)
        body.append(Container(separator=True, spacing="Medium", items=items))
    if view.pages > 1:
        body.append(
            subtle(
                f"Page {view.page} of {view.pages} · {len(plan.themes)} themes", spacing="Medium"
            )
        )
    actions: list[Any] = []
    if view.page > 1:
        actions.append(_page_button("Previous", plan.key, view.page - 1))
    if view.page < view.pages:
        actions.append(
            _page_button(f"More themes ({view.page + 1} of {view.pages})", plan.key, view.page + 1)
        )
    if plan.is_current:
        actions.extend(
            execute(
                f"Theme {t.number} actions",
                verbs.RUN_COMMAND,
                {"text": f"actions theme {t.number}"},
            )
            for t in themes
        )
    for other in view.other_plans:
        actions.append(execute(other.title, verbs.RUN_COMMAND, {"text": f"priorities {other.key}"}))
    return card(body, actions)


def _page_button(title: str, plan_key: str, page: int) -> Any:
    return execute(title, verbs.PRIORITIES_PAGE, {"plan": plan_key, "page": page})
