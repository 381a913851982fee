"""Private answers in shared conversations: a Teams targeted message, else a 1:1 chat.

Wire shape (Microsoft 365 Agents SDK 1.9, ``microsoft_agents.activity.Activity
.with_targeted_recipient`` and ``ConnectorClient.reply_to_activity``/``send_to_conversation``;
Teams docs "Send and receive targeted messages in group conversations",
learn.microsoft.com/microsoftteams/platform/agents-in-teams/targeted-messages): an ordinary
message activity to the group conversation whose ``recipient`` is the one user and whose
``entities`` include ``{"type": "activityTreatment", "treatment": "targeted"}``; the connector
client adds ``?isTargetedActivity=true`` to the POST for the ``msteams`` channel. Only that
user sees it, in the flow of the conversation; Teams clients drop it after 24 hours.

A slash command (``/overdue``) arrives as a targeted message to the bot
(``recipient.isTargeted: true``); every answer to it is private, and names the question with a
``{"type": "targetedMessageInfo", "messageId": ...}`` entity as the SDK's ``TeamsTurnContext``
does (``microsoft_agents.hosting.msteams._utils._apply_prompt_preview_normalizer``).

Fallback: targeted messages are a developer preview and a tenant, client or service may refuse
them. When the connector answers the targeted send with an error (any 4xx/5xx), the answer is
sent in a 1:1 chat with the person (created through the connector, as Teams allows once the
app is installed for them) and one line in the shared conversation says so. If the 1:1 chat
cannot be opened either, the chat gets one line asking the person to ask in a 1:1 chat: a
personal answer is never posted for everyone.
"""

from __future__ import annotations

import logging
from typing import Any

import aiohttp
from microsoft_agents.activity import (
    Activity,
    ChannelAccount,
    ConversationAccount,
    ConversationParameters,
)
from microsoft_agents.hosting.core import TurnContext
from microsoft_agents.hosting.core.connector import ConnectorClientBase
from microsoft_agents.hosting.msteams.models import TargetedMessageInfo

from bot.teams import convert
from bot.turns import Message, Reply
from cards.share import with_share_button

log = logging.getLogger(__name__)


def fallback_note(name: str) -> str:
    """The one line in the chat when the answer went to a 1:1 chat instead."""
    return (
        f"{name or 'You'}: I've sent your answer to our 1:1 chat "
        "(private replies aren't available here)."
    )


def unreachable_note(name: str) -> str:
    """The one line in the chat when neither a private reply nor a 1:1 chat was possible."""
    return (
        f"{name or 'You'}: that answer is just for you, and I can't reply privately here. "
        "Ask me in a 1:1 chat with the Safer Partnership app."
    )


def private_messages(reply: Reply, *, shareable: bool) -> list[Message]:
    """The reply's messages for the sender alone; the share button on cards when offered."""
    if not shareable or reply.share_text is None:
        return list(reply.messages)
    question = reply.share_text
    return [
        Message(text=m.text, card=with_share_button(m.card, question)) if m.card is not None else m
        for m in reply.messages
    ]


def _asker(turn_context: TurnContext) -> ChannelAccount:
    account = turn_context.activity.from_property
    return ChannelAccount(
        id=account.id if account else "",
        name=account.name if account else None,
        aad_object_id=account.aad_object_id if account else None,
    )


async def send_here(turn_context: TurnContext, activities: list[Activity]) -> None:
    """Send activities into the turn's own conversation, as replies of this turn.

    TurnContext.send_activities deep-copies every activity (cards included) before its send
    hooks run; this bot registers none, so the conversation reference is applied here instead.
    """
    reference = turn_context.activity.get_conversation_reference()
    for activity in activities:
        activity.apply_conversation_reference(reference)
    await turn_context.adapter.send_activities(turn_context, activities)
    turn_context.responded = True


async def send_targeted(
    turn_context: TurnContext, messages: list[Message], to: ChannelAccount | None = None
) -> None:
    """Send the messages into this conversation, visible only to one person.

    Args:
        turn_context: the turn (its conversation is where the messages go).
        messages: what to send.
        to: who sees them; by default the person who wrote.

    Raises:
        aiohttp.ClientResponseError: the connector refused a targeted send.
    """
    asker = to or _asker(turn_context)
    activities = [convert.activity_for(m).with_targeted_recipient(asker) for m in messages]
    incoming = turn_context.activity
    if convert.is_targeted(incoming) and incoming.id:
        # An answer to a private message (a slash command) names it, as the SDK's
        # TeamsTurnContext does, so that Teams shows it with the question ("prompt preview").
        for activity in activities:
            activity.entities = [
                *(activity.entities or []),
                TargetedMessageInfo(message_id=incoming.id),
            ]
    await send_here(turn_context, activities)


async def send_one_to_one(turn_context: TurnContext, messages: list[Message]) -> None:
    """Open (or find) the 1:1 chat with the person who wrote, and send the messages there.

    Raises:
        aiohttp.ClientResponseError: the connector could not open the chat or send to it.
    """
    incoming = turn_context.activity
    connector: Any = turn_context.services.get(ConnectorClientBase)
    if connector is None:
        raise RuntimeError("no connector client for this turn")
    asker = _asker(turn_context)
    bot = incoming.recipient or ChannelAccount(id="")
    tenant = convert.tenant_of(incoming)
    parameters = ConversationParameters(
        is_group=False,
        bot=bot,
        members=[asker],
        tenant_id=tenant or None,
        channel_data={"tenant": {"id": tenant}} if tenant else None,
    )
    created = await connector.conversations.create_conversation(parameters)
    for message in messages:
        activity = convert.activity_for(message)
        activity.channel_id = incoming.channel_id
        activity.service_url = incoming.service_url
        activity.from_property = bot
        activity.recipient = asker
        activity.conversation = ConversationAccount(
            id=created.id, conversation_type="personal", tenant_id=tenant or None
        )
        await connector.conversations.send_to_conversation(created.id, activity)


async def answer_privately(turn_context: TurnContext, reply: Reply) -> str:
    """Send a private reply's messages to the sender alone, and its posts to everyone.

    Returns:
        How it went: "targeted", "one_to_one" or "unreachable" (for the log and tests).
    """
    how = "targeted"
    if reply.messages:
        how = await _deliver(turn_context, reply)
    if reply.posts:
        await send_here(turn_context, [convert.activity_for(m) for m in reply.posts])
    return how


async def _deliver(turn_context: TurnContext, reply: Reply) -> str:
    name = _asker(turn_context).name or ""
    try:
        await send_targeted(turn_context, private_messages(reply, shareable=True))
        return "targeted"
    except aiohttp.ClientResponseError as exc:
        log.info("targeted send refused (%s); answering in a 1:1 chat", exc.status)
    try:
        await send_one_to_one(turn_context, private_messages(reply, shareable=False))
        note = fallback_note(name)
        how = "one_to_one"
    except (aiohttp.ClientError, RuntimeError) as exc:
        log.warning("could not open a 1:1 chat for a private answer: %s", exc)
        note = unreachable_note(name)
        how = "unreachable"
    await send_here(turn_context, [convert.activity_for(Message(text=note))])
    return how
