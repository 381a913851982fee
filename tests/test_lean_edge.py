"""The edge's lean paths behave as the SDK's own, over real HTTP with a fake connector.

Each scenario is played twice, on fresh copies of the same database: once with the adapter's
lean send path (``bot.teams.outgoing``, the default while tracing is off) and once with the
SDK's ``send_activities`` (``adapter.lean_sends = False``). The HTTP answers and everything
the fake connector receives (method, URL, body) must be the same.
"""

from __future__ import annotations

import json
import shutil
import socket
import uuid
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from microsoft_agents.activity import Activity, Attachment, ConversationAccount, Entity
from microsoft_agents.hosting.core import ClaimsIdentity
from pydantic_core import to_json

from bot.clock import FixedClock
from bot.teams import adapter as adapter_module
from bot.teams.outgoing import activity_body, activity_url, post_activity, takes_lean_path
from cards import verbs
from tests.harness import BotServer, execute, install, message, settings_for, submit, task
from tests.test_updates import MEMBER, action_id, add_people

Scenario = list[dict[str, Any]]


def scenarios(sqlite_url: str) -> dict[str, Scenario]:
    """Named lists of activities, each played in order."""
    update = {"dialog": "update", "actionId": action_id(sqlite_url, "1.10")}
    saved = {**update, "status": "On track", "text": "Training dates agreed."}
    reaction = {**message("x"), "type": "messageReaction", "reactionsAdded": [{"type": "like"}]}
    return {
        "message": [message("what's overdue for OPCCN?", aad=MEMBER)],
        "channel message": [message("overdue OPCCN", kind="channel", aad=MEMBER)],
        "card submit": [submit({"verb": verbs.RUN_COMMAND, "text": "priorities"}, aad=MEMBER)],
        "unknown verb": [submit({"verb": "no.such.verb"}, aad=MEMBER)],
        "execute": [execute(verbs.RUN_COMMAND, {"text": "priorities"}, aad=MEMBER)],
        "dialog": [task("task/fetch", update, aad=MEMBER), task("task/submit", saved, aad=MEMBER)],
        "install": [install(conversation_id="conv-install")],
        "unknown type": [reaction, {**message("x"), "type": "somethingNew"}],
    }


def _stable(activity: dict[str, Any]) -> dict[str, Any]:
    return {**activity, "id": f"fixed-{activity['type']}-{activity.get('name', '')}"}


Played = tuple[list[Any], list[tuple[str, str, str | None, dict[str, Any]]], int]


async def play(
    database: Path,
    tmp_path: Path,
    clock: FixedClock,
    steps: Scenario,
    monkeypatch: pytest.MonkeyPatch,
    *,
    lean: bool,
) -> Played:
    """(HTTP answers, connector arrivals, lean posts) for ``steps`` on a copy of ``database``."""
    copy = tmp_path / f"{'lean' if lean else 'sdk'}-{uuid.uuid4().hex}.sqlite3"
    shutil.copyfile(database, copy)
    lean_posts: list[str] = []

    async def counted(client: Any, activity: Activity) -> Any:
        lean_posts.append(str(activity.type))
        return await post_activity(client, activity)

    monkeypatch.setattr(adapter_module, "post_activity", counted)
    async with BotServer(settings_for(f"sqlite:///{copy}", tmp_path), clock) as server:
        server.runtime.adapter.lean_sends = lean
        answers = [_relative(await server.post(_stable(step)), "") for step in steps]
        here = server.connector.url
        arrivals = [
            (a.method, a.conversation_id, a.activity_id, _relative(a.body, here))
            for a in server.connector.arrivals
        ]
    return answers, arrivals, len(lean_posts)


def _relative(body: Any, connector_url: str) -> Any:
    """``body`` without what differs between two servers: the connector's URL (a port per
    server) and the dialogs' random update keys."""
    text = json.dumps(body).replace(connector_url, "<connector>/") if connector_url else None
    return _no_keys(json.loads(text) if text else body)


def _no_keys(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: "<key>" if k == "updateKey" else _no_keys(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_no_keys(v) for v in value]
    return value


@pytest.mark.parametrize(
    "name",
    [
        "message",
        "channel message",
        "card submit",
        "unknown verb",
        "execute",
        "dialog",
        "install",
        "unknown type",
    ],
)
async def test_lean_sends_match_the_sdks(
    name: str,
    sqlite_url: str,
    tmp_path: Path,
    clock: FixedClock,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    add_people(sqlite_url)
    steps = scenarios(sqlite_url)[name]
    database = Path(sqlite_url.removeprefix("sqlite:///"))
    answers, arrivals, lean_posts = await play(
        database, tmp_path, clock, steps, monkeypatch, lean=True
    )
    sdk_answers, sdk_arrivals, sdk_lean_posts = await play(
        database, tmp_path, clock, steps, monkeypatch, lean=False
    )
    assert (answers, arrivals) == (sdk_answers, sdk_arrivals)
    assert all(status < 300 for status, _ in answers), answers
    assert sdk_lean_posts == 0
    assert lean_posts == sum(a[0] == "POST" for a in arrivals)  # every post went the lean way
    if name not in ("unknown type", "dialog", "execute"):  # their answer is the HTTP one
        assert arrivals, "nothing reached the connector"


@pytest.mark.parametrize("lean", [True, False])
async def test_a_connector_error_reaches_the_turn_as_the_sdks_does(
    lean: bool, sqlite_url: str, tmp_path: Path, clock: FixedClock
) -> None:
    """A refused reply is the SDK's error: the turn-error handler tries to say sorry."""
    async with BotServer(settings_for(sqlite_url, tmp_path), clock) as server:
        server.runtime.adapter.lean_sends = lean
        server.connector.fail_next(503)
        status, _ = await server.post(message("what's overdue for OPCCN?"))
        assert status == 201
        (apology,) = await server.connector.wait_for(1)
        first = server.connector.arrivals[0]
        assert first.status == 503 and first.cards
        assert "something went wrong" in apology.text


def _activities() -> list[Activity]:
    card = {"type": "AdaptiveCard", "version": "1.5", "body": [{"type": "TextBlock", "x": None}]}
    conversation = ConversationAccount(id="a:" + "c" * 200, conversation_type="personal")
    return [
        Activity(type="message", text="hello", conversation=conversation, reply_to_id="r1"),
        Activity(
            type="message",
            conversation=conversation,
            attachments=[
                Attachment(content_type="application/vnd.microsoft.card.adaptive", content=card)
            ],
            attachment_layout="list",
            channel_id="msteams",
            entities=[Entity(type="mention", text="<at>x</at>")],
        ),
        Activity(
            type="message",
            conversation=conversation,
            channel_id="msteams:COPILOT",
            attachments=[Attachment(content_type="text/plain", content="not a dict")],
        ),
    ]


@pytest.mark.parametrize("activity", _activities())
def test_activity_body_is_the_sdks_dump(activity: Activity) -> None:
    sdk = activity.model_dump(by_alias=True, exclude_unset=True, exclude_none=True, mode="json")
    assert json.loads(activity_body(activity)) == json.loads(to_json(sdk))


def test_activity_url_is_the_sdks() -> None:
    reply, new, _ = _activities()
    assert activity_url(reply) == f"v3/conversations/a:{'c' * 148}/activities/r1"
    assert activity_url(new) == f"v3/conversations/a:{'c' * 148}/activities"


def test_invoke_responses_traces_and_the_agents_channel_stay_with_the_sdk() -> None:
    conversation = ConversationAccount(id="c1")
    assert takes_lean_path(Activity(type="message", conversation=conversation))
    assert not takes_lean_path(Activity(type="invokeResponse", conversation=conversation))
    assert not takes_lean_path(Activity(type="trace", conversation=conversation))
    assert not takes_lean_path(Activity(type="message"))
    assert not takes_lean_path(
        Activity(type="message", conversation=conversation, channel_id="agents")
    )


async def test_a_lean_post_carries_the_token_and_retries_an_unopened_connection(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """What the kept session's middlewares add, the lean path adds too."""
    from aiohttp import web

    from bot.teams import connector as kept

    seen: list[tuple[str, str, bytes]] = []

    async def receive(request: web.Request) -> web.Response:
        seen.append((request.headers.get("Authorization", ""), request.path, await request.read()))
        return web.json_response({"id": "new-1"})

    app = web.Application()
    app.router.add_post("/v3/conversations/{cid}/activities/{aid}", receive)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    factory = kept.KeptClientFactory(None)
    reply = Activity(
        type="message", text="hi", conversation=ConversationAccount(id="a:1"), reply_to_id="r1"
    )
    try:
        client = await factory.create_connector_client(
            None, ClaimsIdentity(), f"http://127.0.0.1:{port}/", "aud", use_anonymous=True
        )
        assert isinstance(client, kept.KeptConnectorClient)

        async def token() -> str:
            return "t0ken"

        client.token = kept.CachedToken(token)
        answer = await post_activity(client, reply)
        assert answer.id == "new-1"
        assert seen == [
            ("Bearer t0ken", "/v3/conversations/a:1/activities/r1", activity_body(reply))
        ]

        pauses: list[float] = []

        async def no_sleep(seconds: float) -> None:
            pauses.append(seconds)

        monkeypatch.setattr(kept.asyncio, "sleep", no_sleep)
        with socket.socket() as sock:  # a port that refuses: bound, never listening
            sock.bind(("127.0.0.1", 0))
            refusing = await factory.create_connector_client(
                None, ClaimsIdentity(), f"http://127.0.0.1:{sock.getsockname()[1]}/", "aud"
            )
            with pytest.raises(aiohttp.ClientConnectorError):
                await post_activity(refusing, reply)  # type: ignore[arg-type]
        assert len(pauses) == kept.CONNECT_ATTEMPTS - 1
    finally:
        await factory.close()
        await runner.cleanup()
