"""Between Teams activities and the bot's own turn types (the only translation layer)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from microsoft_agents.activity import Activity, Attachment
from microsoft_agents.hosting.core import MessageFactory

from bot.turns import (
    DialogDone,
    DialogView,
    Message,
    Place,
    Reply,
    Request,
    SearchResults,
    Sender,
)
from cards.base import CONTENT_TYPE

CARD_TYPE = "application/vnd.microsoft.card.adaptive"
MESSAGE_TYPE = "application/vnd.microsoft.activity.message"
THUMBNAIL_TYPE = "application/vnd.microsoft.card.thumbnail"
ERROR_TYPE = "application/vnd.microsoft.error"


def _channel_data(activity: Activity) -> Mapping[str, Any]:
    data = activity.channel_data
    return data if isinstance(data, Mapping) else {}


def tenant_of(activity: Activity) -> str:
    """The tenant id, from channelData (Teams) or the conversation."""
    tenant = _channel_data(activity).get("tenant")
    if isinstance(tenant, Mapping) and isinstance(tenant.get("id"), str):
        return tenant["id"]
    conversation = activity.conversation
    return getattr(conversation, "tenant_id", None) or ""


def user_tenant_of(activity: Activity) -> str:
    """The sender's own tenant ("" when the activity does not say).

    ``from.tenantId`` when Teams sends it, else in a personal chat the conversation's tenant.
    A channel's tenant is the host's, which an external member of a shared channel is not in.
    """
    account = activity.from_property
    stated = getattr(account, "tenant_id", None) if account is not None else None
    if isinstance(stated, str) and stated:
        return stated
    conversation = activity.conversation
    kind = conversation.conversation_type if conversation else None
    return tenant_of(activity) if kind in (None, "personal") else ""


def tenants_of(activity: Activity) -> tuple[str, ...]:
    """The conversation's tenant, and the sender's own when it is another (a shared channel)."""
    tenants = [tenant_of(activity), user_tenant_of(activity)]
    return tuple(dict.fromkeys(t for t in tenants if t))


def sender_of(activity: Activity, email: str | None = None) -> Sender:
    """Who sent the activity: (tenant id, AAD object id), and whether they are a guest."""
    account = activity.from_property
    if account is None:
        return Sender(aad_object_id=None)
    role = (account.properties or {}).get("userRole")
    return Sender(
        aad_object_id=account.aad_object_id or None,
        name=account.name or "",
        user_id=account.id or "",
        email=email,
        tenant_id=user_tenant_of(activity).lower(),
        is_guest=isinstance(role, str) and role.lower() == "guest",
    )


def place_of(activity: Activity) -> Place:
    """The conversation: its id, type, tenant, team and whether it is a meeting chat."""
    conversation = activity.conversation
    data = _channel_data(activity)
    team = data.get("team")
    team_id = team.get("id") if isinstance(team, Mapping) else None
    meeting = data.get("meeting")
    return Place(
        conversation_id=(conversation.id if conversation else "") or "",
        conversation_type=(conversation.conversation_type if conversation else None) or "personal",
        tenant_id=tenant_of(activity),
        team_id=team_id if isinstance(team_id, str) else None,
        is_meeting=isinstance(meeting, Mapping) and bool(meeting.get("id")),
    )


def text_of(activity: Activity) -> str:
    """The typed text without the bot's @mention, or the slash command without its "/"."""
    text = activity.remove_recipient_mention() if activity.entities else activity.text
    text = " ".join((text or "").replace("&nbsp;", " ").split())
    return text[1:].lstrip() if text.startswith("/") else text


def is_targeted(activity: Activity) -> bool:
    """True when the message was sent privately to the bot (a targeted message).

    A slash command in a channel or group chat is one; Teams marks it ``recipient.isTargeted``.
    """
    extra = getattr(activity.recipient, "model_extra", None) or {}
    return extra.get("isTargeted") is True


def request_from(
    activity: Activity,
    now: datetime,
    *,
    text: str = "",
    verb: str | None = None,
    data: dict[str, Any] | None = None,
    email: str | None = None,
    is_invoke: bool = False,
    can_answer_privately: bool = False,
) -> Request:
    """A neutral request for this activity."""
    return Request(
        sender=sender_of(activity, email),
        place=place_of(activity),
        now=now,
        text=text,
        verb=verb,
        data=data or {},
        activity_id=activity.id,
        reply_to_id=activity.reply_to_id,
        is_invoke=is_invoke,
        can_answer_privately=can_answer_privately,
        asked_privately=is_targeted(activity),
    )


def activity_for(message: Message) -> Activity:
    """One outgoing message as a Bot Framework activity."""
    if message.card is not None:
        return MessageFactory.attachment(
            Attachment(content_type=CONTENT_TYPE, content=message.card), text=message.text
        )
    return MessageFactory.text(message.text or "")


def activities_for(reply: Reply, *, include_card: bool) -> list[Activity]:
    """The messages of a reply; ``include_card`` also posts ``reply.card`` when not in messages."""
    messages = list(reply.messages)
    if include_card and reply.card is not None and all(m.card is not reply.card for m in messages):
        messages.append(Message(card=reply.card))
    if not messages and (reply.error or reply.notice):
        messages.append(Message(text=reply.error or reply.notice))
    return [activity_for(m) for m in [*messages, *reply.posts]]


def execute_body(reply: Reply) -> dict[str, Any]:
    """The ``adaptiveCard/action`` invoke response body for a reply."""
    if reply.error:
        return {
            "statusCode": 400,
            "type": ERROR_TYPE,
            "value": {"code": "BadRequest", "message": reply.error},
        }
    if reply.card is not None:
        return {"statusCode": 200, "type": CARD_TYPE, "value": reply.card}
    return {"statusCode": 200, "type": MESSAGE_TYPE, "value": reply.notice or "Done."}


def dialog_body(result: DialogView | DialogDone) -> dict[str, Any]:
    """The ``task/fetch`` / ``task/submit`` invoke response body."""
    if isinstance(result, DialogView):
        return {
            "task": {
                "type": "continue",
                "value": {
                    "title": result.title,
                    "width": result.width,
                    "height": result.height,
                    "card": {"contentType": CONTENT_TYPE, "content": result.card},
                },
            }
        }
    return {"task": {"type": "message", "value": result.message}}


def card_action(activity: Activity) -> tuple[str | None, dict[str, Any]] | None:
    """(verb, data) of an Action.Submit that arrived as a message with a value, else None."""
    value = activity.value
    if not isinstance(value, dict) or (activity.text or "").strip():
        return None
    verb = value.get("verb")
    return (verb if isinstance(verb, str) else None), dict(value)


def execute_action(activity: Activity) -> tuple[str | None, dict[str, Any]]:
    """(verb, data) of an ``adaptiveCard/action`` invoke (Action.Execute)."""
    value = activity.value if isinstance(activity.value, dict) else {}
    found = value.get("action")
    action: dict[str, Any] = found if isinstance(found, dict) else {}
    verb = action.get("verb")
    data = action.get("data")
    return (verb if isinstance(verb, str) else None), (dict(data) if isinstance(data, dict) else {})


def dialog_data(activity: Activity) -> dict[str, Any]:
    """The data of a ``task/fetch`` or ``task/submit`` invoke."""
    value = activity.value if isinstance(activity.value, dict) else {}
    data = value.get("data")
    return dict(data) if isinstance(data, dict) else {}


def search_query(activity: Activity) -> tuple[str, str]:
    """(command id, typed text) of a ``composeExtension/query`` invoke.

    The value is ``{"commandId", "parameters": [{"name", "value"}], "queryOptions"}``; the first
    open of the box (``initialRun``) carries ``{"name": "initialRun", "value": "true"}``.
    """
    value = activity.value if isinstance(activity.value, dict) else {}
    command = value.get("commandId")
    typed = ""
    for parameter in value.get("parameters") or []:
        if isinstance(parameter, dict) and parameter.get("name") == "query":
            found = parameter.get("value")
            typed = found if isinstance(found, str) else ""
    return (command if isinstance(command, str) else ""), " ".join(typed.split())


def search_body(results: SearchResults) -> dict[str, Any]:
    """The ``composeExtension/query`` invoke response: a list of results, or a message.

    Each result is the Adaptive Card Teams inserts when it is chosen, with a thumbnail card
    as its line in the list (``preview``).
    """
    if not results.results:
        return {"composeExtension": {"type": "message", "text": results.message or "No results."}}
    attachments = [
        {
            "contentType": CARD_TYPE,
            "content": r.card,
            "preview": {
                "contentType": THUMBNAIL_TYPE,
                "content": {"title": r.title, "subtitle": r.subtitle, "text": r.text},
            },
        }
        for r in results.results
    ]
    result = {"type": "result", "attachmentLayout": "list", "attachments": attachments}
    return {"composeExtension": result}


def link_to_unfurl(activity: Activity) -> str:
    """The URL of a ``composeExtension/queryLink`` invoke (``value.url``), or ""."""
    value = activity.value if isinstance(activity.value, dict) else {}
    url = value.get("url")
    return url if isinstance(url, str) else ""
