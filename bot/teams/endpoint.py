"""``POST /api/messages``: the SDK's JWT check, then our request checks, then the turn."""

from __future__ import annotations

import json
import logging
import warnings
from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import urlsplit

from aiohttp import web
from microsoft_agents.activity import Activity
from microsoft_agents.hosting.aiohttp import jwt_authorization_decorator
from microsoft_agents.hosting.core import ClaimsIdentity, TurnContext
from pydantic import ValidationError

from bot.teams.adapter import PartnershipAdapter
from bot.teams.convert import tenants_of

log = logging.getLogger(__name__)
MAX_BODY_BYTES = 256 * 1024
# Where the SDK's JWT middleware looks for the configuration it checks tokens against.
SDK_AUTH_KEY = "agent_configuration"
Logic = Callable[[TurnContext], Awaitable[None]]


def _problem(status: int, message: str) -> web.Response:
    return web.json_response({"error": message}, status=status)


def _activity(raw: bytes) -> Activity | web.Response:
    """The activity in a request body, or the 400 answer saying what is wrong with it."""
    try:
        body = json.loads(raw)
    except (ValueError, UnicodeDecodeError):
        return _problem(400, "the body is not valid JSON")
    except RecursionError:
        return _problem(400, "the body is nested too deeply")
    if not isinstance(body, dict):
        return _problem(400, "the body must be a JSON object (an activity)")
    if not body.get("type"):
        return _problem(400, "the activity has no type")
    try:
        activity = Activity.model_validate(body)
    except (ValidationError, RecursionError):
        return _problem(400, "the body is not a valid activity")
    if activity.conversation is None or not activity.conversation.id:
        return _problem(400, "the activity has no conversation id")
    if not activity.service_url:
        return _problem(400, "the activity has no serviceUrl")
    return activity


def service_url_matches(claims: ClaimsIdentity, service_url: str) -> bool:
    """Whether the activity's ``serviceUrl`` has the host its token's ``serviceurl`` claim names.

    Replies go to ``serviceUrl``: a token issued for one connector must not send the bot's
    replies (and its bearer token) to another host. botbuilder enforced this; the Agents SDK
    does only with its outbound host validator. Tokens without the claim (development mode)
    pass.
    """
    claimed = claims.get_claim_value("serviceurl") if claims.claims else None
    if not claimed:
        return True
    host = urlsplit(str(claimed)).hostname
    return bool(host) and host == urlsplit(service_url).hostname


def messages_handler(
    adapter: PartnershipAdapter, logic: Logic, allowed_tenants: tuple[str, ...]
) -> Callable[[web.Request], Awaitable[web.StreamResponse]]:
    """The aiohttp handler for ``/api/messages``.

    The SDK's ``jwt_authorization_decorator`` authenticates the request first (401 otherwise);
    then the body is read and checked (415, 413, 400), the activity's ``serviceUrl`` checked
    against the token's (401), the tenant allow-list applied (403), and the turn run by the
    adapter (201, or the invoke response).
    """

    async def messages(request: web.Request) -> web.StreamResponse:
        if request.content_type != "application/json":
            return _problem(415, "Content-Type must be application/json")
        if request.content_length is not None and request.content_length > MAX_BODY_BYTES:
            return _problem(413, f"the body is larger than {MAX_BODY_BYTES} bytes")
        try:
            raw = await request.read()
        except web.HTTPRequestEntityTooLarge:
            return _problem(413, f"the body is larger than {MAX_BODY_BYTES} bytes")
        activity = _activity(raw)
        if isinstance(activity, web.Response):
            return activity
        claims: ClaimsIdentity = request.get("claims_identity") or ClaimsIdentity()
        if not service_url_matches(claims, activity.service_url or ""):
            log.warning("refused an activity whose serviceUrl is not the one its token names")
            return _problem(401, "unauthorized")
        # The conversation's tenant and, in a shared channel, the sender's own must be partners.
        tenants = tenants_of(activity) or ("",)
        refused = [t for t in tenants if t.lower() not in allowed_tenants]
        if allowed_tenants and refused:
            log.warning(
                "refused an activity from a tenant that is not allowed: %s", refused[0][:64]
            )
            return _problem(403, "this bot does not serve your organisation")
        try:
            invoke = await adapter.process_activity(claims, activity, logic)
        except PermissionError:
            return _problem(401, "unauthorized")
        if invoke is not None:
            return web.json_response(_plain(invoke.body), status=int(invoke.status or 200))
        return web.Response(status=201)

    return jwt_authorization_decorator(messages)


def _plain(body: Any) -> Any:
    """An invoke body as JSON-ready data (a model is dumped as the wire expects it)."""
    dump = getattr(body, "model_dump", None)
    return dump(mode="json", by_alias=True, exclude_none=True) if callable(dump) else body


def add_messages_route(
    app: web.Application, adapter: PartnershipAdapter, logic: Logic, allowed: tuple[str, ...]
) -> None:
    """Serve ``POST /api/messages`` on ``app`` with the SDK's token check."""
    with warnings.catch_warnings():
        # The SDK's middleware reads a plain string key (aiohttp prefers typed AppKeys).
        warnings.simplefilter("ignore")
        app[SDK_AUTH_KEY] = adapter.auth
    app.router.add_post("/api/messages", messages_handler(adapter, logic, allowed))
