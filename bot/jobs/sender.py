"""Proactive sends through the Bot Framework adapter (the jobs' only SDK code).

One call, one try: retries and rate limits are the jobs' (``bot.jobs.policy``). The adapter's
connector session (``bot.teams.outbound``) retries only connections that never opened; a
failure inside ``continue_conversation`` would go to ``on_turn_error`` and be swallowed, so
the send is wrapped here and its HTTP status and ``Retry-After`` returned as a
:class:`SendResult`.
"""

from __future__ import annotations

import logging
import time
from email.utils import parsedate_to_datetime

import aiohttp
from botbuilder.core import TurnContext
from botbuilder.integration.aiohttp import CloudAdapter
from botbuilder.schema import ConversationReference

from bot.jobs.types import SendResult
from bot.teams.convert import activity_for
from bot.teams.outbound import ConnectorError
from bot.turns import Message, thread_root
from storage.conversations import ReferenceRecord

log = logging.getLogger(__name__)


def retry_after_seconds(value: str | None, now_epoch: float | None = None) -> float | None:
    """Seconds from a ``Retry-After`` header: a number, or an HTTP date."""
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - (now_epoch if now_epoch is not None else time.time()))


def _from_error(exc: ConnectorError) -> SendResult:
    return SendResult(
        status=exc.status,
        retry_after=retry_after_seconds(exc.retry_after),
        error=str(exc)[:300],
    )


def _no_answer(exc: Exception) -> SendResult:
    """No HTTP answer: certain failure when the connection never opened, else in doubt."""
    never = isinstance(exc, aiohttp.ClientConnectorError | aiohttp.ConnectionTimeoutError)
    return SendResult(status=None, error=f"{type(exc).__name__}: {exc}"[:300], in_doubt=not never)


def proactive_reference(record: ReferenceRecord) -> ConversationReference:
    """The stored reference, made to start a new message (not a reply to an old one)."""
    reference = ConversationReference().deserialize(record.reference)
    reference.activity_id = None
    reference.service_url = record.service_url or reference.service_url
    if reference.conversation is not None and record.conversation_type == "channel":
        # A reference taken inside a thread would reply there; post to the channel instead.
        reference.conversation.id = thread_root(reference.conversation.id or "")
    return reference


class TeamsSender:
    """Sends with ``CloudAdapter.continue_conversation`` as the configured bot."""

    def __init__(self, adapter: CloudAdapter, app_id: str) -> None:
        self.adapter = adapter
        self.app_id = app_id

    async def send(self, reference: ReferenceRecord, message: Message) -> SendResult:
        """Post ``message`` to the stored conversation; the connector's answer as a result."""
        answer: list[SendResult] = []

        async def post(turn_context: TurnContext) -> None:
            # The continuation activity has a made-up id; without this the SDK would send a
            # reply to it instead of a new message.
            turn_context.activity.id = None
            try:
                response = await turn_context.send_activity(activity_for(message))
                answer.append(SendResult(status=200, activity_id=getattr(response, "id", None)))
            except ConnectorError as exc:
                answer.append(_from_error(exc))
            except (aiohttp.ClientError, TimeoutError) as exc:
                answer.append(_no_answer(exc))
            except Exception as exc:  # e.g. an unreadable answer: it may have arrived
                log.warning("proactive send to %s: unexpected error", reference.id, exc_info=True)
                answer.append(SendResult(status=None, error=str(exc)[:300], in_doubt=True))

        try:
            await self.adapter.continue_conversation(
                proactive_reference(reference), post, self.app_id
            )
        except Exception as exc:  # e.g. no token for the connector: nothing was sent
            log.warning("proactive send to %s failed to start", reference.id, exc_info=True)
            return SendResult(status=None, error=f"could not start the send: {exc}"[:300])
        if not answer:
            return SendResult(status=None, error="the adapter did not run the send")
        return answer[0]
