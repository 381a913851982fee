"""A fake Bot Connector (REST API v3) on 127.0.0.1 that records what the bot sends.

It answers replies, sends, updates, deletes, member look-ups and create-conversation, and can
be told to fail: a 429 with Retry-After, a 503, 403/404 for a conversation that is gone, or an
error for every targeted send (``?isTargetedActivity=true``) or create-conversation.
Every Adaptive Card that arrives is checked against the schema and size budget.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import time
from collections import deque
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote

from aiohttp import web

from tests.cardcheck import check_card


@dataclass
class Arrival:
    """One request the bot made to the connector."""

    method: str
    conversation_id: str
    activity_id: str | None
    body: dict[str, Any]
    at: float
    status: int
    targeted: bool = False

    @property
    def cards(self) -> list[dict[str, Any]]:
        """The Adaptive Cards in the activity."""
        return [
            a["content"]
            for a in self.body.get("attachments") or []
            if a.get("contentType") == "application/vnd.microsoft.card.adaptive"
        ]

    @property
    def text(self) -> str:
        """The activity's text."""
        return str(self.body.get("text") or "")


@dataclass
class Fault:
    """A failure to answer instead of success."""

    status: int
    retry_after: float | None = None


@dataclass
class FakeConnector:
    """Start with ``await connector.start()``; ``url`` is its service URL."""

    members: dict[str, dict[str, Any]] = field(default_factory=dict)
    delay_seconds: float = 0.0
    arrivals: list[Arrival] = field(default_factory=list)
    card_errors: list[str] = field(default_factory=list)
    url: str = ""
    in_flight: int = 0
    _faults: deque[Fault] = field(default_factory=deque)
    _gone: dict[str, int] = field(default_factory=dict)
    refuse_targeted: int | None = None
    refuse_create: int | None = None
    created: list[dict[str, Any]] = field(default_factory=list)
    roster_reads: int = 0
    _ids: Any = field(default_factory=lambda: itertools.count(1000))
    _runner: web.AppRunner | None = None
    _event: asyncio.Event = field(default_factory=asyncio.Event)

    async def start(self) -> FakeConnector:
        """Listen on a free loopback port."""
        app = web.Application()
        app.router.add_post("/v3/conversations/{cid}/activities/{aid}", self._activity)
        app.router.add_post("/v3/conversations/{cid}/activities", self._activity)
        app.router.add_put("/v3/conversations/{cid}/activities/{aid}", self._activity)
        app.router.add_delete("/v3/conversations/{cid}/activities/{aid}", self._delete)
        app.router.add_get("/v3/conversations/{cid}/members/{uid}", self._member)
        app.router.add_get("/v3/conversations/{cid}/members", self._roster)
        app.router.add_post("/v3/conversations", self._create)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        self.url = f"http://127.0.0.1:{port}/"
        return self

    async def stop(self) -> None:
        """Stop listening."""
        if self._runner is not None:
            await self._runner.cleanup()

    def fail_next(self, status: int, *, times: int = 1, retry_after: float | None = None) -> None:
        """Answer the next ``times`` sends with ``status`` (and Retry-After)."""
        for _ in range(times):
            self._faults.append(Fault(status, retry_after))

    def gone(self, conversation_id: str, status: int = 403) -> None:
        """Answer every send to this conversation with 403/404 (the app was removed)."""
        self._gone[conversation_id] = status

    def sent(self, conversation_id: str | None = None) -> list[Arrival]:
        """Successful POSTs (replies and sends), optionally to one conversation."""
        return [
            a
            for a in self.arrivals
            if a.method == "POST"
            and a.status < 300
            and (conversation_id is None or a.conversation_id == conversation_id)
        ]

    def updates(self) -> list[Arrival]:
        """Successful PUTs (messages updated in place)."""
        return [a for a in self.arrivals if a.method == "PUT" and a.status < 300]

    async def wait_for(self, count: int, timeout: float = 10.0) -> list[Arrival]:
        """Wait until at least ``count`` messages were delivered."""
        deadline = time.monotonic() + timeout
        while len(self.sent()) < count:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise AssertionError(f"expected {count} messages, got {len(self.sent())}")
            self._event.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._event.wait(), remaining)
        return self.sent()

    def reset(self) -> None:
        """Forget what arrived."""
        self.arrivals.clear()

    async def _activity(self, request: web.Request) -> web.Response:
        cid = unquote(request.match_info["cid"])
        aid = request.match_info.get("aid")
        body = await request.json()
        if self.delay_seconds:
            self.in_flight += 1
            try:
                await asyncio.sleep(self.delay_seconds)
            finally:
                self.in_flight -= 1
        status, headers = 200, {}
        targeted = request.query.get("isTargetedActivity") == "true"
        if targeted and self.refuse_targeted is not None:
            status = self.refuse_targeted
        elif cid in self._gone:
            status = self._gone[cid]
        elif self._faults:
            fault = self._faults.popleft()
            status = fault.status
            if fault.retry_after is not None:
                headers["Retry-After"] = str(fault.retry_after)
        arrival = Arrival(request.method, cid, aid, body, time.monotonic(), status, targeted)
        self.arrivals.append(arrival)
        if status < 300:
            for card in Arrival(request.method, cid, aid, body, 0, status).cards:
                self.card_errors.extend(check_card(card))
        self._event.set()
        if status >= 300:
            return web.json_response(
                {"error": {"code": str(status)}}, status=status, headers=headers
            )
        new_id = aid if request.method == "PUT" and aid else str(next(self._ids))
        return web.json_response({"id": new_id})

    async def _delete(self, request: web.Request) -> web.Response:
        return web.Response(status=200)

    async def _member(self, request: web.Request) -> web.Response:
        uid = unquote(request.match_info["uid"])
        member = self.members.get(uid)
        if member is None:
            return web.json_response({"error": {"code": "NotFound"}}, status=404)
        return web.json_response({"id": uid, **member})

    async def _roster(self, request: web.Request) -> web.Response:
        self.roster_reads += 1
        return web.json_response([{"id": uid, **member} for uid, member in self.members.items()])

    async def _create(self, request: web.Request) -> web.Response:
        if self.refuse_create is not None:
            return web.json_response({"error": {"code": "Forbidden"}}, status=self.refuse_create)
        self.created.append(await request.json())
        return web.json_response({"id": f"a:new-{next(self._ids)}", "activityId": "1"})
