"""Proactive sends through the Agents SDK (the scheduled jobs' only SDK code).

One call, one try: retries and pacing are the jobs' (``bot.jobs.policy``; the SDK retries
neither 429 nor 503). A failure inside ``continue_conversation`` would go to the adapter's
turn-error handler and be swallowed, so the send is wrapped here and the connector's HTTP
status and ``Retry-After`` returned as a :class:`SendResult`. The connector client is the
adapter's kept one (``bot.teams.connector``): no client is built per send.
"""

from __future__ import annotations

import logging

import aiohttp
from microsoft_agents.activity import ConversationReference
from microsoft_agents.hosting.core import TurnContext

from bot.jobs.sender import retry_after_seconds
from bot.jobs.types import SendResult
from bot.teams.adapter import PartnershipAdapter
from bot.teams.convert import activity_for
from bot.turns import Message, thread_root
from storage.conversations import ReferenceRecord

log = logging.getLogger(__name__)


def _from_error(exc: aiohttp.ClientResponseError) -> SendResult:
    retry_after = exc.headers.get("Retry-After") if exc.headers else None
    return SendResult(
        status=exc.status,
        retry_after=retry_after_seconds(retry_after),
        error=f"Bot Connector answered {exc.status}: {exc.message}"[:300],
    )


def _no_answer(exc: Exception) -> SendResult:
    """No HTTP answer: certain failure when the connection never opened, else in doubt."""
    never = isinstance(exc, aiohttp.ClientConnectorError | aiohttp.ConnectionTimeoutError)
    return SendResult(status=None, error=f"{type(exc).__name__}: {exc}"[:300], in_doubt=not never)


def proactive_reference(record: ReferenceRecord) -> ConversationReference:
    """The stored reference, made to start a new message (not a reply to an old one)."""
    reference = ConversationReference.model_validate(record.reference)
    reference.activity_id = None
    reference.service_url = record.service_url or reference.service_url
    if record.conversation_type == "channel":
        # A reference taken inside a thread would reply there; post to the channel instead.
        reference.conversation.id = thread_root(reference.conversation.id or "")
    return reference


class TeamsSender:
    """Sends with the adapter's ``continue_conversation`` as the configured bot."""

    def __init__(self, adapter: PartnershipAdapter, app_id: str) -> None:
        self.adapter = adapter
        self.app_id = app_id

    async def send(self, reference: ReferenceRecord, message: Message) -> SendResult:
        """Post ``message`` to the stored conversation; the connector's answer as a result."""
        answer: list[SendResult] = []

        async def post(turn_context: TurnContext) -> None:
            try:
                response = await turn_context.send_activity(activity_for(message))
                answer.append(SendResult(status=200, activity_id=getattr(response, "id", None)))
            except aiohttp.ClientResponseError as exc:
                answer.append(_from_error(exc))
            except (aiohttp.ClientError, TimeoutError) as exc:
                answer.append(_no_answer(exc))
            except Exception as exc:  # e.g. an unreadable answer: it may have arrived
                log.warning("proactive send to %s: unexpected error", reference.id, exc_info=True)
                answer.append(SendResult(status=None, error=str(exc)[:300], in_doubt=True))

        try:
            continuation = proactive_reference(reference).get_continuation_activity()
            # The continuation activity has a made-up id; with it the SDK would send a reply
            # to that id instead of a new message.
            continuation.id = None
            await self.adapter.continue_conversation(self.app_id, continuation, post)
        except Exception as exc:  # e.g. no token for the connector: nothing was sent
            log.warning("proactive send to %s failed to start", reference.id, exc_info=True)
            return SendResult(status=None, error=f"could not start the send: {exc}"[:300])
        if not answer:
            return SendResult(status=None, error="the adapter did not run the send")
        return answer[0]
