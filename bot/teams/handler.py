"""The Teams activity handler: activities in, neutral requests to ``bot.dispatch``, replies out."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from concurrent.futures import Executor
from dataclasses import replace
from datetime import date
from http import HTTPStatus
from typing import Any, TypeVar

import aiohttp
from cachetools import TTLCache
from microsoft_agents.activity import ChannelAccount, InvokeResponse
from microsoft_agents.hosting.core import ActivityHandler, TurnContext
from microsoft_agents.hosting.core.connector import ConnectorClientBase

from bot import dispatch
from bot.background import in_worker
from bot.services import Services
from bot.teams import convert
from bot.teams.live import LiveCards
from bot.teams.meetings import MEETING_EVENTS, meeting_key, present, send_nudges
from bot.teams.private import answer_privately, send_here
from bot.teams.references import ReferenceKeeper
from bot.turns import MeetingPresence, Message, Reply, Request
from cards import verbs

log = logging.getLogger(__name__)
T = TypeVar("T")
EmailLookup = Callable[[TurnContext], Awaitable[str | None]]
ROSTER_TIMEOUT = 3.0
EMAILS_KEPT = 10_000
EMAIL_TTL_SECONDS = 3600.0


async def teams_email(turn_context: TurnContext) -> str | None:
    """The sender's e-mail from the Teams roster (the activity itself carries none)."""
    activity = turn_context.activity
    account = activity.from_property
    connector = turn_context.services.get(ConnectorClientBase)  # type: ignore[type-abstract]
    member_of = getattr(connector, "get_conversation_member", None)
    if account is None or not account.id or activity.conversation is None or member_of is None:
        return None
    try:
        found: Any = await asyncio.wait_for(
            member_of(activity.conversation.id, account.id), ROSTER_TIMEOUT
        )
    except aiohttp.ClientResponseError as exc:
        if exc.status not in (403, 404):  # not in the roster: no e-mail, nothing to report
            log.warning("could not read the sender's roster entry: %s", exc.status)
        return None
    except Exception:  # the roster is a nicety: a failure must not fail the turn
        log.warning("could not read the sender's roster entry", exc_info=True)
        return None
    return getattr(found, "email", None) or getattr(found, "user_principal_name", None)


class PartnershipBot(ActivityHandler):
    """Routes every Teams activity the bot handles; all plan logic is in ``bot.dispatch``."""

    def __init__(
        self,
        services: Services,
        *,
        executor: Executor | None = None,
        email_lookup: EmailLookup = teams_email,
        as_of: date | None = None,
        remember_references: bool = True,
    ) -> None:
        self.services = services
        self.executor = executor
        self.email_lookup = email_lookup
        self.as_of = as_of
        self.remember_references = remember_references
        self.references = ReferenceKeeper(services)
        self.live = LiveCards()
        # AAD id -> e-mail (or None): bounded, and read again after an hour.
        self._emails: TTLCache[str, str | None] = TTLCache(EMAILS_KEPT, EMAIL_TTL_SECONDS)

    async def _run(self, fn: Callable[..., T], *args: Any) -> T:
        """Run blocking work (database) off the event loop."""
        return await in_worker(self.executor, fn, *args)

    async def _request(self, turn_context: TurnContext, **fields: Any) -> Request:
        activity = turn_context.activity
        email = await self._email(turn_context)
        request = convert.request_from(
            activity, self.services.clock.now(), email=email, can_answer_privately=True, **fields
        )
        return replace(request, as_of=self.as_of) if self.as_of is not None else request

    async def _email(self, turn_context: TurnContext) -> str | None:
        account = turn_context.activity.from_property
        aad = account.aad_object_id if account else None
        if not aad:
            return await self.email_lookup(turn_context)
        if aad in self._emails:
            return self._emails.get(aad)
        known = await self._run(self.references.known_email, aad)
        email = known or await self.email_lookup(turn_context)
        self._emails[aad] = email
        return email

    async def on_turn(self, turn_context: TurnContext) -> None:  # type: ignore[override]
        """Refresh the conversation reference, handle the activity, log the outcome (ids only)."""
        activity = turn_context.activity
        if self.remember_references and self.references.needs_storing(activity):
            try:
                await self._run(self.references.remember, activity)
            except Exception:  # proactive messages may miss this conversation; the turn goes on
                log.exception("could not store the conversation reference")
        outcome = "error"
        try:
            await super().on_turn(turn_context)
            outcome = "ok"
        finally:
            conversation = activity.conversation
            log.info(
                "turn %s",
                activity.type,
                extra={
                    "activity_id": activity.id,
                    "conversation_type": conversation.conversation_type if conversation else None,
                    "outcome": outcome,
                },
            )

    async def on_message_activity(  # type: ignore[override]
        self, turn_context: TurnContext
    ) -> None:
        """A typed message, or an Action.Submit (a message carrying a value)."""
        submitted = convert.card_action(turn_context.activity)
        if submitted is not None:
            verb, data = submitted
            request = await self._request(turn_context, verb=verb, data=data)
            reply = await self._run(dispatch.handle_card_action, self.services, request)
            await self._answer(turn_context, request, reply, include_card=True)
            return
        text = convert.text_of(turn_context.activity)
        request = await self._request(turn_context, text=text)
        reply = await self._run(dispatch.handle_text, self.services, request)
        await self._answer(turn_context, request, reply, include_card=False)

    async def _answer(
        self, turn_context: TurnContext, request: Request, reply: Reply, *, include_card: bool
    ) -> None:
        """Send a reply: a private one (in a shared conversation) to the sender alone."""
        if reply.private and request.place.is_shared:
            if include_card and reply.card is not None and not reply.messages:
                reply = replace(reply, messages=[Message(card=reply.card)])
            how = await answer_privately(turn_context, reply)
            log.info("private answer", extra={"delivery": how})
            return
        await self._send(turn_context, reply, include_card=include_card)

    async def _refresh_original(
        self, turn_context: TurnContext, card: dict[str, Any] | None
    ) -> None:
        """Replace the message the button was on, so that everyone sees the current status."""
        message_id = turn_context.activity.reply_to_id
        if card is None or not message_id:
            return
        activity = convert.activity_for(Message(card=card))
        activity.id = message_id
        try:
            await turn_context.update_activity(activity)
        except Exception:  # the update is a courtesy to others; the save already happened
            log.warning("could not refresh the original card", exc_info=True)

    async def _send(self, turn_context: TurnContext, reply: Reply, *, include_card: bool) -> None:
        activities = convert.activities_for(reply, include_card=include_card)
        if not activities:
            return
        await self.live.fill(turn_context, activities)
        await send_here(turn_context, activities)

    async def on_installation_update_add(  # type: ignore[override]
        self, turn_context: TurnContext
    ) -> None:
        """Installed in a personal chat, team or group chat: welcome card."""
        request = await self._request(turn_context)
        await self._send(
            turn_context, dispatch.handle_install(self.services, request), include_card=False
        )

    async def on_installation_update_remove(  # type: ignore[override]
        self, turn_context: TurnContext
    ) -> None:
        """Removed: stop posting there."""
        await self._run(self.references.forget, turn_context.activity)

    async def on_members_added_activity(  # type: ignore[override]
        self, members_added: list[ChannelAccount], turn_context: TurnContext
    ) -> None:
        """The bot itself was added (older clients send only this): welcome card."""
        bot_id = turn_context.activity.recipient.id if turn_context.activity.recipient else None
        if any(member.id == bot_id for member in members_added):
            request = await self._request(turn_context)
            await self._send(
                turn_context, dispatch.handle_install(self.services, request), include_card=False
            )

    async def on_event(self, turn_context: TurnContext) -> None:  # type: ignore[override]
        """Meeting start and participant-join events: private overdue notes (once per meeting)."""
        activity = turn_context.activity
        if activity.name not in MEETING_EVENTS:
            return
        people = present(activity)
        key = meeting_key(activity)
        if not people or not key:
            return
        presence = MeetingPresence(
            key, [p.aad_object_id or "" for p in people], self.services.clock.now()
        )
        notes = await self._run(dispatch.meeting_joined, self.services, presence)
        refused = await send_nudges(turn_context, notes, people)
        for note in refused:
            await self._run(dispatch.meeting_nudge_not_sent, self.services, key, note)
        log.info("meeting nudges", extra={"delivery": f"{len(notes) - len(refused)} sent"})

    async def _search(self, turn_context: TurnContext, name: str) -> InvokeResponse:
        """A compose-box search, or a pasted link of the bot's own to unfurl."""
        activity = turn_context.activity
        if name == "composeExtension/queryLink":
            data = {"commandId": verbs.UNFURL_LINK, "url": convert.link_to_unfurl(activity)}
            request = await self._request(turn_context, data=data)
        else:
            command, typed = convert.search_query(activity)
            request = await self._request(turn_context, text=typed, data={"commandId": command})
        results = await self._run(dispatch.search, self.services, request)
        chosen = [
            replace(r, card=await self.live.fill_card(turn_context, r.card))
            for r in results.results
        ]
        results = replace(results, results=tuple(chosen))
        return InvokeResponse(status=int(HTTPStatus.OK), body=convert.search_body(results))

    async def on_invoke_activity(  # type: ignore[override]
        self, turn_context: TurnContext
    ) -> InvokeResponse:
        """Action.Execute and dialog (task module) invokes; anything else is answered 400."""
        name = turn_context.activity.name or ""
        if name == "adaptiveCard/action":
            verb, data = convert.execute_action(turn_context.activity)
            request = await self._request(turn_context, verb=verb, data=data, is_invoke=True)
            reply = await self._run(dispatch.handle_card_action, self.services, request)
            # The answer is the invoke response (the card replaces the one clicked).
            await self._send(turn_context, Reply(messages=reply.posts), include_card=False)
            await self._refresh_original(turn_context, reply.refresh)
            if reply.card is not None:  # a live card stays live for the same people
                reply = replace(reply, card=await self.live.fill_card(turn_context, reply.card))
            return InvokeResponse(status=int(HTTPStatus.OK), body=convert.execute_body(reply))
        if name in ("task/fetch", "task/submit"):
            data = convert.dialog_data(turn_context.activity)
            request = await self._request(turn_context, data=data)
            handler = dispatch.open_dialog if name == "task/fetch" else dispatch.submit_dialog
            result = await self._run(handler, self.services, request)
            for message in getattr(result, "post", []):
                await turn_context.send_activity(convert.activity_for(message))
            await self._refresh_original(turn_context, getattr(result, "refresh", None))
            return InvokeResponse(status=int(HTTPStatus.OK), body=convert.dialog_body(result))
        if name in ("composeExtension/query", "composeExtension/queryLink"):
            return await self._search(turn_context, name)
        return InvokeResponse(
            status=int(HTTPStatus.BAD_REQUEST),
            body={"code": "NotSupported", "message": f"This bot does not handle {name or 'that'}."},
        )
