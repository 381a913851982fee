"""Asking the plan: the Teams handler driven through a recording adapter."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from microsoft_agents.hosting.core import TurnContext

from bot.clock import FixedClock
from bot.plan.due_dates import interpret_due_text
from bot.services import Services, open_services
from bot.teams.handler import PartnershipBot
from cards import verbs
from storage.db import make_engine, make_sessionmaker
from storage.plan_document import plan_from_data, read_yaml
from storage.seed_data import PLAN_FILES
from tests.harness import (
    card_texts,
    cards_of,
    execute,
    install,
    invoke_body,
    message,
    settings_for,
    submit,
    turn,
)

EMAILS = {"aad-inspector": "inspector@norfolk.police.uk"}


def seed_actions() -> list:
    document = plan_from_data(read_yaml(PLAN_FILES[1]))
    assert document is not None and document.key == "safer-norfolk-2021-24"
    return document.actions


def expected_overdue(body: str, today: date) -> list[str]:
    """Worked out from the YAML and the date rules, independently of the bot's queries."""
    complete = {"1.18"}  # the November 2021 update of 1.18 says the group was established
    out = []
    for row in seed_actions():
        due = interpret_due_text(row.due_text)
        owned = bool(row.owner_keys) and body in (row.owner_keys or ())
        if owned and due.deadline and due.deadline < today and row.number not in complete:
            out.append(row.number)
    return out


def numbers_in(card: dict) -> list[str]:
    found = []
    for line in card_texts(card).splitlines():
        if line.startswith("**"):
            found.append(line.split("**")[1])
    return found


@pytest.fixture
def services(sqlite_url: str, tmp_path: Path) -> Services:
    engine = make_engine(sqlite_url)
    clock = FixedClock(datetime(2022, 6, 1, 11, 0, tzinfo=UTC))
    return open_services(settings_for(sqlite_url, tmp_path), make_sessionmaker(engine), clock)


@pytest.fixture
def bot(services: Services) -> PartnershipBot:
    async def lookup(turn_context: TurnContext) -> str | None:
        account = turn_context.activity.from_property
        return EMAILS.get(account.aad_object_id or "") if account else None

    return PartnershipBot(services, email_lookup=lookup)


async def test_welcome_card_on_install(bot: PartnershipBot) -> None:
    sent = await turn(bot, install())
    (card,) = cards_of(sent)
    assert "Hello from the Safer Partnership bot" in card_texts(card)
    assert "what's overdue for me?" in card_texts(card)


async def test_overdue_for_a_body_lists_exactly_the_overdue_actions(bot: PartnershipBot) -> None:
    expected = expected_overdue("OPCCN", date(2022, 6, 1))
    assert expected == ["1.4"]
    sent = await turn(bot, message("what's overdue for OPCCN?"))
    (card,) = cards_of(sent)
    assert numbers_in(card) == expected
    assert "244 days overdue" in card_texts(card)


async def test_overdue_most_overdue_first(bot: PartnershipBot) -> None:
    sent = await turn(bot, message("anything late for the constabulary?"))
    (card,) = cards_of(sent)
    expected = expected_overdue("CONSTABULARY", date(2022, 6, 1))
    shown = numbers_in(card)
    assert sorted(shown) == sorted(expected) and len(shown) == len(expected) > 1
    days = [
        int(line.split()[0])
        for line in card_texts(card).splitlines()
        if line.endswith("days overdue")
    ]
    assert days == sorted(days, reverse=True)


async def test_me_means_my_bodies(bot: PartnershipBot, services: Services) -> None:
    # No membership yet: the chooser card.
    sent = await turn(bot, message("what's overdue for me?", aad="aad-inspector"))
    (card,) = cards_of(sent)
    assert "Which bodies do you work for?" in card_texts(card)
    # Tick OPCCN and save (Action.Execute).
    sent = await turn(
        bot,
        execute(
            verbs.SAVE_BODIES,
            {"bodies": "OPCCN", "kept": [], "shown": ["OPCCN"]},
            aad="aad-inspector",
        ),
    )
    assert "OPCCN" in invoke_body(sent)["value"]
    # Now "me" is OPCCN.
    sent = await turn(bot, message("what's overdue for me?", aad="aad-inspector"))
    (card,) = cards_of(sent)
    assert numbers_in(card) == expected_overdue("OPCCN", date(2022, 6, 1))
    assert "you (OPCCN)" in card_texts(card)


async def test_i_work_for_adds_a_membership(bot: PartnershipBot) -> None:
    sent = await turn(bot, message("I work for the constabulary", aad="aad-2"))
    assert "CONSTABULARY" in (sent[0].text or "")
    sent = await turn(bot, message("my actions", aad="aad-2"))
    (card,) = cards_of(sent)
    assert "Actions: you (" in card_texts(card)


async def test_mention_in_channel_and_group_chat(bot: PartnershipBot) -> None:
    for kind in ("channel", "groupChat"):
        sent = await turn(bot, message("overdue OPCCN", kind=kind))
        (card,) = cards_of(sent)
        assert numbers_in(card) == ["1.4"], kind


async def test_action_detail_and_unknown_action(bot: PartnershipBot) -> None:
    sent = await turn(bot, message("show me action 1.18"))
    (card,) = cards_of(sent)
    text = card_texts(card)
    assert "Action 1.18" in text and "Delivery group established" in text and "Complete" in text
    sent = await turn(bot, message("action 9.99"))
    assert "There is no action 9.99" in (sent[0].text or "")


async def test_history(bot: PartnershipBot) -> None:
    sent = await turn(bot, message("history 1.18"))
    (card,) = cards_of(sent)
    assert "Group established" in card_texts(card)


async def test_priorities_current_and_previous(bot: PartnershipBot) -> None:
    sent = await turn(bot, message("what are the priorities?"))
    (card,) = cards_of(sent)
    assert "Outcome 12" in card_texts(card)
    sent = await turn(bot, message("priorities of the previous plan"))
    (card,) = cards_of(sent)
    assert "Community Safety Partnership Plan 2018" in card_texts(card)


async def test_long_lists_page(bot: PartnershipBot) -> None:
    sent = await turn(bot, message("all actions"))
    (card,) = cards_of(sent)
    assert numbers_in(card) == [f"1.{i}" for i in range(1, 9)]
    pager = [a for a in card["actions"] if a["verb"] == verbs.LIST_PAGE]
    assert pager and pager[0]["title"].startswith("Show more (2 of 7)")
    sent = await turn(bot, execute(verbs.LIST_PAGE, pager[0]["data"]))
    body = invoke_body(sent)
    assert body["statusCode"] == 200
    assert numbers_in(body["value"]) == [f"1.{i}" for i in range(9, 17)]


async def test_tampered_paging_data_gets_a_clear_answer(bot: PartnershipBot) -> None:
    sent = await turn(bot, execute(verbs.LIST_PAGE, {"q": {"i": "drop tables"}, "page": 2}))
    body = invoke_body(sent)
    assert body["statusCode"] == 400 and "could not be read" in body["value"]["message"]


async def test_unknown_verb_gets_a_clear_answer(bot: PartnershipBot) -> None:
    sent = await turn(bot, submit({"verb": "no.such.verb"}))
    assert "not one I know" in (sent[0].text or "")


async def test_did_you_mean(bot: PartnershipBot) -> None:
    sent = await turn(bot, message("overdeu"))
    (card,) = cards_of(sent)
    assert "Did you mean" in card_texts(card) and "[overdue]" in card_texts(card)


async def test_due_next_month(bot: PartnershipBot) -> None:
    sent = await turn(bot, message("what's due next month for DASVG?"))
    (card,) = cards_of(sent)
    assert "Due next month" in card_texts(card)


async def test_run_command_button(bot: PartnershipBot) -> None:
    sent = await turn(bot, submit({"verb": verbs.RUN_COMMAND, "text": "priorities"}))
    (card,) = cards_of(sent)
    assert "Safer Norfolk Plan 2021-24" in card_texts(card)
