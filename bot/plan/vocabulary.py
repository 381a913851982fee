"""What the bot knows names for: bodies, the current plan's sections, and other plans."""

from __future__ import annotations

from dataclasses import dataclass, field

from bot.plan.body_names import BodyIndex
from bot.plan.knowledge import Knowledge


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

    def label(self, body_key: str) -> str:
        """The short name people know a body by (abbreviation, else name; else the key)."""
        body = self.bodies.by_key.get(body_key)
        return (body.abbreviation or body.name) if body else body_key

    def labels(self) -> dict[str, str]:
        """Every body's short name, by key."""
        return {b.key: b.ref.label for b in self.bodies.bodies}
