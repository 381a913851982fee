"""What a status card covers, and its compact form carried by the card's buttons.

A bare "status" covers the bodies the conversation is linked to, else the
whole current plan; "status DASVG", "status theme 3", "status fraud" narrow it.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from typing import Any

from bot.handlers.common import BadQuery, person_of
from bot.services import Services
from bot.turns import Request
from bot.understand import Intent


@dataclass(frozen=True)
class StatusScope:
    """What a status card covers: some bodies (None: all), a theme, a section, a date."""

    body_keys: tuple[str, ...] | None = None
    theme: int | None = None
    section: str | None = None
    as_of: date | None = None
    plan: str | None = None
    linked: bool = False

    def data(self) -> dict[str, Any]:
        """The compact form carried by the card's refresh and "Show all" actions."""
        out: dict[str, Any] = {}
        if self.body_keys is not None:
            out["b"] = list(self.body_keys)
        for key, value in (("t", self.theme), ("s", self.section), ("k", self.plan)):
            if value is not None:
                out[key] = value
        if self.as_of is not None:
            out["asof"] = self.as_of.isoformat()
        return out


def _text(value: Any, what: str) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str) or not 0 < len(value) <= 200:
        raise BadQuery(f"bad {what}")
    return value


def scope_from(data: Any) -> StatusScope:
    """Read a card's scope back, checking every field.

    Raises:
        BadQuery: when the data is not a well-formed scope.
    """
    if not isinstance(data, dict):
        raise BadQuery("no scope")
    bodies = data.get("b")
    if bodies is not None and (
        not isinstance(bodies, list)
        or not 0 < len(bodies) <= 50
        or not all(isinstance(b, str) and 0 < len(b) <= 64 for b in bodies)
    ):
        raise BadQuery("bad bodies")
    theme = data.get("t")
    if theme is not None and (not isinstance(theme, int) or not 0 < theme < 100):
        raise BadQuery("bad theme")
    as_of = _text(data.get("asof"), "date")
    try:
        day = date.fromisoformat(as_of) if as_of else None
    except ValueError as exc:
        raise BadQuery("bad date") from exc
    return StatusScope(
        body_keys=tuple(bodies) if bodies is not None else None,
        theme=theme,
        section=_text(data.get("s"), "section"),
        as_of=day,
        plan=_text(data.get("k"), "plan"),
    )


def scope_for(services: Services, request: Request, intent: Intent) -> StatusScope:
    """Named bodies; else "me"; else a theme or section or "all"; else the linked bodies."""
    base = StatusScope(
        theme=intent.theme, section=intent.section, as_of=intent.as_of, plan=intent.plan
    )
    if intent.bodies:
        return replace(base, body_keys=intent.bodies)
    person = person_of(request)
    if intent.me and person is not None and person.body_keys:
        return replace(base, body_keys=person.body_keys)
    if intent.theme is None and intent.section is None and not intent.everyone:
        linked = services.schedule.linked_bodies(request.place.conversation_id)
        if linked:
            return replace(base, body_keys=linked, linked=True)
    return base
