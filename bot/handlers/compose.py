"""The compose-box search (a Teams message extension): find actions, insert an action's card.

Search by number ("1.18"), words ("county lines"), owner ("OPCCN") or status ("off track",
"overdue"), or any mix ("OPCCN at risk"); an empty box shows the sender's own actions, as
"my actions" does. Words rank with the plan search (``bot.plan.search``), as in the chat.
"""

from __future__ import annotations

import re
from datetime import date

from bot.handlers.common import person_of
from bot.handlers.plan import detail_card
from bot.plan import rules
from bot.plan.labels import deadline_label
from bot.plan.selection import rank
from bot.plan.statuses import STATUS_WORDS
from bot.plan.types import ActionRecord, PlanNotFound
from bot.services import Services
from bot.turns import Request, SearchResult, SearchResults
from bot.understand import understand
from cards.base import shorten

MAX_RESULTS = 25
SHORT_TEXT = 120
NO_BODIES = (
    "Type an action number, words, an owner or a status. (Tell me which bodies you work for "
    "in a chat with me, and this list will show your actions.)"
)
_STATUS = re.compile(
    r"\b(" + "|".join(sorted(map(re.escape, STATUS_WORDS), key=len, reverse=True)) + r")\b"
)
_OVERDUE = re.compile(r"\boverdue\b")


def read_query(query: str) -> tuple[str, str | None, bool]:
    """Split a search into (the rest, a status named, "overdue" named)."""
    rest = " ".join(query.lower().split())
    status = None
    found = _STATUS.search(rest)
    if found:
        status = STATUS_WORDS[found.group(1)]
        rest = _STATUS.sub(" ", rest, count=1)
    overdue = bool(_OVERDUE.search(rest))
    rest = " ".join(_OVERDUE.sub(" ", rest).split())
    return rest, status, overdue


def search_actions(services: Services, request: Request) -> SearchResults:
    """``composeExtension/query``: the actions that match what was typed, best first."""
    today = request.today
    rest, status, overdue = read_query(request.text)
    if not rest and status is None and not overdue:
        person = person_of(request)
        mine = person.body_keys if person else ()
        if not mine:
            return SearchResults(message=NO_BODIES)
        records = services.plan.actions_for(mine)
    else:
        try:
            records = _matching(services, rest, today)
        except PlanNotFound as exc:
            return SearchResults(message=f"There is no plan to search ({exc}).")
    if status is not None:
        records = [a for a in records if rules.current_status(a) == status]
    if overdue:
        records = rules.overdue_first(records, today)
    if not records:
        return SearchResults(message=f"No action matches “{request.text.strip()}”.")
    return SearchResults(tuple(result_for(services, a, today) for a in records[:MAX_RESULTS]))


def _matching(services: Services, rest: str, today: date) -> list[ActionRecord]:
    if not rest:
        return services.plan.actions_for(None)
    intent = understand(rest, services.vocabulary(), today)
    numbers = intent.numbers or ((intent.number,) if intent.number else ())
    records = services.plan.actions_for(
        intent.bodies or None,
        numbers=numbers or None,
        theme=intent.theme,
        section=intent.section,
    )
    if intent.words and not numbers:
        records = list(rank(records, intent.words, services.search_index()).actions)
    return records


def result_for(services: Services, action: ActionRecord, today: date) -> SearchResult:
    """One result: "1.18 · Off track", owner and deadline, the start of the text; its card.

    The card goes into a conversation, so it is live (refreshes to current figures for each
    person who opens it, with "Post update" for those who may).
    """
    return SearchResult(
        title=f"{action.number} · {rules.current_status(action)}",
        subtitle=f"{action.owner_labels or action.owner_text} · {deadline_label(action)}",
        text=shorten(action.text, SHORT_TEXT),
        card=detail_card(services, action, today, live=True, viewer_known=False),
    )
