"""The sender's e-mail comes from the Teams roster, through the SDK's connector client."""

from __future__ import annotations

from pathlib import Path

from bot.clock import FixedClock
from tests.fakes.connector import FakeConnector
from tests.harness import BotServer, card_texts, message, settings_for


async def test_the_roster_email_places_a_new_person_in_their_body(
    sqlite_url: str, tmp_path: Path, clock: FixedClock, connector: FakeConnector
) -> None:
    settings = settings_for(
        sqlite_url, tmp_path, membership_domains={"norfolk.police.uk": ("CONSTABULARY",)}
    )
    connector.members["29:new-officer"] = {
        "name": "Sam Officer",
        "email": "sam.officer@norfolk.police.uk",
        "userPrincipalName": "sam.officer@norfolk.police.uk",
    }
    async with BotServer(settings, clock) as server:
        activity = message(
            "what's overdue for me?",
            aad="aad-new-officer",
            user_id="29:new-officer",
            name="Sam Officer",
            service_url=connector.url,
        )
        status, _ = await server.post(activity)
        assert status == 201
        (arrival,) = await connector.wait_for(1)
    assert "Overdue: you (Norfolk Constabulary)" in card_texts(arrival.cards[0])


async def test_no_roster_entry_still_answers(
    sqlite_url: str, tmp_path: Path, clock: FixedClock, connector: FakeConnector
) -> None:
    async with BotServer(settings_for(sqlite_url, tmp_path), clock) as server:
        activity = message(
            "help", aad="aad-stranger", user_id="29:stranger", service_url=connector.url
        )
        assert (await server.post(activity))[0] == 201
        assert len(await connector.wait_for(1)) == 1
