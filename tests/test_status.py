"""The status card: counts, overdue, updates since the last meeting, refresh, "Show all"."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest

from bot.clock import LONDON, FixedClock
from bot.services import Services, open_services
from bot.teams.handler import PartnershipBot
from cards import verbs
from storage.db import make_engine, make_sessionmaker
from tests.cardcheck import assert_valid_card
from tests.fakes.connector import FakeConnector
from tests.harness import (
    BotServer,
    card_texts,
    cards_of,
    execute,
    invoke_body,
    message,
    settings_for,
    submit,
    turn,
)
from tests.meetings_support import add_confirmed_series
from tests.posting import post_update
from tests.seedplan import STATUS_ORDER, expected_counts, numbers_where, seed_actions

JUNE_1 = date(2022, 6, 1)


@pytest.fixture
def services(sqlite_url: str, tmp_path: Path) -> Services:
    clock = FixedClock(datetime(2022, 6, 1, 11, 0, tzinfo=UTC))
    engine = make_engine(sqlite_url)
    return open_services(settings_for(sqlite_url, tmp_path), make_sessionmaker(engine), clock)


@pytest.fixture(autouse=True)
def chair_confirmed_series(services: Services) -> None:
    """The DASVG's and NCCSP's series, confirmed by their chairs (the seed has no series)."""
    add_confirmed_series(services.db)


@pytest.fixture
def bot(services: Services) -> PartnershipBot:
    return PartnershipBot(services)


def find(node: Any, kind: str) -> list[dict[str, Any]]:
    """Every element of a type anywhere in a card."""
    found = []
    if isinstance(node, list):
        for item in node:
            found.extend(find(item, kind))
    elif isinstance(node, dict):
        if node.get("type") == kind:
            found.append(node)
        for value in node.values():
            found.extend(find(value, kind))
    return found


def counts_of(card: dict[str, Any]) -> dict[str, int]:
    """The status counts written on the card (the FactSet), in card order."""
    facts = {f["title"]: f["value"] for fs in find(card["body"], "FactSet") for f in fs["facts"]}
    return {status: int(facts[status]) for status in STATUS_ORDER}


def total_of(card: dict[str, Any]) -> int:
    facts = {f["title"]: f["value"] for fs in find(card["body"], "FactSet") for f in fs["facts"]}
    return int(facts["Total"].split()[0])


def meeting_chat(text: str, **kwargs: Any) -> dict[str, Any]:
    activity = message(text, kind="groupChat", **kwargs)
    activity["channelData"]["meeting"] = {"id": "MCMxOTptZWV0aW5nX0RBU1ZH"}
    return activity


async def status_card(bot: PartnershipBot, text: str, **kwargs: Any) -> dict[str, Any]:
    (card,) = cards_of(await turn(bot, message(text, **kwargs)))
    return card


async def test_whole_plan_counts_as_of_1_june_2022(bot: PartnershipBot) -> None:
    card = await status_card(bot, "status")
    assert counts_of(card) == expected_counts(numbers_where(), JUNE_1)
    assert counts_of(card) == {
        "Not started": 0,
        "On track": 4,
        "At risk": 0,
        "Off track": 0,
        "Complete": 1,
        "Ongoing": 1,
        "No update yet": 49,
    }
    assert total_of(card) == 55 == len(seed_actions())
    assert "Status: the whole plan" in card_texts(card)
    # The chart carries the same numbers; the words are on the card whatever the client draws.
    (donut,) = find(card["body"], "Chart.Donut")
    assert {d["legend"]: d["value"] for d in donut["data"]} == {
        "On track": 4,
        "Complete": 1,
        "Ongoing": 1,
        "No update yet": 49,
    }


async def test_theme_and_body_scopes_add_up(bot: PartnershipBot) -> None:
    for theme in (1, 2, 3):
        card = await status_card(bot, f"status theme {theme}")
        wanted = numbers_where(theme=theme)
        assert counts_of(card) == expected_counts(wanted, JUNE_1), theme
        assert sum(counts_of(card).values()) == total_of(card) == len(wanted)
    for body in ("DASVG", "OPCCN", "CONSTABULARY"):
        card = await status_card(bot, f"status {body}")
        wanted = numbers_where(body=body)
        assert counts_of(card) == expected_counts(wanted, JUNE_1), body
        assert sum(counts_of(card).values()) == total_of(card) == len(wanted) > 0
    assert total_of(await status_card(bot, "status DASVG")) == 5


async def test_status_as_of_an_earlier_date(bot: PartnershipBot) -> None:
    card = await status_card(bot, "status as of 1 November 2021")
    assert counts_of(card)["No update yet"] == 55  # the first updates are dated 30 Nov 2021


async def test_overdue_capped_with_show_all(bot: PartnershipBot) -> None:
    card = await status_card(bot, "status")
    text = card_texts(card)
    assert "Overdue (6)" in text and "244 days overdue" in text
    shown = [line.split("**")[1] for line in text.splitlines() if line.startswith("**")]
    assert shown == ["1.4", "1.11", "1.13", "1.7", "2.1"]  # most overdue first, capped at 5
    (show_all,) = [a for a in find(card, "Action.Execute") if a["verb"] == verbs.SHOW_ALL_OVERDUE]
    assert show_all["title"] == "Show all 6 overdue"
    body = invoke_body(await turn(bot, execute(verbs.SHOW_ALL_OVERDUE, show_all["data"])))
    assert body["statusCode"] == 200
    assert_valid_card(body["value"])
    listed = [
        line.split("**")[1]
        for line in card_texts(body["value"]).splitlines()
        if line.startswith("**")
    ]
    assert listed[:5] == shown and len(listed) == 6


async def test_updates_since_the_last_meeting(bot: PartnershipBot, services: Services) -> None:
    # DASVG meets on the second Wednesday: before 1 June 2022 the last meeting was 11 May.
    post_update(
        services.db,
        "3.2",
        "On track",
        "Before the meeting",
        datetime(2022, 5, 10, 9, 0, tzinfo=UTC),
    )
    post_update(
        services.db,
        "3.7",
        "At risk",
        "Commissioning delayed until the autumn",
        datetime(2022, 5, 20, 14, 5, tzinfo=LONDON),
        author="Priya Shah",
    )
    post_update(
        services.db, "3.8", "Complete", "Posted tomorrow", datetime(2022, 6, 2, 9, 0, tzinfo=UTC)
    )
    card = await status_card(bot, "status DASVG")
    text = card_texts(card)
    assert "1 update since the last DASVG meeting (11 May 2022)" in text
    assert "Commissioning delayed until the autumn" in text
    assert "20 May 2022 14:05 · Priya Shah" in text
    assert "Before the meeting" not in text and "Posted tomorrow" not in text
    assert counts_of(card)["At risk"] == 1 and counts_of(card)["On track"] == 1
    assert counts_of(card)["Complete"] == 0  # the 2 June update is after "today"


async def test_whole_plan_looks_back_to_the_nccsp_meeting(bot: PartnershipBot) -> None:
    assert "since the last NCCSP meeting (21 Apr 2022)" in card_texts(
        await status_card(bot, "status")
    )
    # OPCCN holds no meetings: the last 90 days.
    assert "in the last 90 days (no OPCCN meetings on record)" in card_texts(
        await status_card(bot, "status OPCCN")
    )


async def test_refresh_returns_the_current_card(bot: PartnershipBot, services: Services) -> None:
    card = await status_card(bot, "status DASVG")
    refresh = card["refresh"]["action"]
    assert refresh["type"] == "Action.Execute" and refresh["verb"] == verbs.REFRESH_STATUS
    assert refresh["data"]["scope"] == {"b": ["DASVG"]}
    post_update(
        services.db,
        "3.9",
        "Off track",
        "Funding withdrawn",
        datetime(2022, 5, 31, 10, 0, tzinfo=UTC),
    )
    body = invoke_body(await turn(bot, execute(verbs.REFRESH_STATUS, refresh["data"])))
    assert body["statusCode"] == 200 and body["type"] == "application/vnd.microsoft.card.adaptive"
    fresh = body["value"]
    assert_valid_card(fresh)
    assert counts_of(fresh)["Off track"] == 1 and counts_of(fresh)["No update yet"] == 4
    assert "Funding withdrawn" in card_texts(fresh)
    assert fresh["refresh"]["action"]["data"] == refresh["data"]  # keeps refreshing


async def test_tampered_scope_gets_a_clear_error(bot: PartnershipBot) -> None:
    for data in ({"scope": {"t": "drop"}}, {"scope": "x"}, {}, {"scope": {"asof": "soon"}}):
        body = invoke_body(await turn(bot, execute(verbs.REFRESH_STATUS, data)))
        assert body["statusCode"] == 400 and "could not be read" in body["value"]["message"]


async def test_meeting_chat_unlinked_and_linked(
    bot: PartnershipBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    (card,) = cards_of(await turn(bot, meeting_chat("status")))
    assert "Status: the whole plan" in card_texts(card)
    assert "This meeting chat is not linked to a body" in card_texts(card)
    # Once issue 5 links the chat to the DASVG, a bare "status" is the DASVG's.
    seen = []

    def linked(conversation_id: str) -> tuple[str, ...]:
        seen.append(conversation_id)
        return ("DASVG",)

    monkeypatch.setattr(bot.services.schedule, "linked_bodies", linked)
    (card,) = cards_of(await turn(bot, meeting_chat("status", conversation_id="dasvg-meeting")))
    assert "Status: DASVG" in card_texts(card) and seen == ["dasvg-meeting"]
    assert "not linked" not in card_texts(card)
    # Named scopes do not look at the link.
    (card,) = cards_of(await turn(bot, meeting_chat("status theme 3")))
    assert total_of(card) == 15


@pytest.fixture
async def server(sqlite_url: str, tmp_path: Path, clock: FixedClock) -> AsyncIterator[BotServer]:
    async with BotServer(settings_for(sqlite_url, tmp_path), clock) as running:
        yield running


async def test_status_over_http(server: BotServer, connector: FakeConnector) -> None:
    status, _ = await server.post(message("status", service_url=connector.url))
    assert status == 201
    (arrival,) = await connector.wait_for(1)
    (card,) = arrival.cards
    assert counts_of(card)["No update yet"] == 49 and total_of(card) == 55
    status, _ = await server.post(meeting_chat("status DASVG", service_url=connector.url))
    assert status == 201
    arrivals = await connector.wait_for(2)
    assert "Status: DASVG" in card_texts(arrivals[-1].cards[0])
    status, body = await server.post(execute(verbs.REFRESH_STATUS, {"scope": {"t": 2}}))
    assert status == 200 and total_of(body["value"]) == 10


async def test_help_status_button_gives_the_card(bot: PartnershipBot) -> None:
    (help_card,) = cards_of(await turn(bot, message("help")))
    assert "“report”" in card_texts(help_card)
    (button,) = [a for a in find(help_card, "Action.Submit") if a["title"] == "Status"]
    (card,) = cards_of(await turn(bot, submit(button["data"])))
    assert total_of(card) == 55


async def test_show_all_as_of_an_earlier_date_matches_the_card(
    bot: PartnershipBot, services: Services
) -> None:
    # 1.4 completed on 15 May 2022: overdue as of 1 May (six in all), not as of 1 June.
    post_update(services.db, "1.4", "Complete", "Done", datetime(2022, 5, 15, 9, 0, tzinfo=UTC))
    card = await status_card(bot, "status as of 1 May 2022")
    assert "Overdue (6)" in card_texts(card)
    (show_all,) = [a for a in find(card, "Action.Execute") if a["verb"] == verbs.SHOW_ALL_OVERDUE]
    assert show_all["data"]["scope"] == {"asof": "2022-05-01"}
    body = invoke_body(await turn(bot, execute(verbs.SHOW_ALL_OVERDUE, show_all["data"])))
    listed = [
        line.split("**")[1]
        for line in card_texts(body["value"]).splitlines()
        if line.startswith("**")
    ]
    assert listed == ["1.4", "1.11", "1.13", "1.7", "2.1", "3.11"]
    assert "Overdue (5)" in card_texts(await status_card(bot, "status"))
