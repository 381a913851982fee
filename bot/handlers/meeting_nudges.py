"""Overdue notes in Teams meetings: who is nudged as a meeting starts, and "stop meeting nudges".

``joined`` is the SDK-neutral handler of a meeting's start and participant-join events: the
Teams edge passes who is present, this decides (``bot.plan.meeting_nudges``), records each
note once per (meeting, person) in the database, and returns the notes to send privately.
"""

from __future__ import annotations

from bot.clock import london_today
from bot.handlers.common import actor_of
from bot.plan.meeting_nudges import who_to_nudge
from bot.services import Services
from bot.turns import MeetingPresence, Message, NudgeToSend, Reply, Request
from bot.understand import Intent
from cards.meeting_nudge import meeting_nudge_card, nudge_line


def joined(services: Services, presence: MeetingPresence) -> list[NudgeToSend]:
    """The notes to send now: each present owner of an overdue action, once per meeting.

    Each note is recorded before it is returned (a repeated event or another instance finds
    the record and sends nothing); the edge calls :func:`not_sent` for a note it could not send.
    """
    if not presence.meeting_key:
        return []
    people = services.people
    present = [p for a in dict.fromkeys(presence.aad_object_ids) if (p := people.known_person(a))]
    owners = [p for p in present if p.memberships]
    if not owners:
        return []
    today = london_today(presence.now)
    actions = services.plan.actions_for({k for p in owners for k, _ in p.memberships})
    off = people.meeting_nudges_off([p.id for p in owners])
    notes: list[NudgeToSend] = []
    for nudge in who_to_nudge(owners, actions, today, opted_out=off):
        message = Message(text=nudge_line(nudge.numbers), card=meeting_nudge_card(nudge.actions))
        if not people.claim_meeting_nudge(presence.meeting_key, nudge.person.id, presence.now):
            continue  # already nudged in this meeting (another event, another instance)
        notes.append(NudgeToSend(nudge.person.aad_object_id or "", nudge.person.id, message))
    return notes


def not_sent(services: Services, meeting_key: str, note: NudgeToSend) -> None:
    """A note the connector refused: forget it, so that the person's next join may retry."""
    services.people.release_meeting_nudge(meeting_key, note.person_id)


def _set(services: Services, request: Request, on: bool) -> Reply:
    if request.person_id is None:
        return Reply.with_text("I could not tell who you are, so nothing was changed.")
    services.people.set_meeting_nudges(request.person_id, on, actor_of(request), request.now)
    if on:
        return Reply.with_text(
            "Meeting nudges are on: when you join a Teams meeting with the Safer Partnership "
            "app, I'll tell you (and only you) about your overdue actions, once per meeting."
        )
    return Reply.with_text(
        "Meeting nudges are off: no more overdue notes when you join a meeting. "
        "Say “start meeting nudges” to have them again."
    )


def meeting_nudges_intent(services: Services, request: Request, intent: Intent) -> Reply:
    """Answer "stop meeting nudges", "start meeting nudges", or say where they stand."""
    if intent.on is not None:
        return _set(services, request, intent.on)
    off = request.person_id is not None and bool(
        services.people.meeting_nudges_off([request.person_id])
    )
    state, other = ("off", "start") if off else ("on", "stop")
    return Reply.with_text(
        f"Your meeting nudges are {state}. Say “{other} meeting nudges” to change."
    )


def nudges_off(services: Services, request: Request) -> Reply:
    """The "Stop these reminders" button on a meeting nudge."""
    return _set(services, request, False)


def nudges_on(services: Services, request: Request) -> Reply:
    """A "Start meeting nudges" button."""
    return _set(services, request, True)
