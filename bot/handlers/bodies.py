"""Who "me" is: the bodies a person works for, chosen on a searchable card."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from bot.handlers.common import actor_of, person_of
from bot.plan.body_names import normalise
from bot.plan.types import BodyInfo, ChoiceResult, PersonRecord
from bot.services import Services
from bot.turns import Reply, Request
from bot.understand import Intent
from cards.bodies import CHOICE_INPUT, SEARCH_INPUT, choose_bodies_card
from cards.views import BodyChoiceView

MAX_SHOWN = 30


def matching_bodies(bodies: tuple[BodyInfo, ...], search: str) -> list[BodyInfo]:
    """Bodies whose key, name, abbreviation or alias contains every searched word."""
    words = normalise(search).split()
    if not words:
        return sorted(bodies, key=lambda b: (b.kind != "organisation", b.name))

    def names(body: BodyInfo) -> str:
        return " ".join(
            normalise(n) for n in (body.key, body.name, body.abbreviation or "", *body.aliases)
        )

    return sorted((b for b in bodies if all(w in names(b) for w in words)), key=lambda b: b.name)


def chooser_reply(
    services: Services,
    person: PersonRecord | None,
    *,
    search: str = "",
    message: str = "",
    selected: tuple[str, ...] | None = None,
) -> Reply:
    """The body chooser card, with the person's bodies ticked."""
    everyone = services.vocabulary().bodies.bodies
    found = matching_bodies(everyone, search)
    chosen = selected if selected is not None else (person.body_keys if person else ())
    shown = found[:MAX_SHOWN]
    view = BodyChoiceView(
        bodies=tuple(shown),
        selected=tuple(chosen),
        search=search,
        message=message,
        total_matches=len(found),
    )
    return Reply.with_card(choose_bodies_card(view))


def my_bodies(services: Services, request: Request, intent: Intent) -> Reply:
    """Answer "my bodies" with the chooser; "I work for OPCCN" asks to join OPCCN at once.

    A request is pending until a chair of the body (or an admin) approves it; they are sent a
    card to decide from.
    """
    person = services.people.person(request.person_id) if request.person_id else None
    if person is None:
        return Reply.with_text("I could not tell who you are, so I cannot store bodies.")
    if intent.bodies:
        result = services.people.add_bodies(
            person.id, intent.bodies, actor_of(request), request.now
        )
        if result.notified:
            services.wake_jobs()
        return Reply.with_text(_choice_text(services, result, intent.bodies))
    labels = services.vocabulary().labels()
    current = ", ".join(labels.get(k, k) for k in person.body_keys) or "none yet"
    return chooser_reply(services, person, message=f"Your bodies now: {current}.")


def _who_decides(label: str, chairs: list[str]) -> str:
    """Who decides a request to join a body: its chairs, or the admins when none is on record."""
    if chairs:
        return f"{label}: {', '.join(chairs)}"
    return f"{label} has no chair on record, so an admin decides"


def _choice_text(services: Services, result: ChoiceResult, chosen: Iterable[str]) -> str:
    """What happened to a choice of bodies, and what a pending request means."""
    labels = services.vocabulary().labels()

    def named(keys: Iterable[str]) -> str:
        return ", ".join(labels.get(k, k) for k in keys)

    parts = []
    if result.requested:
        approvers = "; ".join(
            _who_decides(labels.get(key, key), services.people.chairs_of(key))
            for key in result.requested
        )
        parts.append(
            f"Asked to join {named(result.requested)}. Your request is pending until a "
            f"chair of that body or an admin approves it ({approvers}). Meanwhile "
            "“what's overdue for me?” includes it, but you cannot post updates for it."
        )
    if result.already:
        parts.append(f"Already on record: {named(result.already)}.")
    if result.withdrawn:
        parts.append(f"Request withdrawn: {named(result.withdrawn)}.")
    if result.left:
        parts.append(f"You are no longer a member of {named(result.left)}.")
    if result.kept:
        parts.append(
            f"Kept {named(result.kept)}: those come from the partnership's list; "
            "ask an admin to change them."
        )
    if not parts:
        return f"Nothing changed: {named(chosen) or 'no bodies'}."
    return " ".join(parts)


MAX_KEYS = 300


def _keys(value: Any) -> list[str]:
    """Body keys from a card input (comma-separated text) or button data (a list), bounded."""
    if isinstance(value, str):
        found = [v.strip().upper() for v in value[:5000].split(",") if v.strip()]
    elif isinstance(value, list):
        found = [str(v).strip().upper()[:64] for v in value[:MAX_KEYS] if str(v).strip()]
    else:
        found = []
    return found[:MAX_KEYS]


def search_bodies(services: Services, request: Request) -> Reply:
    """The chooser's Search button (and "Choose my bodies" elsewhere): the chooser card.

    Narrowed by the search text, keeping what was ticked.
    """
    search = str(request.data.get(SEARCH_INPUT) or "")[:100]
    selected = _merge(request.data)
    return chooser_reply(services, person_of(request), search=search, selected=tuple(selected))


def _merge(data: dict[str, Any]) -> list[str]:
    """Ticked boxes among those shown, plus earlier choices that were not shown."""
    shown = set(_keys(data.get("shown")))
    kept = [k for k in _keys(data.get("kept")) if k not in shown]
    return list(dict.fromkeys(kept + _keys(data.get(CHOICE_INPUT))))


def save_bodies(services: Services, request: Request) -> Reply:
    """The chooser's Save button: store exactly the bodies chosen."""
    chosen = _merge(request.data)
    known = {b.key for b in services.vocabulary().bodies.bodies}
    unknown = [k for k in chosen if k not in known]
    if unknown:
        return Reply(error=f"Unknown bodies: {', '.join(unknown)}. Nothing was changed.")
    if request.person_id is None:
        return Reply(error="I could not tell who you are; nothing was changed.")
    result = services.people.set_bodies(request.person_id, chosen, actor_of(request), request.now)
    if result.notified:
        services.wake_jobs()
    if not chosen and not result.kept:
        return Reply.with_text("Saved: you are not a member of any body now.")
    return Reply.with_text(_choice_text(services, result, chosen))
