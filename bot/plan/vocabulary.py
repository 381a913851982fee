"""What the bot knows names for: bodies, the current plan's sections, and other plans."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

from bot.plan.body_names import BodyIndex
from bot.plan.knowledge import Knowledge

_YEARS_RE = re.compile(r"\b(20\d\d)\s*[-–]\s*(?:20)?(\d\d)\b")


def plan_years(
    key: str, title: str, starts: date | None, ends: date | None
) -> tuple[str, str, str] | None:
    """A plan's years as people name it ("2018", "21"), from its title, else its period."""
    found = _YEARS_RE.search(title)
    if found:
        return found[1], found[2], key
    if starts and ends:
        return str(starts.year), f"{ends.year % 100:02d}", key
    return None


@dataclass(frozen=True)
class Vocabulary:
    """The names ``bot.understand`` recognises in text (read by the plan store).

    Attributes:
        bodies: every body's names.
        sections: the current plan's section titles.
        previous_plan_key: the plan "the previous plan" means.
        knowledge: chairs, remits, oversight and the glossary from the partnership data.
        plan_words: the words the current plan uses (lower case, stemmed), to tell a topic
            from a name the bot does not know.
        outcomes: the numbers of the current plan's outcomes.
    """

    bodies: BodyIndex
    sections: tuple[str, ...] = ()
    previous_plan_key: str | None = None
    knowledge: Knowledge = field(default_factory=Knowledge)
    plan_words: frozenset[str] = frozenset()
    outcomes: tuple[int, ...] = ()
    # Issue 16: earlier plans by their years, ("2018", "21", key), so that "the 2021-24 plan"
    # still answers once a next plan is current.
    plans: tuple[tuple[str, str, str], ...] = ()

    def label(self, body_key: str) -> str:
        """The short name people know a body by (abbreviation, else name; else the key)."""
        body = self.bodies.by_key.get(body_key)
        return (body.abbreviation or body.name) if body else body_key

    def labels(self) -> dict[str, str]:
        """Every body's short name, by key."""
        return {b.key: b.ref.label for b in self.bodies.bodies}
