"""Outgoing activities on the lean path: the SDK's wire format, without its per-send overhead.

Every reply and proactive message goes through ``ChannelServiceAdapter.send_activities`` and
the connector client's ``reply_to_activity``/``send_to_conversation``. Profiled under load
(``benchmarks/edge_profile.py``), that path was the largest part of a turn on the event loop:

* the activity's ``model_dump``: the SDK's ``Activity`` has a Python wrap-serializer, and an
  Adaptive Card in an attachment is an untyped ``object`` field, which pydantic serialises by
  inspecting every value (0.21 ms for the 11 KB overdue card, then 0.05 ms more to encode it);
* two OpenTelemetry spans per send (adapter and connector), opened and closed even when no
  exporter is configured;
* aiohttp's JSON payload and its client middlewares (the bearer token, the retry of a
  connection that never opened) for each request.

:func:`activity_body` writes the same JSON (the same keys and values as the SDK's
``model_dump(by_alias=True, exclude_unset=True, exclude_none=True, mode="json")``) in about a
quarter of the time: the envelope still goes through the SDK's serializer, and only card
content that is already plain JSON data (a ``dict``) is encoded directly.
:func:`post_activity` posts it to the connector the way the SDK's connector client does (same
URL, query, headers, errors). The adapter takes this path only when tracing is off
(``bot.teams.telemetry.tracing_off``): with an exporter configured, sends keep the SDK's spans.
"""

from __future__ import annotations

from typing import Any

import aiohttp
from microsoft_agents.activity import (
    Activity,
    ActivityTypes,
    Attachment,
    ChannelId,
    Channels,
    ResourceResponse,
)
from microsoft_agents.hosting.core import HeaderPropagationContext
from pydantic_core import to_json

from bot.teams.connector import KeptConnectorClient, unopened_retried
from cards.memo import KeptCard

# The SDK's connector client trims conversation ids to this length (ConversationsOperations).
MAX_CONVERSATION_ID = 150
_DUMP: dict[str, Any] = {
    "by_alias": True,
    "exclude_unset": True,
    "exclude_none": True,
    "mode": "json",
}
_JSON_HEADERS = {"Content-Type": "application/json"}
# Card content encoded as it is: plain data, or a kept card with its encoding.
_PLAIN = (dict, KeptCard)


def _encoded(content: Any) -> bytes:
    """Card content as compact JSON: a kept card's own encoding, else encoded now."""
    return content.encoded if type(content) is KeptCard else to_json(content)


def _with_member(encoded: bytes, name: bytes, value: bytes) -> bytes:
    """``encoded`` (a JSON object) with one more member, last (as assigning it to a dict)."""
    comma = b"," if encoded != b"{}" else b""
    return encoded[:-1] + comma + b'"' + name + b'":' + value + b"}"


def _attachment(attachment: Attachment) -> bytes:
    body = to_json(attachment.model_dump(**_DUMP, exclude={"content"}))
    if attachment.content is not None and "content" in attachment.model_fields_set:
        body = _with_member(body, b"content", _encoded(attachment.content))
    return body


def activity_body(activity: Activity) -> bytes:
    """``activity`` as the connector receives it from the SDK, as compact UTF-8 JSON.

    Attachments whose content is a ``dict`` (every card this bot draws) are encoded as the
    data they are (a card from the memo, ``cards.memo.KeptCard``, with the encoding it keeps);
    anything else goes through the SDK's own ``model_dump`` unchanged.
    """
    attachments = activity.attachments
    if not attachments or not all(type(a.content) in _PLAIN for a in attachments):
        return to_json(activity.model_dump(**_DUMP))
    body = to_json(activity.model_dump(**_DUMP, exclude={"attachments"}))
    if "attachments" in activity.model_fields_set:
        encoded = b"[" + b",".join(_attachment(a) for a in attachments) + b"]"
        body = _with_member(body, b"attachments", encoded)
    return body


def takes_lean_path(activity: Activity) -> bool:
    """Whether the adapter may send ``activity`` with :func:`post_activity`.

    Not invoke responses and traces (the SDK's ``send_activities`` keeps or drops those), nor
    the Agents channel (whose conversation ids the SDK rewrites for agentic identities).
    """
    return (
        activity.type not in (ActivityTypes.invoke_response, ActivityTypes.trace)
        and activity.conversation is not None
        and bool(activity.conversation.id)
        and ChannelId.get_channel(activity.channel_id) != Channels.agents
    )


def activity_url(activity: Activity) -> str:
    """Where the SDK's connector client posts ``activity``, relative to the service URL.

    A reply (``replyToId`` set) goes to ``v3/conversations/{id}/activities/{replyToId}``, a new
    message to ``v3/conversations/{id}/activities``; ids are used as they are, as the SDK does.
    """
    conversation_id = (activity.conversation.id if activity.conversation else "") or ""
    url = f"v3/conversations/{conversation_id[:MAX_CONVERSATION_ID]}/activities"
    return f"{url}/{activity.reply_to_id}" if activity.reply_to_id else url


async def post_activity(client: KeptConnectorClient, activity: Activity) -> ResourceResponse:
    """POST ``activity`` to the connector with the kept ``client``; the connector's answer.

    On the client's session and keep-alive pool, with what its middlewares would add (the
    bearer token; a retry while the connection never opened), done here directly.

    Raises:
        aiohttp.ClientResponseError: the connector answered other than 200, 201 or 202 (the
            message is its answer's body, as the SDK's connector client raises it).
    """
    url = activity_url(activity)
    targeted = (
        ChannelId.get_channel(activity.channel_id) == Channels.ms_teams
        and activity.is_targeted_activity()
    )
    headers = {**_JSON_HEADERS, **await client.headers()}
    for name, value in (HeaderPropagationContext.collect_headers() or {}).items():
        headers.setdefault(name, value)
    body = activity_body(activity)

    async def send() -> tuple[int, str, aiohttp.ClientResponse]:
        async with client.client.post(
            url,
            params={"isTargetedActivity": "true"} if targeted else None,
            data=body,
            headers=headers,
            middlewares=(),
        ) as response:
            return response.status, await response.text("utf-8"), response

    status, text, response = await unopened_retried(send)
    if status not in (200, 201, 202):
        raise aiohttp.ClientResponseError(
            response.request_info,
            response.history,
            status=status,
            message=text or f"Error accessing resource '{url}'",
            headers=response.headers,
        )
    return ResourceResponse.model_validate_json(text) if text else ResourceResponse()
