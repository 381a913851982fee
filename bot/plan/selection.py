"""Which actions answer a list or topic question: pure, over records already read.

Bodies, section, theme and action numbers narrow the plan; the period and "overdue" pick by
deadline; topic words never filter on their own: they rank the narrowed actions with
:class:`~bot.plan.search.ActionSearch` and keep the relevant ones, each with why it matched.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from bot.plan import rules
from bot.plan.search import ActionSearch, Hit
from bot.plan.types import ActionRecord
from bot.timephrases import Window


@dataclass(frozen=True)
class Selection:
    """The actions chosen, in the order to show them, and why each matched a topic."""

    actions: tuple[ActionRecord, ...]
    why: dict[str, tuple[str, ...]]


def narrow(
    records: Sequence[ActionRecord],
    *,
    body_keys: Sequence[str] | None = None,
    section: str | None = None,
    theme: int | None = None,
    numbers: Sequence[str] = (),
) -> list[ActionRecord]:
    """The records owned by any of ``body_keys``, in the section, theme and numbers given."""
    wanted_bodies = set(body_keys) if body_keys is not None else None
    wanted_numbers = {n.lower() for n in numbers}
    return [
        a
        for a in records
        if (wanted_bodies is None or any(o.key in wanted_bodies for o in a.owners))
        and (section is None or a.section_title.lower() == section.lower())
        and (theme is None or a.theme_number == theme)
        and (not wanted_numbers or a.number.lower() in wanted_numbers)
    ]


def rank(
    records: Sequence[ActionRecord], words: Sequence[str], search: ActionSearch | None
) -> Selection:
    """The records that match the topic, best first (all of them, in plan order, without one)."""
    if not words or search is None:
        return Selection(tuple(records), {})
    allowed = {a.number for a in records}
    hits: list[Hit] = [
        h for h in search.search(words, limit=len(search.actions)) if h.action.number in allowed
    ]
    # The search ranks the whole plan; the relevant ones among those narrowed are kept.
    chosen = {h.action.number: h for h in hits}
    ordered = sorted((a for a in records if a.number in chosen), key=lambda a: -_score(chosen, a))
    return Selection(tuple(ordered), {n: h.why for n, h in chosen.items()})


def _score(chosen: dict[str, Hit], action: ActionRecord) -> float:
    hit = chosen.get(action.number)
    return hit.score if hit is not None else 0.0


def due_in(records: Sequence[ActionRecord], window: Window, today: date) -> list[ActionRecord]:
    """Actions with a deadline in the window, soonest first.

    A window still to come lists open actions (what is left to do); a window wholly past
    ("what was due in March 2022") lists every action due then, complete or not, so the answer
    shows how that period went.
    """
    start, end = window.start or date.min, window.end or date.max
    past = window.end is not None and window.end < today
    chosen = [
        a
        for a in records
        if (
            start <= (rules.effective_deadline(a) or date.max) <= end
            if past
            else rules.due_between(a, start, end)
        )
    ]
    chosen.sort(key=lambda a: (rules.effective_deadline(a) or date.max, rules.number_key(a.number)))
    return chosen


def by_deadline(
    kind: str, records: Sequence[ActionRecord], today: date, window: Window | None
) -> list[ActionRecord]:
    """Overdue ones most overdue first, or those due in the window soonest first."""
    if kind == "overdue":
        return rules.overdue_first(records, today)
    if kind == "due" and window is not None:
        return due_in(records, window, today)
    return list(records)
