"""Random activities and card payloads: no 500s, no stack traces to users, nothing written."""

from __future__ import annotations

import asyncio
import json
import threading
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import requests
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from bot.clock import FixedClock
from cards import verbs
from storage.db import make_engine, make_sessionmaker
from storage.models import Action, Membership, ProgressUpdate
from tests.harness import BotServer, message, settings_for

JSON = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**40), 2**40) | st.text(max_size=40),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10), children, max_size=4)
    ),
    max_leaves=12,
)
VERB = st.sampled_from([*sorted(verbs.ALL_VERBS), "", "x", "update"]) | st.text(max_size=20)
DATA = st.fixed_dictionaries(
    {},
    optional={
        "verb": VERB,
        "actionId": st.integers(-5, 100) | st.text(max_size=5) | st.none(),
        "q": JSON
        | st.fixed_dictionaries(
            {"i": st.sampled_from(["overdue", "actions", "due"])},
            optional={"win": JSON, "b": JSON, "t": JSON, "asof": JSON},
        ),
        "page": JSON,
        "dialog": st.sampled_from(["update", "nope"]) | st.text(max_size=8),
        "key": st.text(max_size=30),
        "status": st.text(max_size=20),
        "text": st.text(max_size=300),
        "revisedDate": st.text(max_size=12),
        "evidenceUrl": st.text(max_size=40),
        "bodies": st.text(max_size=20),
        "origin": JSON,
        "extra": JSON,
    },
)
TEXT = st.text(max_size=300) | st.sampled_from(
    [
        "update 1.10 on track: x",
        "history 99.99",
        "<at>Test Bot</at> overdue",
        "action 1.1",
        "status",
        "\x00",
        "link this channel to DASVG",
    ]
)


class ServerThread:
    """The bot server on its own event loop thread, for hypothesis to drive synchronously."""

    def __init__(self, server: BotServer) -> None:
        self.server = server
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)

    def __enter__(self) -> ServerThread:
        self.thread.start()
        asyncio.run_coroutine_threadsafe(self.server.__aenter__(), self.loop).result(60)
        return self

    def __exit__(self, *exc: object) -> None:
        asyncio.run_coroutine_threadsafe(self.server.__aexit__(None, None, None), self.loop).result(
            60
        )
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(10)

    def post(self, activity: dict[str, Any]) -> requests.Response:
        activity = {**activity, "serviceUrl": self.server.connector.url}
        return requests.post(
            f"{self.server.url}/api/messages",
            data=json.dumps(activity),
            headers={"Content-Type": "application/json"},
            timeout=30,
        )


@pytest.fixture
def running(sqlite_url: str, tmp_path: Path) -> Iterator[ServerThread]:
    clock = FixedClock.at_london_noon(date(2022, 6, 1))
    with ServerThread(BotServer(settings_for(sqlite_url, tmp_path), clock)) as thread:
        yield thread


def counts(url: str) -> tuple[int, int, int]:
    engine = make_engine(url)
    with make_sessionmaker(engine)() as session:
        result = tuple(
            int(session.scalar(select(func.count()).select_from(model)) or 0)
            for model in (ProgressUpdate, Membership, Action)
        )
    engine.dispose()
    return result  # type: ignore[return-value]


@settings(
    max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    kind=st.sampled_from(
        [
            "message",
            "invoke",
            "conversationUpdate",
            "installationUpdate",
            "event",
            "typing",
            "messageReaction",
        ]
    )
    | st.text(max_size=12),
    name=st.sampled_from(
        [
            "adaptiveCard/action",
            "task/fetch",
            "task/submit",
            "composeExtension/query",
            "signin/verifyState",
        ]
    )
    | st.text(max_size=20),
    text=TEXT,
    data=DATA,
    wrap=st.sampled_from(["value", "execute", "task", "none", "garbage"]),
    garbage=JSON,
    conversation_type=st.sampled_from(["personal", "channel", "groupChat"]),
)
def test_random_activities(
    running: ServerThread,
    sqlite_url: str,
    kind: str,
    name: str,
    text: str,
    data: dict[str, Any],
    wrap: str,
    garbage: Any,
    conversation_type: str,
) -> None:
    before = counts(sqlite_url)
    activity = message(text, kind=conversation_type, aad="aad-fuzz")
    activity["type"] = kind or "message"
    if kind == "invoke":
        activity["name"] = name
    if wrap == "value":
        activity["value"] = data
    elif wrap == "execute":
        activity["value"] = {
            "action": {"type": "Action.Execute", "verb": data.get("verb"), "data": data}
        }
    elif wrap == "task":
        activity["value"] = {"data": data}
    elif wrap == "garbage":
        activity["value"] = garbage
    response = running.post(activity)
    assert response.status_code < 500, response.text
    for arrival in running.server.connector.arrivals:
        dumped = json.dumps(arrival.body)
        assert "Traceback" not in dumped and "Exception" not in dumped
    assert counts(sqlite_url) == before
