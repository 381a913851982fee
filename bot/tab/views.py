"""What the tab's pages show, worked out from the chat answers' own queries and rules.

"My actions" is the ``my actions`` answer (the person's bodies, ``storage.plan_queries.actions``
and ``bot.plan.rules``); the dashboard's figures are the status card's
(``bot.handlers.status.status_view``), with the same records grouped by theme, and the update
history replayed by the same rules (``bot.tab.trend``). Nothing here is a second source.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime

from bot.clock import LONDON, london_today
from bot.handlers.common import item_for
from bot.handlers.status import since_last_meeting, status_view
from bot.handlers.status_scope import StatusScope
from bot.handlers.updates import allowed
from bot.plan import rules
from bot.plan.labels import day_label
from bot.plan.statuses import NO_UPDATE, STATUSES
from bot.plan.types import ActionRecord, BodyRef, PlanRecord
from bot.services import Services
from bot.tab import charts, trend
from bot.tab.history_cache import HistoryCache
from bot.turns import Request
from cards.views import ActionItem, StatusView
from storage.update_history import HistoryVersion

PAGE_SIZE = 25
MY_PAGE_SIZE = 20  # each of my actions carries its update form
OVERDUE = "overdue"  # the status filter's "overdue, whatever the status"
MAX_ASKED = 20  # an asked action number is shown back at most this long
ACTION_NUMBER = re.compile(r"^\d{1,2}\.\d{1,3}[a-z]?$", re.IGNORECASE)


def when_label(instant: datetime) -> str:
    """An instant as people read it, London time: 4 Dec 2026 09:30."""
    return instant.astimezone(LONDON).strftime("%d %b %Y %H:%M").lstrip("0")


def _labels(services: Services) -> dict[str, str]:
    return {b.key: b.ref.label for b in services.vocabulary().bodies.bodies}


# --- My actions ---------------------------------------------------------------------------


@dataclass(frozen=True)
class MyItem:
    """One of my actions: the list item, whether it is overdue and whether I may update it."""

    item: ActionItem
    overdue: bool
    may_update: bool

    @property
    def action(self) -> ActionRecord:
        """The action itself."""
        return self.item.action


@dataclass(frozen=True)
class MyActionsView:
    """The personal tab: one page of my actions, and how many there are in all."""

    who: str
    bodies: str
    items: tuple[MyItem, ...]
    overdue: int
    today: date
    needs_bodies: bool = False
    total: int = 0
    page: int = 1
    pages: int = 1


def my_actions_view(services: Services, request: Request, page: int = 1) -> MyActionsView:
    """The actions of the person's bodies, as "my actions" answers in chat (a page of them)."""
    today = request.today
    keys = tuple(dict.fromkeys(key for key, _ in request.memberships))
    labels = _labels(services)
    who = request.sender.name or request.sender.email or "you"
    if not keys:
        return MyActionsView(who, "", (), 0, today, needs_bodies=True)
    records = services.plan.actions_for(keys)
    late = rules.overdue_first(records, today)
    chosen = {a.id for a in late}
    ordered = late + [a for a in records if a.id not in chosen]
    pages = max(1, -(-len(ordered) // MY_PAGE_SIZE))
    page = min(max(page, 1), pages)
    interval = services.settings.reporting_interval_days
    items = tuple(
        MyItem(item_for(a, today, interval), a.id in chosen, allowed(request, a))
        for a in ordered[(page - 1) * MY_PAGE_SIZE : page * MY_PAGE_SIZE]
    )
    bodies = ", ".join(labels.get(k, k) for k in keys)
    return MyActionsView(
        who, bodies, items, len(late), today, total=len(ordered), page=page, pages=pages
    )


# --- the dashboard ------------------------------------------------------------------------


@dataclass(frozen=True)
class Filters:
    """The table's filters, as chosen (already checked against what exists)."""

    theme: int | None = None
    section: str | None = None
    owner: str | None = None
    status: str | None = None
    page: int = 1

    def query(self, **changes: object) -> dict[str, str]:
        """The filters as query parameters (for links to other pages of the table)."""
        values: dict[str, object] = {
            "theme": self.theme,
            "section": self.section,
            "owner": self.owner,
            "status": self.status,
            "page": self.page,
        }
        values.update(changes)
        if values["page"] == 1:
            del values["page"]
        return {k: str(v) for k, v in values.items() if v is not None and v != ""}


@dataclass(frozen=True)
class ThemeRow:
    """A theme's counts by status."""

    number: int
    title: str
    counts: dict[str, int]
    total: int
    overdue: int


@dataclass(frozen=True)
class PickedAction:
    """The action an address such as ``/tab/plan?action=1.18`` picks out, or why it is not shown.

    ``asked`` is the number as asked (trimmed and shortened, for the "not in the plan" note);
    ``item`` is None when the action is not among the dashboard's; ``row_shown`` says that its
    row is on the table page shown; ``elsewhere`` that the plan has it, outside this scope.
    """

    asked: str
    item: ActionItem | None = None
    row_shown: bool = False
    elsewhere: bool = False


@dataclass(frozen=True)
class Dashboard:
    """The channel / meeting tab for a body or the whole plan."""

    status: StatusView
    scope_label: str
    body_keys: tuple[str, ...] | None
    themes: tuple[ThemeRow, ...]
    bars: charts.BarChart
    line: charts.LineChart
    changes: tuple[trend.Change, ...]
    since_label: str
    rows: tuple[ActionItem, ...]
    matching: int
    pages: int
    filters: Filters
    theme_options: tuple[tuple[int, str], ...]
    section_options: tuple[str, ...]
    owner_options: tuple[BodyRef, ...]
    status_options: tuple[str, ...] = field(default=(*STATUSES, NO_UPDATE))
    today: date | None = None
    picked: PickedAction | None = None


def _theme_rows(records: list[ActionRecord], today: date) -> tuple[ThemeRow, ...]:
    grouped: dict[tuple[int, str], list[ActionRecord]] = defaultdict(list)
    for a in records:
        grouped[(a.theme_number, a.theme_title)].append(a)
    return tuple(
        ThemeRow(
            number,
            title,
            rules.status_counts(found),
            len(found),
            sum(1 for a in found if rules.is_overdue(a, today)),
        )
        for (number, title), found in sorted(grouped.items())
    )


def _matches(a: ActionRecord, f: Filters, today: date) -> bool:
    if f.theme is not None and a.theme_number != f.theme:
        return False
    if f.section is not None and a.section_title != f.section:
        return False
    if f.owner is not None and all(o.key != f.owner for o in a.owners):
        return False
    if f.status == OVERDUE:
        return rules.is_overdue(a, today)
    return f.status is None or rules.current_status(a) == f.status


def checked_filters(
    raw: Mapping[str, str], records: list[ActionRecord], sections: list[str]
) -> Filters:
    """The filters asked for, each kept only when it names something that exists."""
    theme = raw.get("theme", "")
    themes = {a.theme_number for a in records}
    chosen_theme = int(theme) if theme.isdigit() and int(theme) in themes else None
    section = raw.get("section") or None
    owner = raw.get("owner") or None
    owners = {o.key for a in records for o in a.owners}
    status = raw.get("status") or None
    page = raw.get("page", "1")
    return Filters(
        theme=chosen_theme,
        section=section if section in sections else None,
        owner=owner if owner in owners else None,
        status=status if status in (*STATUSES, NO_UPDATE, OVERDUE) else None,
        page=int(page) if page.isdigit() and 0 < int(page) < 100_000 else 1,
    )


def _asked_action(raw: Mapping[str, str]) -> str:
    """The action number the address asks for (``action=``), trimmed; "" when none."""
    asked = raw.get("action", "").strip()
    return asked if len(asked) <= MAX_ASKED else asked[: MAX_ASKED - 1] + "…"


def _find(asked: str, records: list[ActionRecord]) -> ActionRecord | None:
    wanted = asked.lower()
    return next((a for a in records if a.number.lower() == wanted), None)


def _page_of(action: ActionRecord | None, chosen: list[ActionRecord]) -> int | None:
    """The table page that shows ``action`` (None: no action, or the filters hide it)."""
    ids = [a.id for a in chosen]
    if action is None or action.id not in ids:
        return None
    return ids.index(action.id) // PAGE_SIZE + 1


def _picked(
    services: Services, asked: str, found: ActionRecord | None, today: date, row_shown: bool
) -> PickedAction | None:
    """What the page says about the asked action (None: none was asked for)."""
    if not asked:
        return None
    if found is not None:
        interval = services.settings.reporting_interval_days
        return PickedAction(asked, item_for(found, today, interval), row_shown=row_shown)
    elsewhere = ACTION_NUMBER.match(asked) is not None and services.plan.action(asked) is not None
    return PickedAction(asked, elsewhere=elsewhere)


def overdue_over_time(
    cache: HistoryCache,
    plan: PlanRecord,
    records: list[ActionRecord],
    scope: tuple[str, ...] | None,
    today: date,
) -> tuple[HistoryVersion, list[trend.Timeline], list[tuple[date, int]]]:
    """The history's version, the actions' timelines and the overdue count on sample days.

    Past days come from the cache (they cannot change within a plan revision); today's
    count is the rules' own over the current records.
    """
    version = cache.history(plan.key)
    lines = cache.timelines(records)
    start = plan.starts or min((a.deadline for a in records if a.deadline), default=today)
    days = trend.sample_days(min(start, today), today)
    past = cache.past_series(
        version, scope, days[:-1], lambda chosen: trend.overdue_series(lines, chosen)
    )
    today_count = sum(1 for a in records if rules.is_overdue(a, today))
    return version, lines, [*past, (today, today_count)]


def warm(services: Services, cache: HistoryCache) -> None:
    """Work out the whole plan's history ahead of the first page that needs it."""
    plan = services.plan.plan()
    today = london_today(services.clock.now())
    records = services.plan.actions_for(None, plan_key=plan.key)
    overdue_over_time(cache, plan, records, None, today)


def dashboard(
    services: Services,
    request: Request,
    cache: HistoryCache,
    body_keys: tuple[str, ...] | None,
    raw_filters: Mapping[str, str],
    as_of: date | None = None,
) -> Dashboard:
    """Everything the dashboard shows for some bodies (None: the whole plan).

    ``raw_filters`` is the page's query: the table's filters and page, and ``action``, an
    action to pick out (the table opens at its page unless a page is asked for).

    Raises:
        PlanNotFound: when no plan is current.
    """
    scope = StatusScope(body_keys=body_keys, as_of=as_of)
    status = status_view(services, request, scope)
    today = as_of or request.today
    labels = _labels(services)
    plan = services.plan.plan()
    records = services.plan.actions_for(body_keys, as_of=as_of, plan_key=plan.key)
    themes = _theme_rows(records, today)
    bars = charts.status_bars([(f"Theme {t.number}: {t.title}", t.counts) for t in themes])
    version, lines, series = overdue_over_time(cache, plan, records, body_keys, today)
    since, since_label = since_last_meeting(services, scope, today, labels)
    changes = cache.changes(
        version,
        (body_keys, since, today),
        lambda: trend.changes_since(lines, {a.id: a for a in records}, since, today),
    )
    sections = [title for t in plan.themes for title in t.sections]
    filters = checked_filters(raw_filters, records, sections)
    chosen = [a for a in records if _matches(a, filters, today)]  # the plan's order
    pages = max(1, -(-len(chosen) // PAGE_SIZE))
    asked = _asked_action(raw_filters)
    found = _find(asked, records) if asked else None
    at = _page_of(found, chosen)
    page = at if at is not None and "page" not in raw_filters else min(filters.page, pages)
    interval = services.settings.reporting_interval_days
    shown = chosen[(page - 1) * PAGE_SIZE : page * PAGE_SIZE]
    picked = _picked(services, asked, found, today, row_shown=at == page)
    owners = {o.key: o for a in records for o in a.owners}
    scope_label = ", ".join(labels.get(k, k) for k in body_keys) if body_keys else "the whole plan"
    return Dashboard(
        status=status,
        scope_label=scope_label,
        body_keys=body_keys,
        themes=themes,
        bars=bars,
        line=charts.overdue_line(series, day_label),
        changes=tuple(changes),
        since_label=since_label,
        rows=tuple(item_for(a, today, interval) for a in shown),
        matching=len(chosen),
        pages=pages,
        filters=Filters(filters.theme, filters.section, filters.owner, filters.status, page),
        theme_options=tuple((t.number, t.title) for t in plan.themes),
        section_options=tuple(
            title for t in plan.themes if filters.theme in (None, t.number) for title in t.sections
        ),
        owner_options=tuple(sorted(owners.values(), key=lambda b: b.label.lower())),
        today=today,
        picked=picked,
    )
