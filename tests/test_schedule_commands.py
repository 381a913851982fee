"""Linking channels, meetings, rules, reminders and failed deliveries through the Teams handler."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from bot.clock import FixedClock
from bot.services import Services, open_services
from bot.teams.handler import PartnershipBot
from cards import verbs
from storage.channel_links import links
from storage.db import make_engine, make_sessionmaker, transaction
from storage.models import Meeting, ReminderSubscription
from storage.people import add_memberships, ensure_person
from tests.cardcheck import check_card
from tests.harness import card_texts, cards_of, execute, invoke_body, message, settings_for, turn
from tests.meetings_support import add_confirmed_series

CHAIR, MEMBER, ADMIN = "aad-chair", "aad-member", "aad-admin"


@pytest.fixture
def services(db_url: str, tmp_path: Path) -> Services:
    engine = make_engine(db_url)
    factory = make_sessionmaker(engine)
    with transaction(factory) as session:
        for aad, name, role in (
            (CHAIR, "Casey Chair", "chair"),
            (MEMBER, "Morgan Member", "member"),
        ):
            person = ensure_person(session, aad_object_id=aad, name=name)
            add_memberships(session, person.id, ["DASVG"], role=role, source="test")
        ensure_person(session, aad_object_id=ADMIN, name="Ada Admin")
    clock = FixedClock(datetime(2022, 3, 1, 12, 0, tzinfo=UTC))
    settings = settings_for(db_url, tmp_path, bot_admins=(ADMIN,), page_size=8)
    return open_services(settings, factory, clock)


@pytest.fixture(autouse=True)
def chair_confirmed_series(services: Services) -> None:
    """The DASVG's and NCCSP's series, confirmed by their chairs (the seed has no series)."""
    add_confirmed_series(services.db)


@pytest.fixture
def bot(services: Services) -> PartnershipBot:
    async def no_email(_: Any) -> None:
        return None

    return PartnershipBot(services, email_lookup=no_email)


NAMES = {CHAIR: "Casey Chair", MEMBER: "Morgan Member", ADMIN: "Ada Admin"}


async def say(bot: PartnershipBot, text: str, **kwargs: Any) -> str:
    sent = await turn(bot, message(text, name=NAMES[kwargs["aad"]], **kwargs))
    parts = [a.text or "" for a in sent] + [card_texts(c) for c in cards_of(sent)]
    return "\n".join(parts)


async def click(bot: PartnershipBot, verb: str, data: dict[str, Any], aad: str) -> dict[str, Any]:
    body = invoke_body(await turn(bot, execute(verb, data, aad=aad, name=NAMES[aad])))
    if body["type"] == "application/vnd.microsoft.card.adaptive":
        assert not check_card(body["value"]), check_card(body["value"])
    return body


async def test_link_unlink_and_links_with_permissions(
    bot: PartnershipBot, services: Services
) -> None:
    assert "Channels are linked from the channel itself" in await say(
        bot, "link this channel to DASVG", aad=CHAIR
    )
    refused = await say(bot, "link this channel to DASVG", kind="channel", aad=MEMBER)
    assert "Only DASVG's chairs (Casey Chair) or an admin" in refused
    linked = await say(bot, "link this channel to DASVG", kind="channel", aad=CHAIR)
    assert "Linked: DASVG's update prompts will be posted in this channel" in linked
    assert "Wednesday 9 March 2022, 10:00" in linked  # the next meeting, and its prompt time
    assert "Already linked" in await say(
        bot, "link this channel to DASVG", kind="channel", aad=CHAIR
    )
    assert "Linked: NCCSP" in await say(
        bot, "link this channel to NCCSP", kind="channel", aad=ADMIN
    )
    with services.db() as session:
        found = links(session)
    assert [(link.body_key, link.conversation_id) for link in found] == [
        ("DASVG", "team-id"),  # the channel itself, not the thread the command was typed in
        ("NCCSP", "team-id"),
    ]
    status = await say(bot, "status", kind="channel", aad=MEMBER)  # scoped to the linked bodies
    assert "is not linked to a body" not in status and "DASVG" in status
    listed = await say(bot, "links", kind="channel", aad=MEMBER)
    assert "- DASVG: this channel" in listed and "- NCCSP: this channel" in listed
    assert "Only NCCSP's chairs" in await say(bot, "unlink", kind="channel", aad=CHAIR)
    assert "Unlinked: DASVG" in await say(bot, "unlink DASVG", kind="channel", aad=CHAIR)
    assert "Unlinked: NCCSP" in await say(bot, "unlink NCCSP", aad=ADMIN)
    assert "No channel is linked yet" in await say(bot, "links", aad=MEMBER)


async def test_meetings_list_keeps_ten_oclock_across_the_clock_change(bot: PartnershipBot) -> None:
    text = await say(bot, "meetings DASVG", aad=MEMBER)
    assert "Meetings: DASVG" in text and "from 01 Mar 2022 to 01 Jun 2022" in text
    assert "Wed 9 Mar 2022\n10:00–11:30" in text  # GMT
    assert "Wed 13 Apr 2022\n10:00–11:30" in text  # BST: still 10:00 on the wall clock
    assert "Every month until 31 Mar 2024" in text
    assert "[Edit]" not in text and "[Add meeting]" not in text  # a member cannot change them
    chair = await say(bot, "meetings DASVG", aad=CHAIR)
    assert "[Edit]" in chair and "[Add meeting]" in chair
    as_of = await say(bot, "meetings DASVG as of 1 June 2022", aad=MEMBER)
    assert "Wed 8 Jun 2022" in as_of and "9 Mar 2022" not in as_of


async def test_meetings_are_paged(bot: PartnershipBot) -> None:
    sent = await turn(bot, message("meetings by 31 December 2022", aad=MEMBER))
    (card,) = cards_of(sent)
    text = card_texts(card)
    assert "Page 1 of" in text
    more = next(a for a in card["actions"] if a["title"].startswith("Show more"))
    body = await click(bot, verbs.MEETINGS_PAGE, more["data"], MEMBER)
    assert "Page 2 of" in card_texts(body["value"])
    stale = await click(bot, verbs.MEETINGS_PAGE, {"q": {"from": "x"}, "page": 2}, MEMBER)
    assert stale["statusCode"] == 400


def meeting_count(services: Services) -> int:
    with services.db() as session:
        return int(session.scalar(select(func.count()).select_from(Meeting)) or 0)


async def test_adding_a_meeting_validates_every_field(
    bot: PartnershipBot, services: Services
) -> None:
    refused = await click(bot, verbs.EDIT_MEETING, {"body": "DASVG"}, MEMBER)
    assert refused["statusCode"] == 400 and "Only DASVG's chairs" in refused["value"]["message"]
    form = await click(bot, verbs.EDIT_MEETING, {"body": "DASVG"}, CHAIR)
    assert "Add a meeting" in card_texts(form["value"])
    before = meeting_count(services)
    bad = {
        "body": "DASVG",
        "title": "",
        "date": "2022-03-31",
        "time": "25:00",
        "duration": "2",
        "link": "http://example.org/meet",
        "recurrence": "custom",
        "rrule": "FREQ=SOMETIMES",
    }
    answer = card_texts((await click(bot, verbs.SAVE_MEETING, bad, CHAIR))["value"])
    for problem in (
        "Enter a title.",
        "Enter the start time",
        "The duration (minutes) must be from 5 to 600",
        "must be a web address starting with https://",
        "That recurrence rule cannot be read",
        "Nothing was saved yet",
    ):
        assert problem in answer
    assert meeting_count(services) == before
    good = {
        **bad,
        "title": "DASVG extra",
        "time": "10:00",
        "duration": "90",
        "link": "https://teams.microsoft.com/l/meetup-join/x",
        "recurrence": "none",
        "rrule": "",
    }
    saved = card_texts((await click(bot, verbs.SAVE_MEETING, good, CHAIR))["value"])
    assert "Saved: DASVG “DASVG extra” on Thu 31 Mar 2022 at 10:00." in saved
    assert "Thu 31 Mar 2022\n10:00–11:30" in saved  # BST: 09:00 UTC, shown as 10:00
    assert meeting_count(services) == before + 1
    with services.db() as session:
        stored = session.scalar(select(Meeting).where(Meeting.title == "DASVG extra"))
    assert stored is not None and stored.starts_local == datetime(2022, 3, 31, 10, 0)


async def test_editing_a_series_changes_every_occurrence(
    bot: PartnershipBot, services: Services
) -> None:
    with services.db() as session:
        series_id = session.scalar(
            select(Meeting.id).where(Meeting.rrule == "FREQ=MONTHLY;BYDAY=2WE")
        )
    form = card_texts(
        (await click(bot, verbs.EDIT_MEETING, {"meetingId": series_id}, CHAIR))["value"]
    )
    assert "Change a meeting" in form
    change = {
        "title": "Domestic Abuse and Sexual Violence Group",
        "date": "2021-04-14",
        "time": "14:00",
        "duration": "90",
        "recurrence": "monthly",
        "until": "2024-03-31",
        "meetingId": series_id,
    }
    saved = card_texts((await click(bot, verbs.SAVE_MEETING, change, CHAIR))["value"])
    assert "Saved" in saved
    text = await say(bot, "meetings DASVG", aad=MEMBER)
    assert "Wed 9 Mar 2022\n14:00–15:30" in text and "Wed 13 Apr 2022\n14:00–15:30" in text
    member = await click(bot, verbs.SAVE_MEETING, change, MEMBER)
    assert member["statusCode"] == 400 and "Nothing was saved" in member["value"]["message"]


async def test_rules_are_shown_and_changed_by_chairs(bot: PartnershipBot) -> None:
    shown = await say(bot, "rules DASVG", aad=MEMBER)
    assert "Update prompt: 7 days before each meeting" in shown
    assert "Follow-up: 3 days after the prompt" in shown and "[Change]" not in shown
    assert "[Change]" in await say(bot, "rules DASVG", aad=CHAIR)
    assert (await click(bot, verbs.EDIT_RULES, {"body": "DASVG"}, MEMBER))["statusCode"] == 400
    form = card_texts((await click(bot, verbs.EDIT_RULES, {"body": "DASVG"}, CHAIR))["value"])
    assert "<Update prompt: days before the meeting (1-60)>" in form
    bad = {"body": "DASVG", "lead": "abc", "followUp": "3", "reminder": "99"}
    answer = card_texts((await click(bot, verbs.SAVE_RULES, bad, CHAIR))["value"])
    assert "must be a whole number from 1 to 60" in answer and "must be from 1 to 14" in answer
    late = {"body": "DASVG", "lead": "5", "followUp": "5", "reminder": "1"}
    answer = card_texts((await click(bot, verbs.SAVE_RULES, late, CHAIR))["value"])
    assert "The follow-up must come before the meeting" in answer
    assert "Update prompt: 7 days" in await say(bot, "rules DASVG", aad=MEMBER)
    good = {"body": "DASVG", "lead": "10", "followUp": "4", "reminder": "2"}
    answer = card_texts((await click(bot, verbs.SAVE_RULES, good, CHAIR))["value"])
    assert "Saved." in answer and "Update prompt: 10 days before each meeting" in answer


async def test_reminders_on_and_off(bot: PartnershipBot, services: Services) -> None:
    on = await say(bot, "reminders on", kind="channel", aad=MEMBER)
    assert "Reminders are on: the day before each meeting of DASVG" in on
    assert "I cannot message you 1:1 yet" in on  # asked in a channel; no personal chat known
    await say(bot, "hello", aad=MEMBER)  # a 1:1 chat is stored on this turn
    assert "cannot message you" not in await say(bot, "reminders on", aad=MEMBER)
    assert "reminders are on" in await say(bot, "reminders", aad=MEMBER)
    with services.db() as session:
        assert session.scalar(select(func.count()).select_from(ReminderSubscription)) == 1
    body = await click(bot, verbs.REMINDERS_OFF, {}, MEMBER)
    assert "Reminders are off" in body["value"]
    with services.db() as session:
        assert session.scalar(select(func.count()).select_from(ReminderSubscription)) == 0


async def test_failed_deliveries_are_for_admins(bot: PartnershipBot) -> None:
    assert "Only admins" in await say(bot, "failed deliveries", aad=MEMBER)
    assert "Every scheduled message of the last 30 days arrived" in await say(
        bot, "failed deliveries", aad=ADMIN
    )
