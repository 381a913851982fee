"""Calls to the Bot Connector: retried only when the connection never opened."""

from __future__ import annotations

from typing import Any

import aiohttp
import pytest
from aiohttp.client_reqrep import ConnectionKey

from bot.teams import outbound
from bot.teams.outbound import ConnectorError, ConnectorSession


async def _no_token() -> None:
    return None


def _refused() -> aiohttp.ClientConnectorError:
    key = ConnectionKey("127.0.0.1", 9, False, True, None, None, None)
    return aiohttp.ClientConnectorError(key, OSError(111, "Connection refused"))


@pytest.fixture
def pauses() -> list[float]:
    return []


def session_for(pauses: list[float]) -> ConnectorSession:
    """A session that records its waits between attempts instead of waiting."""

    async def sleep(seconds: float) -> None:
        pauses.append(seconds)

    return ConnectorSession(_no_token, sleep=sleep)


async def test_a_refused_connection_is_tried_three_times_with_backoff(
    monkeypatch: pytest.MonkeyPatch, pauses: list[float]
) -> None:
    session = session_for(pauses)
    attempts: list[bytes | None] = []

    async def once(method: str, url: str, body: bytes | None, headers: dict[str, str]) -> Any:
        attempts.append(body)
        raise _refused()

    monkeypatch.setattr(session, "_once", once)
    with pytest.raises(aiohttp.ClientConnectorError):
        await session.send("http://127.0.0.1:9/", "a:1", {"type": "message"}, "17")
    assert attempts == [b'{"type":"message"}'] * outbound.CONNECT_ATTEMPTS
    assert len(pauses) == outbound.CONNECT_ATTEMPTS - 1
    assert all(0.2 <= p <= outbound.BACKOFF_MAX for p in pauses)


async def test_success_after_a_refusal(
    monkeypatch: pytest.MonkeyPatch, pauses: list[float]
) -> None:
    session = session_for(pauses)
    outcomes: list[Any] = [_refused(), {"id": "new-1"}]

    async def once(method: str, url: str, body: bytes | None, headers: dict[str, str]) -> Any:
        outcome = outcomes.pop(0)
        if isinstance(outcome, Exception):
            raise outcome
        return outcome

    monkeypatch.setattr(session, "_once", once)
    assert await session.send("http://127.0.0.1:9/", "a:1", {"type": "message"}, None) == "new-1"
    assert len(pauses) == 1


async def test_an_error_answer_or_a_lost_answer_is_not_retried(
    monkeypatch: pytest.MonkeyPatch, pauses: list[float]
) -> None:
    session = session_for(pauses)
    for error in (ConnectorError(429, "1", "throttled"), aiohttp.ServerDisconnectedError()):
        attempts: list[str] = []

        async def once(
            method: str,
            url: str,
            body: bytes | None,
            headers: dict[str, str],
            error: Any = error,
            attempts: list[str] = attempts,
        ) -> Any:
            attempts.append(method)
            raise error

        monkeypatch.setattr(session, "_once", once)
        with pytest.raises(type(error)):
            await session.send("http://127.0.0.1:9/", "a:1", {"type": "message"}, None)
        assert attempts == ["POST"]  # it may have been delivered: sending again could duplicate
    assert pauses == []


def test_backoff_grows_and_is_capped() -> None:
    for attempt in range(1, 8):
        pause = outbound.backoff_seconds(attempt)
        low = min(outbound.BACKOFF_BASE * 2 ** (attempt - 1), outbound.BACKOFF_MAX)
        assert low <= pause <= outbound.BACKOFF_MAX
