"""Proactive sends through the Bot Framework adapter (the jobs' only SDK code).

One call, one try: retries and rate limits are the jobs' (``bot.jobs.policy``). botbuilder
itself retries connection errors (msrest) but not 429 or 5xx on POST, and a failure inside
``continue_conversation`` would go to ``on_turn_error`` and be swallowed, so the send is
wrapped here and its HTTP status and ``Retry-After`` returned as a :class:`SendResult`.
"""

from __future__ import annotations

import logging
import time
from email.utils import parsedate_to_datetime
from typing import Any

import requests
from botbuilder.core import TurnContext
from botbuilder.integration.aiohttp import CloudAdapter
from botbuilder.schema import ConversationReference
from msrest.exceptions import ClientRequestError, HttpOperationError

from bot.jobs.types import SendResult
from bot.teams.convert import activity_for
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


def _from_error(exc: HttpOperationError) -> SendResult:
    response: Any = getattr(exc, "response", None)
    status = getattr(response, "status_code", None)
    headers = getattr(response, "headers", None) or {}
    return SendResult(
        status=int(status) if status is not None else None,
        retry_after=retry_after_seconds(headers.get("Retry-After")),
        error=str(exc)[:300],
    )


def _never_connected(error: object) -> bool:
    """True when the request cannot have reached the connector (refused, connect timeout)."""
    if isinstance(error, requests.exceptions.ConnectTimeout):
        return True
    text = str(error)
    return isinstance(error, requests.exceptions.ConnectionError) and (
        "NewConnectionError" in text or "Failed to establish a new connection" in text
    )


def _no_answer(exc: ClientRequestError) -> SendResult:
    """No HTTP answer: certain failure when the connection never opened, else in doubt."""
    inner = getattr(exc, "inner_exception", None)
    described = f"{exc}: {inner}" if inner else str(exc)
    return SendResult(status=None, error=described[:300], in_doubt=not _never_connected(inner))


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
            except HttpOperationError as exc:
                answer.append(_from_error(exc))
            except ClientRequestError as exc:
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
