"""Driving the bot in tests: Teams-shaped activities, the test adapter, the real HTTP server."""

from __future__ import annotations

import copy
import json
import uuid
from dataclasses import replace
from pathlib import Path
from typing import Any

import aiohttp
from aiohttp import web
from microsoft_agents.activity import Activity

from bot.app import Runtime, build_runtime, create_app
from bot.clock import Clock
from bot.config import Settings
from bot.teams.handler import PartnershipBot
from bot.teams.recording import RecordingAdapter
from cards.memo import CardMemo
from tests.cardcheck import check_card
from tests.fakes.connector import FakeConnector

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "teams"
TENANT = "00000000-0000-0000-0000-0000000000001"
BOT_ID = "00000000-0000-0000-0000-00000000000011"
BOT_NAME = "Test Bot"


def fixture(name: str) -> dict[str, Any]:
    """A captured Teams activity (see tests/fixtures/teams/README.md)."""
    return json.loads((FIXTURES / f"{name}.json").read_text(encoding="utf-8"))


def message(
    text: str,
    *,
    kind: str = "personal",
    aad: str = "aad-user-1",
    user_id: str = "29:user-1",
    name: str = "Alex Wilber",
    conversation_id: str | None = None,
    service_url: str = "http://127.0.0.1:9/",  # BotServer points this at its own connector
) -> dict[str, Any]:
    """A Teams message: personal, channel (with @mention) or groupChat (with @mention)."""
    base = {
        "personal": "personal-message",
        "channel": "channel-message-mention",
        "groupChat": "groupChat-message-mention",
    }[kind]
    activity = fixture(base)
    if kind == "personal":
        activity["text"] = text
    else:
        activity["text"] = f"<at>{BOT_NAME}</at> {text}"
        for entity in activity["entities"]:
            if entity.get("type") == "mention":
                entity["text"] = f"<at>{BOT_NAME}</at>"
    activity["id"] = str(uuid.uuid4())
    activity["from"] = {"id": user_id, "name": name, "aadObjectId": aad}
    activity["serviceUrl"] = service_url
    if conversation_id:
        activity["conversation"]["id"] = conversation_id
    return activity


def submit(value: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
    """An Action.Submit: a message with a value and no text."""
    activity = message("", **kwargs)
    activity.pop("text", None)
    activity["value"] = value
    return activity


def execute(verb: str, data: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
    """An Action.Execute: the ``adaptiveCard/action`` invoke."""
    activity = message("", **kwargs)
    activity.pop("text", None)
    activity["type"] = "invoke"
    activity["name"] = "adaptiveCard/action"
    activity["value"] = {
        "action": {"type": "Action.Execute", "verb": verb, "data": data},
        "trigger": "manual",
    }
    return activity


def task(name: str, data: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
    """A ``task/fetch`` or ``task/submit`` invoke (Teams dialogs)."""
    activity = message("", **kwargs)
    activity.pop("text", None)
    activity["type"] = "invoke"
    activity["name"] = name
    activity["value"] = {"data": data, "context": {"theme": "default"}}
    return activity


def install(kind: str = "personal", **kwargs: Any) -> dict[str, Any]:
    """The app installed in a personal chat."""
    activity = fixture("personal-installationUpdate-add")
    activity["serviceUrl"] = kwargs.get("service_url", "http://127.0.0.1:9/")
    if "conversation_id" in kwargs:
        activity["conversation"]["id"] = kwargs["conversation_id"]
    return activity


def cards_of(activities: list[Activity]) -> list[dict[str, Any]]:
    """Every card in the activities, each checked against the schema and budget."""
    found = []
    for activity in activities:
        for attachment in activity.attachments or []:
            content = attachment.content
            if isinstance(content, dict):
                problems = check_card(content)
                assert not problems, "invalid card:\n" + "\n".join(problems)
                found.append(content)
    return found


def card_texts(card: dict[str, Any]) -> str:
    """All TextBlock and fact text of a card, unescaped, one string (for assertions)."""
    from bot.teams.console import card_text

    return "\n".join(card_text(card))


async def turn(bot: PartnershipBot, activity: dict[str, Any]) -> list[Activity]:
    """Run one activity through the bot with a recording adapter; return what it sent."""
    incoming = Activity.model_validate(copy.deepcopy(activity))
    adapter = RecordingAdapter()
    await adapter.process(incoming, bot.on_turn)
    sent = list(adapter.sent)
    cards_of(sent)
    return sent


def invoke_body(sent: list[Activity]) -> dict[str, Any]:
    """The invoke response body a recorded turn produced."""
    responses = [a for a in sent if a.type == "invokeResponse"]
    assert responses, "no invoke response"
    value = responses[-1].value
    body = value.get("body") if isinstance(value, dict) else getattr(value, "body", None)
    assert isinstance(body, dict), f"invoke body is {type(body)}"
    return body


def settings_for(url: str, tmp_path: Path, **overrides: Any) -> Settings:
    """Test settings on the given database (development mode, loopback).

    The jobs' timer is off (tests run the jobs themselves, at fixed times).
    """
    env = {"DATABASE_URL": url, "DATA_DIR": str(tmp_path), "JOBS_INTERVAL_SECONDS": "0"}
    base = Settings.from_env(env)
    return replace(base, **overrides)


PLACEHOLDER_SERVICE_URL = "http://127.0.0.1:9/"


class BotServer:
    """The real aiohttp server on 127.0.0.1 (random port), for tests over HTTP.

    Activities still carrying the placeholder service URL are pointed at a fake connector of
    the server's own (``self.connector``), so that every reply has somewhere real to go.
    """

    def __init__(self, settings: Settings, clock: Clock) -> None:
        self.runtime: Runtime = build_runtime(settings, clock)
        # Kept cards read-only all the way down: code that changed a shared card fails.
        self.runtime.services.cards = CardMemo(strict=True)
        self.app = create_app(self.runtime)
        self._runner: web.AppRunner | None = None
        self.url = ""
        self.session: aiohttp.ClientSession | None = None
        self.connector = FakeConnector()

    async def __aenter__(self) -> BotServer:
        await self.connector.start()
        self._runner = web.AppRunner(self.app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        self.url = f"http://127.0.0.1:{port}"
        self.session = aiohttp.ClientSession()
        return self

    async def __aexit__(self, *exc: object) -> None:
        if self.session is not None:
            await self.session.close()
        if self._runner is not None:
            await self._runner.cleanup()
        self.runtime.close()
        await self.connector.stop()
        assert not self.connector.card_errors, "invalid cards:\n" + "\n".join(
            self.connector.card_errors
        )

    async def post(
        self,
        activity: dict[str, Any] | bytes,
        *,
        content_type: str = "application/json",
        headers: dict[str, str] | None = None,
    ) -> tuple[int, Any]:
        """POST an activity to /api/messages; returns (status, parsed JSON body or None)."""
        assert self.session is not None
        if isinstance(activity, dict) and activity.get("serviceUrl") == PLACEHOLDER_SERVICE_URL:
            activity = {**activity, "serviceUrl": self.connector.url}
        data = activity if isinstance(activity, bytes) else json.dumps(activity).encode()
        async with self.session.post(
            f"{self.url}/api/messages",
            data=data,
            headers={"Content-Type": content_type, **(headers or {})},
        ) as response:
            raw = await response.read()
            try:
                body = json.loads(raw) if raw else None
            except ValueError:
                body = raw.decode(errors="replace")
            return response.status, body

    async def get(self, path: str) -> tuple[int, Any]:
        """GET a path; returns (status, parsed JSON)."""
        assert self.session is not None
        async with self.session.get(f"{self.url}{path}") as response:
            return response.status, await response.json(content_type=None)
