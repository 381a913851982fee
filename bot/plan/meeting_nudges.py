"""Who gets an overdue note when a Teams meeting starts or they join it (pure rules).

A person present in the meeting is nudged when they own (are an active member or chair of an
owning body of) at least one action that is overdue today, they have not said "stop meeting
nudges", and they have not been nudged in this meeting already.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from datetime import date

from bot.plan import rules
from bot.plan.types import ActionRecord, PersonRecord

MAX_LISTED = 5


@dataclass(frozen=True)
class Nudge:
    """One note to one person: their overdue actions, most overdue first."""

    person: PersonRecord
    actions: tuple[ActionRecord, ...]

    @property
    def numbers(self) -> tuple[str, ...]:
        """The overdue actions' numbers, most overdue first."""
        return tuple(action.number for action in self.actions)


def owned_overdue(
    person: PersonRecord, actions: Iterable[ActionRecord], today: date
) -> tuple[ActionRecord, ...]:
    """The person's bodies' overdue actions, most overdue first (active memberships only)."""
    bodies = {key for key, _role in person.memberships}
    owned = [a for a in actions if bodies & {owner.key for owner in a.owners}]
    return tuple(rules.overdue_first(owned, today))


def who_to_nudge(
    present: Sequence[PersonRecord],
    actions: Sequence[ActionRecord],
    today: date,
    *,
    opted_out: Collection[int],
    already: Collection[int] = (),
) -> list[Nudge]:
    """The notes to send, one per present person who is due one (in the order given).

    Args:
        present: people known to the bot who are in the meeting (each once).
        actions: the current plan's actions.
        today: the London date.
        opted_out: person ids who said "stop meeting nudges".
        already: person ids nudged in this meeting already.
    """
    nudges: list[Nudge] = []
    seen: set[int] = set()
    for person in present:
        if person.id in seen or person.id in opted_out or person.id in already:
            continue
        seen.add(person.id)
        overdue = owned_overdue(person, actions, today)
        if overdue:
            nudges.append(Nudge(person, overdue))
    return nudges
