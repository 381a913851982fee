"""Link unfurling (``composeExtension/queryLink``) of the bot's own links, over real HTTP."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from bot.clock import FixedClock
from bot.handlers.unfurl import LinkTarget, read_link
from cards import verbs
from storage.db import make_engine, make_sessionmaker
from storage.models import ReportLinkUse
from tests.harness import BotServer, card_texts, fixture
from tests.test_report_links import (
    BASE,
    NOW,
    configured,
    download,
    links_over_http,
    person_with_role,
)


@pytest.fixture
async def server(sqlite_url: str, tmp_path: Path) -> AsyncIterator[BotServer]:
    async with BotServer(configured(sqlite_url, tmp_path), FixedClock(NOW)) as running:
        yield running


async def unfurled(server: BotServer, url: str) -> dict[str, Any]:
    activity = fixture("channel-invoke-composeExtension-queryLink")
    activity["serviceUrl"] = server.connector.url
    activity["value"] = {"url": url}
    status, body = await server.post(activity)
    assert status == 200, body
    return dict(body["composeExtension"])


def only_card(result: dict[str, Any]) -> dict[str, Any]:
    assert result["type"] == "result"
    (attachment,) = result["attachments"]
    return dict(attachment["content"])


async def test_an_action_link_unfurls_into_its_card(server: BotServer) -> None:
    card = only_card(await unfurled(server, f"{BASE}/tab/plan?action=1.18"))
    assert "Action 1.18" in card_texts(card)


async def test_a_status_link_unfurls_into_the_status_card(server: BotServer) -> None:
    card = only_card(await unfurled(server, f"{BASE}/tab/plan?theme=2"))
    assert "Theme 2" in card_texts(card) or "theme 2" in card_texts(card).lower()


async def test_a_report_link_unfurls_without_being_used_up(server: BotServer) -> None:
    person_with_role(server.runtime.settings, "aad-chair", "chair")
    xlsx, _, _ = await links_over_http(server, server.connector, 1)
    card = only_card(await unfurled(server, f"{BASE}/api/reports/{xlsx}"))
    assert "/api/reports/" not in str(card)
    (button,) = card["actions"]
    assert button["verb"] == verbs.REPORT_LINKS and button["data"]["asof"] == "2022-06-01"
    engine = make_engine(server.runtime.settings.database_url)
    with make_sessionmaker(engine)() as session:
        assert session.scalar(select(func.count()).select_from(ReportLinkUse)) == 0
    status, _, _ = await download(server, xlsx)
    assert status == 200  # the link still works, once, for its person


async def test_other_links_are_not_unfurled(server: BotServer) -> None:
    for url in (
        "https://example.com/tab/plan?action=1.18",
        f"{BASE}/tab/my",
        f"{BASE}/api/reports/forged.token",
    ):
        result = await unfurled(server, url)
        assert result["type"] == "message", url


def test_reading_links() -> None:
    assert read_link(f"{BASE}/tab/plan?action=1.18", BASE) == LinkTarget("action", "1.18")
    assert read_link(f"{BASE}/tab/plan/?theme=3", BASE) == LinkTarget("status", "3")
    assert read_link(f"{BASE}/tab/plan", BASE) == LinkTarget("status", "")
    assert read_link(f"{BASE}/api/reports/abc.def", BASE) == LinkTarget("report", "abc.def")
    assert read_link("http://bot.example.org/tab/plan", BASE) is None
    assert read_link(f"{BASE}/tab/plan", "") is None
