"""``python -m bot ask``: one message turn through the real Teams handler, printed.

The turn runs through ``PartnershipBot`` with a :class:`RecordingAdapter` (no Bot Connector),
a Teams-shaped personal-chat activity, and the configured database.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import replace
from datetime import date
from typing import Any

from microsoft_agents.activity import Activity, ChannelAccount, ConversationAccount
from microsoft_agents.hosting.core import TurnContext

from bot.clock import FixedClock
from bot.services import Services
from bot.teams.handler import PartnershipBot
from bot.teams.recording import RecordingAdapter
from storage.db import transaction
from storage.people import PersonRecord, ensure_person, find_person

CONSOLE_TENANT = "00000000-0000-0000-0000-000000000000"


def console_person(services: Services, user: str | None) -> PersonRecord | None:
    """The person ``--user`` names (e-mail or AAD object id), created if new."""
    if not user:
        return None
    with transaction(services.db) as session:
        found = find_person(session, user)
        if found is not None:
            return found
        if "@" in user:
            return ensure_person(
                session,
                aad_object_id=None,
                email=user,
                domain_bodies=services.settings.membership_domains,
                domain_tenants=services.settings.membership_domain_tenants,
            )
        return ensure_person(session, aad_object_id=user, name="")


def _activity(text: str, person: PersonRecord | None) -> Activity:
    return Activity(
        type="message",
        channel_id="msteams",
        text=text,
        service_url="https://console.invalid/",
        from_property=ChannelAccount(
            id="29:console-user",
            name=(person.name if person else "") or "Console user",
            aad_object_id=person.aad_object_id if person else None,
        ),
        recipient=ChannelAccount(id="28:safer-partnership-bot", name="Safer Partnership"),
        # No tenant: the operator asks as the person, and the person's tenant (recorded from
        # their own Teams turns) must not become the console's.
        conversation=ConversationAccount(
            id=f"console-{uuid.uuid4()}", conversation_type="personal"
        ),
        locale="en-GB",
    )


async def ask(
    services: Services, text: str, *, user: str | None = None, as_of: date | None = None
) -> list[Activity]:
    """Run one message turn and return the activities the bot sent."""
    if as_of is not None:
        services = replace(services, clock=FixedClock.at_london_noon(as_of))
    person = console_person(services, user)

    async def email_of(_: TurnContext) -> str | None:
        return person.email if person else None

    bot = PartnershipBot(services, email_lookup=email_of, as_of=as_of, remember_references=False)
    adapter = RecordingAdapter()
    await adapter.process(_activity(text, person), bot.on_turn)
    return list(adapter.sent)


def _cards(activity: Activity) -> list[dict[str, Any]]:
    return [a.content for a in activity.attachments or [] if isinstance(a.content, dict)]


def as_json(activities: list[Activity]) -> str:
    """The reply activities as JSON (cards included)."""
    return json.dumps(
        [a.model_dump(mode="json", by_alias=True, exclude_none=True) for a in activities],
        indent=2,
        ensure_ascii=False,
    )


def card_text(element: Any, depth: int = 0) -> list[str]:
    """The readable text of a card: text blocks, facts, inputs and buttons, in order."""
    lines: list[str] = []
    if isinstance(element, list):
        for item in element:
            lines.extend(card_text(item, depth))
        return lines
    if not isinstance(element, dict):
        return lines
    kind = element.get("type")
    if kind == "TextBlock":
        lines.append(str(element.get("text", "")).replace("\\", ""))
    elif kind == "FactSet":
        lines.extend(
            f"{f.get('title')}: {f.get('value')}".replace("\\", "")
            for f in element.get("facts", [])
        )
    elif kind in ("Action.Execute", "Action.Submit", "Action.OpenUrl"):
        lines.append(f"[{element.get('title')}]")
    elif kind and kind.startswith("Input."):
        lines.append(f"<{element.get('label') or element.get('id')}>")
    for key in ("body", "items", "columns", "actions", "card"):
        if key in element:
            lines.extend(card_text(element[key], depth + 1))
    return lines


def as_text(activities: list[Activity]) -> str:
    """The replies as readable text."""
    out: list[str] = []
    for activity in activities:
        if activity.text:
            out.append(activity.text)
        for card in _cards(activity):
            out.extend(line for line in card_text(card) if line.strip())
        out.append("")
    return "\n".join(out).rstrip() + "\n"
