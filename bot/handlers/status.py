"""The status card: "status", "status DASVG", "status theme 3"; its refresh and "Show all".

Scope of a bare "status": the bodies the conversation is linked to, else the whole current
plan. "Since the last meeting" is since the last meeting of the scope's bodies before today
(the NCCSP's meetings for the whole plan, a theme or a section); when those bodies have no
meetings on record it is the last :data:`FALLBACK_DAYS` days.
"""

from __future__ import annotations

import logging
from datetime import date, datetime, timedelta

from bot.clock import LONDON, as_of_problem, london_day_end, london_day_start
from bot.handlers import lists
from bot.handlers.common import BadQuery, item_for
from bot.handlers.status_scope import StatusScope, scope_for, scope_from
from bot.handlers.understood import did_you_mean
from bot.plan import rules
from bot.plan.calendar import cadences_without_dates, last_meeting, next_meeting, when_text
from bot.plan.labels import day_label
from bot.plan.period import PlanPeriod, period_line
from bot.plan.scrutiny import ScrutinyItem, due_label, for_meeting, status_text
from bot.plan.types import ActionRecord, PlanNotFound
from bot.services import Services
from bot.turns import Reply, Request
from bot.understand import Intent
from cards.answers import did_you_mean_body_card
from cards.base import shorten
from cards.status import status_card
from cards.views import PostedUpdate, StatusView

log = logging.getLogger(__name__)

OVERDUE_SHOWN = 5
UPDATES_SHOWN = 8
FALLBACK_DAYS = 90
REQUESTS_SHOWN = 6
REQUEST_TEXT_LIMIT = 160
PARTNERSHIP = "NCCSP"


def _title(scope: StatusScope, records: list[ActionRecord], labels: dict[str, str]) -> str:
    parts = []
    if scope.body_keys is not None:
        parts.append(", ".join(labels.get(k, k) for k in scope.body_keys))
    if scope.section is not None:
        parts.append(scope.section)
    if scope.theme is not None:
        theme_title = next((a.theme_title for a in records), "")
        parts.append(f"theme {scope.theme}" + (f", {theme_title}" if theme_title else ""))
    return "Status: " + (" · ".join(parts) or "the whole plan")


def since_last_meeting(
    services: Services, scope: StatusScope, today: date, labels: dict[str, str]
) -> tuple[datetime, str]:
    """Since when updates count as new, and how to say it.

    The last meeting on record before ``today`` however long ago (so a meeting in progress
    looks back to the one before) of the scope's bodies, or of the NCCSP for the whole plan;
    else, when none is on record at all, the last 90 days.
    """
    keys = scope.body_keys or (PARTNERSHIP,)
    try:
        found = last_meeting(services.schedule.meetings(keys), london_day_start(today))
    except ValueError:  # an unreadable stored RRULE must not cost the whole card
        log.warning("could not read the meetings of %s", ", ".join(keys), exc_info=True)
        found = None
    if found is not None:
        when = day_label(found.starts.astimezone(LONDON).date())
        return found.starts, f"since the last {found.series.body_label} meeting ({when})"
    names = ", ".join(labels.get(k, k) for k in keys)
    start = london_day_start(today - timedelta(days=FALLBACK_DAYS))
    return start, f"in the last {FALLBACK_DAYS} days (no {names} meetings on record)"


def _posted(
    services: Services, records: list[ActionRecord], since: datetime, today: date
) -> tuple[int, list[PostedUpdate]]:
    """How many updates were posted since ``since``, and the newest few of them."""
    numbers = {a.id: a.number for a in records}
    total, found = services.plan.posted_between(
        numbers, since, london_day_end(today), limit=UPDATES_SHOWN
    )
    return total, [
        PostedUpdate(
            number=numbers[action_id],
            status=update.status,
            text=update.text,
            author=update.author_name,
            posted=update.created_at.astimezone(LONDON).strftime("%d %b %Y %H:%M").lstrip("0"),
        )
        for action_id, update in found
    ]


def _hint(request: Request, scope: StatusScope, bare: bool) -> str:
    if bare and request.place.is_shared and scope.body_keys is None:
        return (
            f"This {'meeting chat' if request.place.is_meeting else 'chat'} is not linked to a "
            "body, so this is the whole plan. Ask “status DASVG” (or another body) for one body."
        )
    return ""


def _london(instant: datetime) -> str:
    return instant.astimezone(LONDON).strftime("%d %b %Y %H:%M").lstrip("0")


def status_view(
    services: Services, request: Request, scope: StatusScope, hint: str = ""
) -> StatusView:
    """Everything the status card shows, worked out afresh for ``scope``.

    Raises:
        PlanNotFound: when the scope names no plan (or none is current).
    """
    today = scope.as_of or request.today
    labels = services.vocabulary().labels()
    plan = services.plan.plan(scope.plan)
    records = services.plan.actions_for(
        scope.body_keys, as_of=today, plan_key=plan.key, theme=scope.theme, section=scope.section
    )
    overdue = rules.overdue_first(records, today)
    since, since_label = since_last_meeting(services, scope, today, labels)
    posted_total, posted = _posted(services, records, since, today)
    interval = services.settings.reporting_interval_days
    plural = "action" if len(records) == 1 else "actions"
    coming, requests = coming_meeting(services, scope, today)
    period = PlanPeriod(plan.title, plan.starts, plan.ends)
    return StatusView(
        title=_title(scope, records, labels),
        summary=f"{plan.title} · {len(records)} {plural} · as of {day_label(today)}",
        counts=rules.status_counts(records),
        total=len(records),
        overdue=tuple(item_for(a, today, interval) for a in overdue[:OVERDUE_SHOWN]),
        overdue_total=len(overdue),
        since_label=since_label,
        updates=tuple(posted),
        updates_total=posted_total,
        scope=scope.data(),
        made_at=day_label(today) if scope.as_of else _london(request.now),
        hint=hint,
        period=period_line(period, today) if plan.ends else "",
        next_meeting=coming,
        scrutiny=requests,
    )


def _request_line(item: ScrutinyItem, today: date) -> str:
    return (
        f"{item.ref} ({item.owner_label}): {shorten(item.text, REQUEST_TEXT_LIMIT)} "
        f"Due at {due_label(item)}. {status_text(item, today)}."
    )


def coming_meeting(
    services: Services, scope: StatusScope, today: date
) -> tuple[str, tuple[str, ...]]:
    """The scope's next meeting on record (or its cadence), and the open requests it should see.

    A chair asking for the card before the meeting sees what the panel is owed at it. With no
    meeting on record: the scope's bodies' own outstanding requests and those they owe.
    """
    keys = scope.body_keys or (PARTNERSHIP,)
    start = london_day_start(today)
    series = services.schedule.meetings(keys)
    try:
        found = next_meeting(series, start)
    except ValueError:  # an unreadable stored RRULE must not cost the whole card
        found = None
    items = services.plan.scrutiny(open_only=True)
    owed = {i.id for i in services.plan.scrutiny(owner_keys=keys, open_only=True)}
    if found is not None:
        day = found.starts.astimezone(LONDON).date()
        label = f"{found.series.body_label}: {when_text(found)}"
        shown = for_meeting(items, found.series.body_key, day)
    else:
        undated = cadences_without_dates(services.schedule.cadences(keys), series, start)
        label = "; ".join(c.line for c in undated) or "None on record."
        shown = [i for i in items if i.asked_by_key in keys or i.due_body_key in keys]
    shown += [i for i in items if i.id in owed and i not in shown]
    return label, tuple(_request_line(i, today) for i in shown[:REQUESTS_SHOWN])


def _reply(services: Services, request: Request, scope: StatusScope, hint: str = "") -> Reply:
    try:
        view = status_view(services, request, scope, hint)
    except PlanNotFound as exc:
        return Reply.with_text(f"I have no such plan to look in ({exc}).")
    return Reply.with_card(status_card(view))


def status_intent(services: Services, request: Request, intent: Intent) -> Reply:
    """Route table entry for "status" (plan, theme, section, bodies or the linked bodies)."""
    if intent.unknown_name and not intent.bodies:
        # Never widen silently: a body the bot does not know gets "did you mean".
        return Reply.with_card(did_you_mean_body_card(did_you_mean(intent, services.vocabulary())))
    scope = scope_for(services, request, intent)
    bare = not (intent.bodies or intent.theme or intent.section or intent.everyone or intent.me)
    return _reply(services, request, scope, _hint(request, scope, bare))


def _scope_or_error(request: Request) -> StatusScope | Reply:
    try:
        scope = scope_from(request.data.get("scope"))
    except BadQuery as exc:
        return Reply(error=f"That card's data could not be read ({exc}). Ask “status” again.")
    problem = as_of_problem(scope.as_of) if scope.as_of else None
    return Reply.with_text(problem) if problem else scope


def refresh_status(services: Services, request: Request) -> Reply:
    """The card's refresh (on reopening) and its Refresh button: the same card, current data."""
    scope = _scope_or_error(request)
    return scope if isinstance(scope, Reply) else _reply(services, request, scope)


def show_all_overdue(services: Services, request: Request) -> Reply:
    """The "Show all N overdue" button: the scope's full overdue list, most overdue first."""
    scope = _scope_or_error(request)
    if isinstance(scope, Reply):
        return scope
    intent = Intent(
        "overdue",
        bodies=scope.body_keys or (),
        everyone=scope.body_keys is None,
        theme=scope.theme,
        section=scope.section,
        as_of=scope.as_of,
        plan=scope.plan,
    )
    return lists.overdue(services, request, intent)
