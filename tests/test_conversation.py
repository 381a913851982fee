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


async def test_a_police_address_is_a_constabulary_member(bot: PartnershipBot) -> None:
    # The partnership data's e-mail domain rule: norfolk.police.uk -> Norfolk Constabulary.
    sent = await turn(bot, message("what's overdue for me?", aad="aad-inspector"))
    (card,) = cards_of(sent)
    assert "you (Norfolk Constabulary)" in card_texts(card)
    assert sorted(numbers_in(card)) == sorted(expected_overdue("CONSTABULARY", date(2022, 6, 1)))


async def test_me_means_my_bodies(bot: PartnershipBot, services: Services) -> None:
    # No membership yet (no address a domain rule knows): the chooser card.
    sent = await turn(bot, message("what's overdue for me?", aad="aad-analyst"))
    (card,) = cards_of(sent)
    assert "Which bodies do you work for?" in card_texts(card)
    # Tick OPCCN and save (Action.Execute).
    sent = await turn(
        bot,
        execute(
            verbs.SAVE_BODIES,
            {"bodies": "OPCCN", "kept": [], "shown": ["OPCCN"]},
            aad="aad-analyst",
        ),
    )
    assert "OPCCN" in invoke_body(sent)["value"]
    # Now "me" is OPCCN (a pending request scopes "me" questions).
    sent = await turn(bot, message("what's overdue for me?", aad="aad-analyst"))
    (card,) = cards_of(sent)
    assert numbers_in(card) == expected_overdue("OPCCN", date(2022, 6, 1))
    assert "you (OPCCN)" in card_texts(card)


async def test_i_work_for_adds_a_membership(bot: PartnershipBot) -> None:
    sent = await turn(bot, message("I work for the constabulary", aad="aad-2"))
    assert "Norfolk Constabulary" in (sent[0].text or "")
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


# ----------------------------------------------------------------------- issue 15: answers
async def _card_text(bot: PartnershipBot, question: str, aad: str = "aad-1") -> str:
    sent = await turn(bot, message(question, aad=aad))
    (card,) = cards_of(sent)
    return card_texts(card)


async def test_topics_are_searched_and_say_why(bot: PartnershipBot) -> None:
    sent = await turn(bot, message("what's happening on county lines?"))
    (card,) = cards_of(sent)
    assert numbers_in(card)[:3] == ["2.1", "2.2", "2.3"]
    assert "Actions: County Lines" in card_texts(card)
    sent = await turn(bot, message("anything about call blockers?"))
    (card,) = cards_of(sent)
    assert numbers_in(card)[0] == "1.3"
    assert "Matched: action: call, blocker" in card_texts(card)
    text = await _card_text(bot, "anything on knife crime?")
    assert "No action mentions “knife”" in text


async def test_single_facts_get_single_answers(bot: PartnershipBot) -> None:
    text = await _card_text(bot, "what is outcome 7?")
    assert "People are prevented from being drawn into Criminal exploitation" in text
    assert "Reduce overall levels of hate crime" not in text
    text = await _card_text(bot, "who owns 2.3?")
    assert "Vulnerable Adolescents Group, Norfolk Safeguarding Children Partnership" in text
    text = await _card_text(bot, "what is the success measure for 1.18?")
    assert "Delivery group established" in text
    text = await _card_text(bot, "who chairs the DASVG?")
    assert "Gavin Thompson" in text and "Andy Coller" in text
    text = await _card_text(bot, "what does DHR stand for?")
    assert "Domestic Homicide Review" in text
    text = await _card_text(bot, "what is MASH responsible for?")
    assert "Multi-Agency Safeguarding Hub" in text and "2.9, 3.6" in text


async def test_unknown_bodies_are_never_widened_silently(bot: PartnershipBot) -> None:
    sent = await turn(bot, message("overdue Norwich City Council"))
    (card,) = cards_of(sent)
    text = card_texts(card)
    assert "I don't know a body called" in text and "Overdue" not in text
    titles = [a["title"] for b in card["body"] for a in b.get("actions", [])]
    assert "Did you mean NCC (Norfolk County Council)?" in titles
    text = await _card_text(bot, "overdue DAVSG")
    assert "Overdue: DASVG" in text and "Nothing is overdue for DASVG" in text
    text = await _card_text(bot, "what's overdue for the Domestic Abuse and Sexual Violence Group?")
    assert "Overdue: DASVG" in text and "3.11" not in text
    text = await _card_text(bot, "what's behind schedule in theme 2?")
    assert "Overdue: theme 2" in text


async def test_periods_mean_what_people_mean(bot: PartnershipBot, services: Services) -> None:
    text = await _card_text(bot, "what's due in the next 3 months?")
    assert "1 Jun 2022 to 31 Aug 2022" in text
    text = await _card_text(bot, "what was due in March 2022")
    assert "in March 2022" in text and "march" not in text


async def test_small_talk(bot: PartnershipBot) -> None:
    sent = await turn(bot, message("thanks!"))
    assert "You're welcome." in (sent[0].text or "")


async def test_me_for_a_body_that_oversees_the_plan(bot: PartnershipBot) -> None:
    await turn(
        bot,
        execute(verbs.SAVE_BODIES, {"bodies": "SSP", "kept": [], "shown": ["SSP"]}, aad="aad-9"),
    )
    sent = await turn(bot, message("what's overdue for me?", aad="aad-9"))
    (card,) = cards_of(sent)
    text = card_texts(card)
    assert "Overdue: the whole plan, which the" in text and "Sub Panel oversees" in text
    assert len(numbers_in(card)) > 1
    text = await _card_text(bot, "overdue for the scrutiny sub panel")
    assert "which the" in text and "oversees" in text and "Nothing is overdue" not in text


async def test_status_of_an_unknown_body_asks_which(bot: PartnershipBot) -> None:
    text = await _card_text(bot, "status for the health board")
    assert "I don't know a body called" in text and "Status:" not in text
