"""Lists of actions: overdue, due in a period, my actions, actions by body/section/topic.

Each list is one route (:func:`overdue`, :func:`due`, :func:`my_actions`, :func:`actions`): a
pure selector picks and orders the actions and words the title; one rendering helper
(:func:`_list_reply`) does the rest.

Paging buttons carry the question in compact form (:func:`query_of`), so "Show more" works the
question out again from the database: a page is never stale.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from bot.handlers.bodies import chooser_reply
from bot.handlers.common import BadQuery, item_for, pages, person_of
from bot.handlers.understood import did_you_mean, overseen_by, oversight_label
from bot.plan import rules
from bot.plan.labels import day_label
from bot.plan.selection import due_in, rank
from bot.plan.statuses import NO_UPDATE, STATUSES
from bot.plan.types import ActionRecord, PersonRecord, PlanNotFound
from bot.privacy import implicitly_me, wants_me
from bot.services import Services
from bot.timephrases import Window
from bot.turns import Reply, Request
from bot.understand import Intent
from cards.actions import action_list_card
from cards.answers import did_you_mean_body_card
from cards.views import ActionListView

LIST_INTENTS = ("overdue", "due", "my_actions", "actions", "search")
DEFAULT_DUE_DAYS = 30


@dataclass(frozen=True)
class Scope:
    """Whose actions: some bodies (None: the whole plan), and how to name them."""

    body_keys: tuple[str, ...] | None
    label: str
    needs_bodies: bool = False


def query_of(intent: Intent) -> dict[str, Any]:
    """The compact form of a list question, for paging buttons."""
    q: dict[str, Any] = {"i": intent.name}
    if intent.bodies:
        q["b"] = list(intent.bodies)
    if intent.me:
        q["me"] = 1
    if intent.everyone:
        q["all"] = 1
    if intent.theme is not None:
        q["t"] = intent.theme
    if intent.section:
        q["s"] = intent.section
    if intent.words:
        q["w"] = list(intent.words)
    if intent.numbers:
        q["n"] = list(intent.numbers)
    if intent.window is not None:
        q["win"] = [
            intent.window.start.isoformat() if intent.window.start else None,
            intent.window.end.isoformat() if intent.window.end else None,
            intent.window.label,
        ]
    if intent.as_of is not None:
        q["asof"] = intent.as_of.isoformat()
    if intent.status is not None:
        q["st"] = intent.status
    return q


def _strings(value: Any, what: str) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) and len(v) < 200 for v in value):
        raise BadQuery(f"{what} must be a list of short strings")
    return tuple(value[:50])


def _day(value: Any) -> date | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise BadQuery("dates must be text")
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        raise BadQuery(f"{value!r} is not a date") from exc


def intent_of(q: Any) -> Intent:
    """Read a paging button's question back, checking every field.

    Raises:
        BadQuery: when the data is not a well-formed list question.
    """
    if not isinstance(q, dict) or q.get("i") not in LIST_INTENTS:
        raise BadQuery("not a list question")
    window = None
    if "win" in q:
        win = q["win"]
        if not isinstance(win, list) or len(win) != 3 or not isinstance(win[2], str):
            raise BadQuery("bad window")
        window = Window(_day(win[0]), _day(win[1]), win[2][:100])
    theme = q.get("t")
    if theme is not None and (not isinstance(theme, int) or not 0 < theme < 100):
        raise BadQuery("bad theme")
    section = q.get("s")
    if section is not None and (not isinstance(section, str) or len(section) > 200):
        raise BadQuery("bad section")
    status = q.get("st")
    if status is not None and status not in (*STATUSES, NO_UPDATE):
        raise BadQuery("bad status")
    return Intent(
        name=q["i"],
        bodies=_strings(q.get("b", []), "bodies"),
        me=bool(q.get("me")),
        everyone=bool(q.get("all")),
        theme=theme,
        section=section,
        words=_strings(q.get("w", []), "words"),
        numbers=_strings(q.get("n", []), "numbers"),
        window=window,
        as_of=_day(q.get("asof")),
        status=status,
    )


def scope_of(
    intent: Intent,
    person: PersonRecord | None,
    labels: dict[str, str],
    overseers: tuple[str, ...] = (),
    oversight: str = "",
) -> Scope:
    """Which bodies the question is about: named ones, the person's own, or the whole plan.

    ``overseers``: the person's bodies that scrutinise or run the whole plan (the Scrutiny Sub
    Panel, the NCCSP and its team): their "me" is the whole plan, named as such (``oversight``).
    """
    if intent.bodies:
        return Scope(intent.bodies, ", ".join(labels.get(k, k) for k in intent.bodies))
    mine = person.body_keys if person else ()
    if wants_me(intent) or (implicitly_me(intent) and mine):
        if not mine:
            return Scope(None, "you", needs_bodies=True)
        if overseers:
            return Scope(None, oversight)
        return Scope(mine, "you (" + ", ".join(labels.get(k, k) for k in mine) + ")")
    return Scope(None, "the whole plan")


Selection = tuple[list[ActionRecord], tuple[str, str, str]]


def _overdue(intent: Intent, scope: Scope, records: list[ActionRecord], today: date) -> Selection:
    """Past the deadline and not complete, most overdue first."""
    chosen = rules.overdue_first(records, today)
    as_of, plural = day_label(today), _plural(len(chosen))
    return chosen, (
        f"Overdue: {_subject(intent, scope)}",
        f"{len(chosen)} {plural} past the deadline and not complete, as of {as_of}. "
        "Most overdue first.",
        f"Nothing is overdue for {_subject(intent, scope)} as of {as_of}.",
    )


def _due(intent: Intent, scope: Scope, records: list[ActionRecord], today: date) -> Selection:
    """Open actions with a deadline in the window (default: the next 30 days), soonest first."""
    window = intent.window or Window(
        today, today + timedelta(days=DEFAULT_DUE_DAYS), f"in the next {DEFAULT_DUE_DAYS} days"
    )
    chosen = due_in(records, window, today)
    plural = _plural(len(chosen))
    if window.end is not None and window.end < today:
        plural = f"{plural} (complete or not)"
    else:
        plural = f"open {plural}"
    return chosen, (
        f"Due {window.label}: {_subject(intent, scope)}",
        f"{len(chosen)} {plural} with a deadline {window.label} "
        f"({_window_text(window)}), as of {day_label(today)}.",
        f"Nothing open is due {window.label} for {_subject(intent, scope)}.",
    )


def _search(intent: Intent, scope: Scope, records: list[ActionRecord], today: date) -> Selection:
    """The actions that match a topic, best first (already ranked)."""
    subject = _subject(intent, scope)
    return records, (
        f"Actions about {subject}",
        f"{len(records)} {_plural(len(records))} match, best first, as of {day_label(today)}.",
        f"No action in the plan mentions {subject}.",
    )


def _every(intent: Intent, scope: Scope, records: list[ActionRecord], today: date) -> Selection:
    """Every action in scope, in number order."""
    subject = _subject(intent, scope)
    return records, (
        f"Actions: {subject}",
        f"{len(records)} {_plural(len(records))}, as of {day_label(today)}.",
        f"No actions found for {subject}.",
    )


def _plural(count: int) -> str:
    return "action" if count == 1 else "actions"


def _window_text(window: Window) -> str:
    start = day_label(window.start) if window.start else "any time"
    end = day_label(window.end) if window.end else "later"
    return f"{start} to {end}"


def _subject(intent: Intent, scope: Scope) -> str:
    parts = []
    if intent.section:
        parts.append(intent.section)
    if intent.theme is not None:
        parts.append(f"theme {intent.theme}")
    if intent.words:
        parts.append("“" + " ".join(intent.words) + "”")
    if intent.numbers:
        parts.append(", ".join(intent.numbers))
    if scope.body_keys is not None or not parts:
        parts.append(scope.label)
    if intent.status is not None:
        parts.append(intent.status.lower())
    return " · ".join(parts)


Selector = Callable[[Intent, Scope, list[ActionRecord], date], Selection]


def _list_reply(
    services: Services, request: Request, intent: Intent, select: Selector, page: int
) -> Reply:
    """The rendering every list shares: scope, read, select, one page as a card."""
    today = intent.as_of or request.today
    person = person_of(request)
    vocabulary = services.vocabulary()
    if intent.unknown_name and not intent.bodies:
        # Never widen silently: an unknown name gets "did you mean", not the whole plan.
        return Reply.with_card(did_you_mean_body_card(did_you_mean(intent, vocabulary)))
    mine = person.body_keys if person else ()
    overseers = overseen_by(tuple(mine), vocabulary)
    scope = scope_of(
        intent,
        person,
        vocabulary.labels(),
        overseers,
        oversight_label(overseers, vocabulary),
    )
    if scope.needs_bodies:
        return chooser_reply(
            services,
            person,
            message="Tell me which bodies you work for first; "
            "then ask again and I will answer about them.",
        )
    try:
        records = services.plan.actions_for(
            scope.body_keys,
            as_of=intent.as_of,  # "as of 1 March 2022": the updates posted by then
            plan_key=intent.plan,
            numbers=intent.numbers or None,
            theme=intent.theme,
            section=intent.section,
        )
        if (
            not records
            and intent.bodies
            and overseen_by(intent.bodies, vocabulary) == intent.bodies
        ):
            # A body that oversees the plan and owns none of it: the plan it oversees.
            scope = Scope(None, oversight_label(intent.bodies, vocabulary))
            records = services.plan.actions_for(
                None,
                as_of=intent.as_of,
                plan_key=intent.plan,
                theme=intent.theme,
                section=intent.section,
            )
    except PlanNotFound as exc:
        return Reply.with_text(f"I have no such plan to look in ({exc}).")
    why: dict[str, tuple[str, ...]] = {}
    unmatched: list[str] = []
    if intent.words:
        # Topic words never filter on their own: they rank, and the relevant ones are kept.
        index = services.search_index(intent.plan)
        ranked = rank(records, intent.words, index)
        records, why = list(ranked.actions), ranked.why
        unmatched = index.unmatched(intent.words)
    if intent.status is not None:  # "which actions are complete?"
        records = [a for a in records if rules.current_status(a) == intent.status]
    chosen, texts = select(intent, scope, records, today)
    if unmatched:
        title, summary, empty = texts
        missing = ", ".join(f"“{w}”" for w in unmatched)
        texts = (title, f"{summary} No action mentions {missing}.", empty)
    hint = ""
    if person is not None and not person.body_keys and scope.body_keys is None:
        hint = "Tip: tell me which bodies you work for, then ask “what's overdue for me?”."
    view = _page_view(services, intent, chosen, texts, today, page, hint, why)
    return Reply.with_card(services.cards.draw(action_list_card, view))


def _page_view(
    services: Services,
    intent: Intent,
    chosen: list[ActionRecord],
    texts: tuple[str, str, str],
    today: date,
    page: int,
    hint: str,
    why: dict[str, tuple[str, ...]] | None = None,
) -> ActionListView:
    """One page of the chosen actions, labelled for ``today``, with the question for paging."""
    title, summary, empty = texts
    size = services.settings.page_size
    total_pages = pages(len(chosen), size)
    page = min(max(page, 1), total_pages)
    interval = services.settings.reporting_interval_days
    return ActionListView(
        title=title,
        summary=summary,
        items=tuple(
            item_for(a, today, interval, "; ".join((why or {}).get(a.number, ())))
            for a in chosen[(page - 1) * size : page * size]
        ),
        page=page,
        pages=total_pages,
        total=len(chosen),
        query=query_of(intent),
        empty_text=empty,
        hint=hint,
        show_choose_bodies=bool(hint),
    )


SELECTORS: dict[str, Selector] = {
    "overdue": _overdue,
    "due": _due,
    "my_actions": _every,
    "actions": _every,
    "search": _search,
}


def overdue(services: Services, request: Request, intent: Intent, page: int = 1) -> Reply:
    """Answer "what's overdue (for me / for OPCCN)?": most overdue first."""
    return _list_reply(services, request, intent, _overdue, page)


def due(services: Services, request: Request, intent: Intent, page: int = 1) -> Reply:
    """Answer "what's due next month for DASVG?": open actions by deadline."""
    return _list_reply(services, request, intent, _due, page)


def my_actions(services: Services, request: Request, intent: Intent, page: int = 1) -> Reply:
    """Answer "my actions": every action of the sender's bodies, flagged."""
    return _list_reply(services, request, intent, _every, page)


def actions(services: Services, request: Request, intent: Intent, page: int = 1) -> Reply:
    """Answer "actions about fraud", "actions theme 2", "actions OPCCN"."""
    return _list_reply(services, request, intent, _every, page)


def search(services: Services, request: Request, intent: Intent, page: int = 1) -> Reply:
    """Answer a topic ("anything on call blockers?"): the plan ranked, each match says why."""
    return _list_reply(services, request, intent, _search, page)


def next_page(services: Services, request: Request) -> Reply:
    """The paging buttons: the question carried by the card, worked out again."""
    try:
        intent = intent_of(request.data.get("q"))
        page = request.data.get("page", 1)
        if not isinstance(page, int) or not 0 < page < 10_000:
            raise BadQuery("bad page number")
    except BadQuery as exc:
        return Reply(
            messages=[],
            error=f"That button's data could not be read ({exc}). Ask the question again.",
        )
    return _list_reply(services, request, intent, SELECTORS[intent.name], page)
