"""Calls to the Bot Connector over one keep-alive aiohttp session.

botbuilder 4.17.1 sends each reply with ``requests`` on a small thread pool, through an msrest
client built afresh for every turn (a new TCP connection each time): about 5 ms of CPU per turn
and at most ~6 / (connector round trip) sends per second. This module makes the same REST calls
(Connector API v3) asynchronously, reusing connections and a cached token.
"""

from __future__ import annotations

import asyncio
import json
import logging
import random
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

import aiohttp

from bot.background import in_worker

log = logging.getLogger(__name__)

TokenSource = Callable[[], Awaitable[str | None]]
TIMEOUT = aiohttp.ClientTimeout(total=30, connect=10)
USER_AGENT = "SaferPartnershipBot/1.0 (aiohttp)"
CONNECT_ATTEMPTS = 3
# Before attempt n+1: 0.2 s * 2**(n-1) plus up to 1 s of jitter, at most 2 s.
BACKOFF_BASE, BACKOFF_JITTER, BACKOFF_MAX = 0.2, 1.0, 2.0
JSON_HEADERS = {"Content-Type": "application/json; charset=utf-8"}


class ConnectorError(Exception):
    """The connector answered with an error status."""

    def __init__(self, status: int, retry_after: str | None, body: str) -> None:
        super().__init__(f"Bot Connector answered {status}: {body[:200]}")
        self.status = status
        self.retry_after = retry_after
        self.body = body


def _never_connected(error: BaseException) -> bool:
    """A connection that never opened: safe to try again (nothing can have been delivered)."""
    return isinstance(error, aiohttp.ClientConnectorError | aiohttp.ConnectionTimeoutError)


def backoff_seconds(attempt: int) -> float:
    """The pause after failed attempt ``attempt`` (1-based): exponential, with jitter."""
    return min(BACKOFF_BASE * 2 ** (attempt - 1) + random.uniform(0, BACKOFF_JITTER), BACKOFF_MAX)


@dataclass
class ConnectorSession:
    """One aiohttp session for every call; ``token`` gives the bearer token (None: no auth)."""

    token: TokenSource
    # How to wait between connection attempts (tests pass one that records and returns).
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep
    _session: aiohttp.ClientSession | None = None

    def _client(self) -> aiohttp.ClientSession:
        if self._session is None or self._session.closed:
            connector = aiohttp.TCPConnector(limit=200, limit_per_host=100, keepalive_timeout=60)
            self._session = aiohttp.ClientSession(
                connector=connector, timeout=TIMEOUT, headers={"User-Agent": USER_AGENT}
            )
        return self._session

    async def close(self) -> None:
        """Close the connections."""
        if self._session is not None and not self._session.closed:
            await self._session.close()

    @staticmethod
    def url(service_url: str, *parts: str) -> str:
        """``{serviceUrl}/v3/conversations/{id}/...`` with each part quoted."""
        base = service_url.rstrip("/")
        return base + "/v3/conversations/" + "/".join(quote(p, safe="") for p in parts)

    async def _call(self, method: str, url: str, payload: dict[str, Any] | None) -> Any:
        headers = dict(JSON_HEADERS) if payload is not None else {}
        token = await self.token()
        if token:
            headers["Authorization"] = f"Bearer {token}"
        # Serialised once (compact), not again for each attempt.
        body = None if payload is None else json.dumps(payload, separators=(",", ":")).encode()
        # A plain loop rather than tenacity's machinery: this runs on every reply.
        for attempt in range(1, CONNECT_ATTEMPTS + 1):
            try:
                return await self._once(method, url, body, headers)
            except Exception as exc:
                if attempt == CONNECT_ATTEMPTS or not _never_connected(exc):
                    raise
            await self.sleep(backoff_seconds(attempt))
        raise AssertionError("unreachable")

    async def _once(
        self, method: str, url: str, body: bytes | None, headers: dict[str, str]
    ) -> Any:
        async with self._client().request(method, url, data=body, headers=headers) as response:
            text = await response.text()
            if response.status >= 400:
                raise ConnectorError(response.status, response.headers.get("Retry-After"), text)
            return _json(text)

    async def send(
        self,
        service_url: str,
        conversation_id: str,
        activity: dict[str, Any],
        reply_to_id: str | None,
    ) -> str | None:
        """Post an activity (as a reply when ``reply_to_id`` is set); returns its id."""
        parts = [conversation_id, "activities"] + ([reply_to_id] if reply_to_id else [])
        answer = await self._call("POST", self.url(service_url, *parts), activity)
        return answer.get("id") if isinstance(answer, dict) else None

    async def update(
        self, service_url: str, conversation_id: str, activity_id: str, activity: dict[str, Any]
    ) -> str | None:
        """Replace a message the bot sent earlier."""
        url = self.url(service_url, conversation_id, "activities", activity_id)
        answer = await self._call("PUT", url, activity)
        return answer.get("id") if isinstance(answer, dict) else None

    async def member(
        self, service_url: str, conversation_id: str, member_id: str
    ) -> dict[str, Any] | None:
        """A member of the conversation (the roster entry), or None when not found."""
        try:
            answer = await self._call(
                "GET", self.url(service_url, conversation_id, "members", member_id), None
            )
        except ConnectorError as exc:
            if exc.status in (403, 404):
                return None
            raise
        return answer if isinstance(answer, dict) else None


def _json(text: str) -> Any:
    try:
        return json.loads(text) if text else None
    except ValueError:
        return None


class CachedToken:
    """A bearer token from botframework's app credentials, refreshed before it expires.

    The credentials' own ``get_access_token`` blocks (MSAL) on first use, so it runs in a thread.
    """

    LIFETIME_SECONDS = 600.0

    def __init__(self, credentials_factory: Callable[[], Awaitable[Any]] | None) -> None:
        self._factory = credentials_factory
        self._credentials: Any = None
        self._token: str | None = None
        self._expires = 0.0
        self._lock = asyncio.Lock()

    async def __call__(self) -> str | None:
        """The current token, or None when the bot has no app id (development mode)."""
        if self._factory is None:
            return None
        if self._token and time.monotonic() < self._expires:
            return self._token
        async with self._lock:
            if self._token and time.monotonic() < self._expires:
                return self._token
            if self._credentials is None:
                self._credentials = await self._factory()
            self._token = await in_worker(None, self._credentials.get_access_token)
            self._expires = time.monotonic() + self.LIFETIME_SECONDS
            return self._token
