"""What the bot knows names for: bodies, the current plan's sections, and other plans."""

from __future__ import annotations

from dataclasses import dataclass

from bot.plan.body_names import BodyIndex


@dataclass(frozen=True)
class Vocabulary:
    """The names ``bot.understand`` recognises in text (read by the plan store)."""

    bodies: BodyIndex
    sections: tuple[str, ...] = ()
    previous_plan_key: str | None = None

    def label(self, body_key: str) -> str:
        """The short name people know a body by (abbreviation, else name; else the key)."""
        body = self.bodies.by_key.get(body_key)
        return (body.abbreviation or body.name) if body else body_key

    def labels(self) -> dict[str, str]:
        """Every body's short name, by key."""
        return {b.key: b.ref.label for b in self.bodies.bodies}
