"""Linking team channels to bodies: "link this channel to DASVG", "unlink", "links"."""

from __future__ import annotations

from sqlalchemy.orm import Session

from bot.handlers.common import actor_of
from bot.plan.calendar import when_text
from bot.plan.meetings import upcoming
from bot.plan.permissions import chairs_body
from bot.plan.prompts import day_label, when_label
from bot.plan.schedule import prompt_due
from bot.services import Services
from bot.turns import Reply, Request
from bot.understand import Intent
from storage import audit
from storage.conversations import reference_for
from storage.db import transaction
from storage.links import link_channel, links, unlink_channel
from storage.meetings import body_cadences, meeting_series
from storage.people import PersonRecord, chairs_of, person_by_id
from storage.rules import rules_for

NOT_A_CHANNEL = (
    "Channels are linked from the channel itself: go to the team channel where the prompts "
    "should appear and say “@Safer Partnership link this channel to DASVG”."
)


def body_label(services: Services, key: str) -> str:
    """The short name people know a body by (abbreviation, else name)."""
    body = services.vocabulary().bodies.by_key.get(key)
    return (body.abbreviation or body.name) if body else key


def _person(session: Session, request: Request) -> PersonRecord | None:
    return person_by_id(session, request.person_id) if request.person_id else None


def may_manage(request: Request, person: PersonRecord | None, body_key: str) -> bool:
    """Chairs of the body and admins may link or unlink its channels and change its rules."""
    return request.is_admin or chairs_body(person.memberships if person else (), body_key)


def who_can(session: Session, services: Services, body_key: str) -> str:
    """A sentence naming who can change a body's channels, rules or meetings."""
    label = body_label(services, body_key)
    chairs = chairs_of(session, body_key)
    named = f" ({', '.join(chairs[:4])})" if chairs else ""
    return f"Only {label}'s chairs{named} or an admin can do that for {label}."


def _next_prompt(session: Session, services: Services, body_key: str, request: Request) -> str:
    coming = upcoming(meeting_series(session, [body_key]), request.now, days=400, limit=5)
    rules = rules_for(session, body_key)
    for meeting in coming:
        due = prompt_due(meeting, rules)
        if due >= request.now:
            return (
                f"Next meeting: {when_text(meeting)}; "
                f"its prompt will be posted on {when_label(due)}."
            )
    label = body_label(services, body_key)
    cadence = body_cadences(session, [body_key]).get(body_key)
    meets = f" ({label}: {cadence[1]})" if cadence else ""
    return (
        f"{label} has no coming meeting on record{meets}, so no prompt is due. Its chairs: add "
        f"the next date (“meetings {body_key}” → Add meeting) and the prompt will follow."
    )


def link_intent(services: Services, request: Request, intent: Intent) -> Reply:
    """Link this channel to the named bodies (chairs of those bodies and admins)."""
    if request.place.conversation_type != "channel":
        return Reply.with_text(NOT_A_CHANNEL)
    if not intent.bodies:
        return Reply.with_text("Which body? Say for example “link this channel to DASVG”.")
    lines: list[str] = []
    with transaction(services.db) as session:
        person = _person(session, request)
        refused = [k for k in intent.bodies if not may_manage(request, person, k)]
        if refused:
            return Reply.with_text(" ".join(who_can(session, services, k) for k in refused))
        reference = reference_for(session, request.place.channel_conversation_id)
        if reference is None:
            return Reply.with_text(
                "I cannot post in this channel yet (I have no record of it). Mention me once "
                "more in the channel, then link it again."
            )
        for key in intent.bodies:
            new = link_channel(session, key, reference.id, request.person_id, request.now)
            if new:
                audit.record(
                    session,
                    actor_of(request),
                    "channel.linked",
                    "body",
                    key,
                    now=request.now,
                    after={"conversation": reference.conversation_id},
                )
            name = body_label(services, key)
            lines.append(
                f"{'Linked' if new else 'Already linked'}: {name}'s update prompts will be posted "
                f"in this channel before each {name} meeting. "
                + _next_prompt(session, services, key, request)
            )
    return Reply.with_text("\n\n".join(lines))


def unlink_intent(services: Services, request: Request, intent: Intent) -> Reply:
    """Unlink this channel (from all or the named bodies), or the named bodies everywhere."""
    with transaction(services.db) as session:
        person = _person(session, request)
        if request.place.conversation_type == "channel":
            reference = reference_for(session, request.place.channel_conversation_id)
            current = links(session, conversation_ref_id=reference.id) if reference else []
            keys = [k.body_key for k in current if not intent.bodies or k.body_key in intent.bodies]
        elif intent.bodies:
            current = links(session, body_keys=intent.bodies)
            keys = list(dict.fromkeys(k.body_key for k in current))
        else:
            return Reply.with_text(
                "Say it in the linked channel, or name the body: “unlink DASVG”."
            )
        if not keys:
            return Reply.with_text("Nothing to unlink: no such link.")
        refused = [k for k in keys if not may_manage(request, person, k)]
        if refused:
            return Reply.with_text(" ".join(who_can(session, services, k) for k in refused))
        for link in current:
            if link.body_key in keys:
                unlink_channel(session, link.conversation_ref_id, [link.body_key])
                audit.record(
                    session,
                    actor_of(request),
                    "channel.unlinked",
                    "body",
                    link.body_key,
                    now=request.now,
                    before={"conversation_ref": link.conversation_ref_id},
                )
    names = ", ".join(body_label(services, k) for k in keys)
    where = "this channel" if request.place.conversation_type == "channel" else "their channels"
    return Reply.with_text(f"Unlinked: {names} will no longer post update prompts in {where}.")


def links_intent(services: Services, request: Request, intent: Intent) -> Reply:
    """Every channel link (or those of the named bodies)."""
    here = request.place.channel_conversation_id
    with services.db() as session:
        found = links(session, body_keys=intent.bodies or None)
    if not found:
        return Reply.with_text(
            "No channel is linked yet. In a team channel, a chair says "
            "“@Safer Partnership link this channel to DASVG”."
        )
    lines = ["Channels that get update prompts:"]
    for link in found:
        where = (
            "this channel" if link.conversation_id == here else f"channel {link.conversation_id}"
        )
        state = "" if link.active else " (the app was removed there: nothing is posted)"
        since = day_label(link.created_at.date())
        lines.append(f"- {body_label(services, link.body_key)}: {where}, linked {since}{state}")
    return Reply.with_text("\n".join(lines))
