"""The plan itself: its priorities, one action in full, an action's history."""

from __future__ import annotations

from datetime import date
from typing import Any

from bot.handlers.common import pages
from bot.handlers.updates import allowed
from bot.plan import rules
from bot.plan.labels import deadline_label, flag_for
from bot.plan.status_notes import status_note
from bot.plan.types import ActionRecord, PlanNotFound
from bot.services import Services
from bot.turns import Reply, Request
from bot.understand import Intent
from cards.actions import action_detail_card, history_card
from cards.plan import priorities_card
from cards.views import ActionDetailView, HistoryView, PlanView

HISTORY_PAGE = 6
THEMES_PAGE = 10


def _priorities(services: Services, plan_key: str | None, page: int) -> Reply:
    try:
        plan = services.plan.plan(plan_key)
    except PlanNotFound:
        if plan_key is not None:
            return Reply.with_text(f"There is no plan {plan_key}. Ask “priorities” again.")
        return Reply.with_text("No plan is loaded yet. An admin can load one with “import”.")
    others = tuple(p for p in services.plan.plans() if p.key != plan.key)
    total = pages(len(plan.themes), THEMES_PAGE)
    view = PlanView(
        plan=plan,
        other_plans=others,
        page=min(max(page, 1), total),
        pages=total,
        themes_per_page=THEMES_PAGE,
    )
    return Reply.with_card(priorities_card(view))


def priorities(services: Services, request: Request, intent: Intent) -> Reply:
    """Answer "what are the priorities?" with the themes and outcomes (or an earlier plan's)."""
    return _priorities(services, intent.plan, 1)


def priorities_page(services: Services, request: Request) -> Reply:
    """The "More themes" / "Previous" buttons of a large plan's priorities card."""
    plan_key = request.data.get("plan")
    page = request.data.get("page", 1)
    if not isinstance(plan_key, str) or not isinstance(page, int) or not 0 < page < 10_000:
        return Reply(error="That button's data could not be read. Ask “priorities” again.")
    return _priorities(services, plan_key, page)


def _find(services: Services, action_id: int | None, number: str | None) -> ActionRecord | None:
    if action_id is not None:
        return services.plan.action_by_id(action_id)
    return services.plan.action(number or "")


def _detail(
    services: Services, request: Request, action_id: int | None, number: str | None
) -> Reply:
    today = request.today
    action = _find(services, action_id, number)
    if action is None:
        return Reply.with_text(
            f"There is no action {number} in the current plan. Actions are numbered like 1.18 "
            "(theme 1 has 1.1-1.30, theme 2 has 2.1-2.10, theme 3 has 3.1-3.15)."
            if number
            else "That action no longer exists."
        )
    if not request.place.is_shared:
        return Reply.with_card(detail_card(services, action, today))
    # In a shared conversation the card is live: the clicker's own view (an Action.Execute,
    # or Teams refreshing it as someone opens it), else the read-only view everyone receives.
    if request.is_invoke:
        mine = detail_card(services, action, today, live=True, can_update=allowed(request, action))
        return Reply.with_card(mine)
    return Reply.with_card(detail_card(services, action, today, live=True, viewer_known=False))


def detail_card(
    services: Services,
    action: ActionRecord,
    today: date,
    *,
    live: bool = False,
    viewer_known: bool = True,
    can_update: bool = True,
) -> dict[str, Any]:
    """The card of one action in full, as of ``today``.

    Args:
        services: the bot's services.
        action: the action.
        today: the London date the flags are worked out for.
        live: for a shared conversation (see ``ActionDetailView``).
        viewer_known: False for the read-only card everyone receives.
        can_update: the viewer may post updates ("Post update" shown).
    """
    count = len(services.plan.history(action.id))
    view = ActionDetailView(
        action=action,
        status=rules.current_status(action),
        deadline_label=deadline_label(action),
        flag=", ".join(
            f
            for f in (
                flag_for(action, today, services.settings.reporting_interval_days),
                status_note(action, today),
            )
            if f
        ),
        history_count=count,
        can_update=can_update,
        live=live,
        viewer_known=viewer_known,
    )
    return action_detail_card(view)


def action_detail(services: Services, request: Request, intent: Intent) -> Reply:
    """Answer "action 1.18" with the action in full."""
    return _detail(services, request, None, intent.number)


def action_detail_button(services: Services, request: Request) -> Reply:
    """The "Details" button on list cards."""
    action_id = request.data.get("actionId")
    if not isinstance(action_id, int):
        return Reply(error="That button does not name an action.")
    return _detail(services, request, action_id, None)


def _history(services: Services, action_id: int | None, number: str | None, page: int) -> Reply:
    action = _find(services, action_id, number)
    if action is None:
        return Reply.with_text(f"There is no action {number or ''} in the current plan.")
    updates = services.plan.history(action.id)
    total = pages(len(updates), HISTORY_PAGE)
    page = min(max(page, 1), total)
    view = HistoryView(
        action=action,
        updates=tuple(updates[(page - 1) * HISTORY_PAGE : page * HISTORY_PAGE]),
        page=page,
        pages=total,
    )
    return Reply.with_card(history_card(view))


def action_history(services: Services, request: Request, intent: Intent) -> Reply:
    """Answer "history 1.18" with every update, newest first."""
    return _history(services, None, intent.number, 1)


def action_history_button(services: Services, request: Request) -> Reply:
    """The "History" / "Older" / "Newer" buttons."""
    action_id = request.data.get("actionId")
    page = request.data.get("page", 1)
    if not isinstance(action_id, int) or not isinstance(page, int):
        return Reply(error="That button's data could not be read.")
    return _history(services, action_id, None, page)
