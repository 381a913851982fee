"""Teams meeting events: who is present, and their private overdue notes.

Wire shapes (Microsoft 365 Agents SDK 1.9, ``microsoft_agents.hosting.msteams.meeting``
routes on ``application/vnd.microsoft.meetingStart`` and
``application/vnd.microsoft.meetingParticipantJoin``; models ``MeetingStartEventDetails`` and
``MeetingParticipantsEventDetails`` / ``TeamsMeetingMember`` in ``microsoft_agents.activity
.teams``; Teams docs "Meeting apps APIs" / "Get real-time meeting events",
learn.microsoft.com/microsoftteams/platform/apps-in-teams-meetings/meeting-apps-apis): both are
``event`` activities in the meeting's group chat, with ``channelData.meeting.id``. The start
event's ``value`` has ``Id``, ``JoinUrl``, ``Title``, ``MeetingType`` and ``StartTime``;
a join event's ``value.members[]`` has ``user`` (``id``, ``aadObjectId``, ``name``) and
``meeting`` (``inMeeting``, ``role``). Teams sends them only with the RSC permissions
``OnlineMeeting.ReadBasic.Chat`` / ``ChannelMeeting.ReadBasic.Group`` (start and end) and
``OnlineMeetingParticipant.Read.Chat`` (participants) in the manifest.

"Present" is the person the start event comes from and each person a join event names.

Why a targeted message and not Teams' ``targetedMeetingNotification``
(``POST v1/meetings/{id}/notification``): that notification only opens a content bubble
for an app's meeting tab (``surfaces: meetingStage / meetingTabIcon``, a tab URL) and this app
has no meeting tab; a targeted message in the meeting chat (``bot.teams.private``) carries the
card with "Post update" and "Stop these reminders", and only its person sees it.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

import aiohttp
from microsoft_agents.activity import Activity, ChannelAccount
from microsoft_agents.hosting.core import TurnContext

from bot.teams.private import send_targeted
from bot.turns import NudgeToSend

log = logging.getLogger(__name__)

MEETING_START = "application/vnd.microsoft.meetingStart"
PARTICIPANT_JOIN = "application/vnd.microsoft.meetingParticipantJoin"
MEETING_EVENTS = frozenset({MEETING_START, PARTICIPANT_JOIN})


def meeting_key(activity: Activity) -> str:
    """The meeting's id: ``channelData.meeting.id``, else the start event's ``value.Id``."""
    data = activity.channel_data if isinstance(activity.channel_data, Mapping) else {}
    meeting = data.get("meeting")
    if isinstance(meeting, Mapping) and isinstance(meeting.get("id"), str) and meeting["id"]:
        return str(meeting["id"])
    value = activity.value if isinstance(activity.value, Mapping) else {}
    found = value.get("Id") or value.get("id")
    return found if isinstance(found, str) else ""


def _account(user: Mapping[str, Any]) -> ChannelAccount | None:
    aad, user_id = user.get("aadObjectId"), user.get("id")
    if not isinstance(aad, str) or not aad or not isinstance(user_id, str) or not user_id:
        return None
    name = user.get("name")
    return ChannelAccount(
        id=user_id, aad_object_id=aad, name=name if isinstance(name, str) else None
    )


def present(activity: Activity) -> list[ChannelAccount]:
    """The people the event says are in the meeting (with an AAD object id and a Teams id)."""
    if activity.name == MEETING_START:
        sender = activity.from_property
        if sender is None or not sender.aad_object_id or not sender.id:
            return []
        return [ChannelAccount(id=sender.id, aad_object_id=sender.aad_object_id, name=sender.name)]
    value = activity.value if isinstance(activity.value, Mapping) else {}
    members = value.get("members")
    found: list[ChannelAccount] = []
    for member in members if isinstance(members, list) else []:
        user = member.get("user") if isinstance(member, Mapping) else None
        account = _account(user) if isinstance(user, Mapping) else None
        if account is not None:
            found.append(account)
    return found


async def send_nudges(
    turn_context: TurnContext, notes: list[NudgeToSend], people: list[ChannelAccount]
) -> list[NudgeToSend]:
    """Send each note privately to its person in the meeting chat; return those refused."""
    by_aad = {p.aad_object_id: p for p in people}
    refused: list[NudgeToSend] = []
    for note in notes:
        account = by_aad.get(note.aad_object_id)
        if account is None:
            refused.append(note)
            continue
        try:
            await send_targeted(turn_context, [note.message], to=account)
        except aiohttp.ClientError as exc:  # refused, or not reached: a later join retries
            log.info("meeting nudge not sent (%s)", getattr(exc, "status", type(exc).__name__))
            refused.append(note)
    return refused
