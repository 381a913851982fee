"""Linking team channels to bodies: "link this channel to DASVG", "unlink", "links"."""

from __future__ import annotations

from bot.handlers.common import actor_of
from bot.plan.calendar import when_text
from bot.plan.labels import day_label, when_label
from bot.plan.meetings import upcoming
from bot.plan.permissions import may_manage
from bot.plan.schedule import prompt_due
from bot.services import Services
from bot.turns import Reply, Request
from bot.understand import Intent

NOT_A_CHANNEL = (
    "Channels are linked from the channel itself: go to the team channel where the prompts "
    "should appear and say “@Safer Partnership link this channel to DASVG”."
)


def body_label(services: Services, key: str) -> str:
    """The short name people know a body by (abbreviation, else name)."""
    return services.vocabulary().label(key)


def allowed(request: Request, body_key: str) -> bool:
    """Chairs of the body and admins may link or unlink its channels and change its rules."""
    return may_manage(request.memberships, body_key, is_admin=request.is_admin)


def who_can(services: Services, body_key: str) -> str:
    """A sentence naming who can change a body's channels, rules or meetings."""
    label = body_label(services, body_key)
    chairs = services.people.chairs_of(body_key)
    named = f" ({', '.join(chairs[:4])})" if chairs else ""
    return f"Only {label}'s chairs{named} or an admin can do that for {label}."


def _next_prompt(services: Services, body_key: str, request: Request) -> str:
    coming = upcoming(services.schedule.meetings([body_key]), request.now, days=400, limit=5)
    rules = services.schedule.body_rules(body_key)
    for meeting in coming:
        due = prompt_due(meeting, rules)
        if due >= request.now:
            return (
                f"Next meeting: {when_text(meeting)}; "
                f"its prompt will be posted on {when_label(due)}."
            )
    label = body_label(services, body_key)
    cadence = services.schedule.cadences([body_key]).get(body_key)
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
    refused = [k for k in intent.bodies if not allowed(request, k)]
    if refused:
        return Reply.with_text(" ".join(who_can(services, k) for k in refused))
    done = services.schedule.link(
        request.place.channel_conversation_id, intent.bodies, actor_of(request), request.now
    )
    if done is None:
        return Reply.with_text(
            "I cannot post in this channel yet (I have no record of it). Mention me once "
            "more in the channel, then link it again."
        )
    lines = []
    for key, new in done:
        name = body_label(services, key)
        lines.append(
            f"{'Linked' if new else 'Already linked'}: {name}'s update prompts will be posted "
            f"in this channel before each {name} meeting. " + _next_prompt(services, key, request)
        )
    return Reply.with_text("\n\n".join(lines))


def unlink_intent(services: Services, request: Request, intent: Intent) -> Reply:
    """Unlink this channel (from all or the named bodies), or the named bodies everywhere."""
    if request.place.conversation_type == "channel":
        current = services.schedule.links(conversation_id=request.place.channel_conversation_id)
        keys = [k.body_key for k in current if not intent.bodies or k.body_key in intent.bodies]
    elif intent.bodies:
        current = services.schedule.links(body_keys=intent.bodies)
        keys = list(dict.fromkeys(k.body_key for k in current))
    else:
        return Reply.with_text("Say it in the linked channel, or name the body: “unlink DASVG”.")
    if not keys:
        return Reply.with_text("Nothing to unlink: no such link.")
    refused = [k for k in keys if not allowed(request, k)]
    if refused:
        return Reply.with_text(" ".join(who_can(services, k) for k in refused))
    chosen = [link for link in current if link.body_key in keys]
    services.schedule.unlink(chosen, actor_of(request), request.now)
    names = ", ".join(body_label(services, k) for k in keys)
    where = "this channel" if request.place.conversation_type == "channel" else "their channels"
    return Reply.with_text(f"Unlinked: {names} will no longer post update prompts in {where}.")


def links_intent(services: Services, request: Request, intent: Intent) -> Reply:
    """Every channel link (or those of the named bodies)."""
    here = request.place.channel_conversation_id
    found = services.schedule.links(body_keys=intent.bodies or None)
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
