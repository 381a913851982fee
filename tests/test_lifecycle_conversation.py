"""Issue 16 through the Teams handler: the plan's end, the calendar, scrutiny requests."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from bot.clock import FixedClock
from bot.services import Services, open_services
from bot.teams.handler import PartnershipBot
from cards import verbs
from storage.db import make_engine, make_sessionmaker, transaction
from storage.models import AuditEntry
from storage.people import add_memberships, ensure_person
from storage.plan_lifecycle import start_next_plan
from tests.cardcheck import check_card
from tests.harness import card_texts, cards_of, execute, invoke_body, message, settings_for, turn

CHAIR, MEMBER, ADMIN = "aad-ssp-chair", "aad-member", "aad-admin"
NAMES = {CHAIR: "Sam Chair", MEMBER: "Morgan Member", ADMIN: "Ada Admin"}
TODAY = datetime(2026, 12, 4, 10, 0, tzinfo=UTC)
NOTICE = "The Safer Norfolk Plan 2021-24 ended on 31 March 2024"


def services_at(db_url: str, tmp_path: Path, now: datetime) -> Services:
    factory = make_sessionmaker(make_engine(db_url))
    with transaction(factory) as session:
        chair = ensure_person(session, aad_object_id=CHAIR, name=NAMES[CHAIR])
        add_memberships(session, chair.id, ["SSP"], role="chair", source="test")
        member = ensure_person(session, aad_object_id=MEMBER, name=NAMES[MEMBER])
        add_memberships(session, member.id, ["OPCCN"], role="member", source="test")
        ensure_person(session, aad_object_id=ADMIN, name=NAMES[ADMIN])
    settings = settings_for(db_url, tmp_path, bot_admins=(ADMIN,))
    return open_services(settings, factory, FixedClock(now))


@pytest.fixture
def services(db_url: str, tmp_path: Path) -> Services:
    return services_at(db_url, tmp_path, TODAY)


def bot_for(services: Services) -> PartnershipBot:
    async def no_email(_: Any) -> None:
        return None

    return PartnershipBot(services, email_lookup=no_email)


@pytest.fixture
def bot(services: Services) -> PartnershipBot:
    return bot_for(services)


async def say(bot: PartnershipBot, text: str, aad: str = MEMBER) -> list[str]:
    sent = await turn(bot, message(text, name=NAMES[aad], aad=aad))
    return [a.text or "" for a in sent if a.text] + [card_texts(c) for c in cards_of(sent)]


async def click(bot: PartnershipBot, verb: str, data: dict[str, Any], aad: str) -> dict[str, Any]:
    body = invoke_body(await turn(bot, execute(verb, data, aad=aad, name=NAMES[aad])))
    if body["type"] == "application/vnd.microsoft.card.adaptive":
        assert not check_card(body["value"]), check_card(body["value"])
    return body


async def test_today_every_answer_states_the_plan_period_once(bot: PartnershipBot) -> None:
    for question in ("what's overdue for OPCCN?", "status", "meetings", "priorities"):
        parts = await say(bot, question)
        assert sum(p.count(NOTICE) for p in parts) == 1, (question, parts)
        (said,) = [p for p in parts if NOTICE in p]
        assert "Ask “as of 31 March 2024”" in said
        assert "Admins:" not in said  # a member is not told how to extend it
    at_end = await say(bot, "what's overdue for OPCCN as of 31 March 2024?")
    assert not any(NOTICE in p for p in at_end)
    admin = "\n".join(await say(bot, "what's overdue for OPCCN?", aad=ADMIN))
    assert "extend plan to" in admin and "next-plan" in admin
    earlier = await say(bot, "priorities of the 2018-21 plan")
    assert not any(NOTICE in p for p in earlier)


async def test_no_placeholder_date_is_shown_today(bot: PartnershipBot) -> None:
    dasvg = "\n".join(await say(bot, "when is the next DASVG meeting?"))
    assert "No coming meeting of DASVG is on record" in dasvg
    assert "DASVG: monthly, the dates for the following year agreed" in dasvg
    assert "dates not yet on record" in dasvg and "Wed" not in dasvg and ":00" not in dasvg
    panel = "\n".join(await say(bot, "when did the Scrutiny Sub Panel last meet?"))
    assert "last met on Thursday 8 December 2022 (time not yet on record)" in panel
    quarter = "\n".join(await say(bot, "meetings this quarter"))
    assert "No meetings on record from 01 Oct 2026 to 31 Dec 2026" in quarter
    assert "DASVG: monthly" in quarter and "Channel Panel: monthly" in quarter


async def test_meetings_back_and_forth_in_2022(db_url: str, tmp_path: Path) -> None:
    bot = bot_for(services_at(db_url, tmp_path, datetime(2022, 3, 1, 12, 0, tzinfo=UTC)))
    nxt = "\n".join(await say(bot, "when does the Scrutiny Sub Panel meet?"))
    assert "Thursday 9 June 2022 (time not yet on record)" in nxt  # 100 days ahead
    last = "\n".join(await say(bot, "when did the Scrutiny Sub Panel last meet?"))
    assert "Thursday 24 February 2022, 10:00–12:00, Council Chamber, County Hall" in last
    march = "\n".join(await say(bot, "meetings in March 2022"))
    assert "1 meeting on record from 01 Mar 2022 to 31 Mar 2022" in march
    assert "Scrutiny Committee" in march and "Wed 23 Mar 2022" in march
    assert "DASVG: monthly" in march  # a cadence, never a date


async def test_chair_sees_open_requests_and_records_a_response(db_url: str, tmp_path: Path) -> None:
    services = services_at(db_url, tmp_path, datetime(2022, 6, 1, 12, 0, tzinfo=UTC))
    bot = bot_for(services)
    status = "\n".join(await say(bot, "status Scrutiny Sub Panel", aad=CHAIR))
    assert "Thursday 9 June 2022 (time not yet on record)" in status
    assert "Open scrutiny requests (6)" in status and "SSP-2021-09-16-REC1 (NCCSP)" in status
    wanted = await turn(
        bot, message("what does the Scrutiny Sub Panel want from OPCCN?", aad=CHAIR)
    )
    (listing,) = cards_of(wanted)
    text = card_texts(listing)
    assert "Open scrutiny requests from" in text and "to OPCCN" in text
    assert "Project ADDER" in text and "SSP-2021-09-16-REC1" not in text  # owed by the NCCSP
    member = await say(bot, "open scrutiny requests", aad=MEMBER)
    assert "Record response" not in "\n".join(member)  # only chairs and admins
    everything = cards_of(await turn(bot, message("open scrutiny requests", aad=CHAIR)))[0]
    button = next(
        a
        for item in everything["body"]
        for a in item.get("items", [{}])[-1].get("actions", [])
        if a.get("data", {}).get("requestId") and "REC1" in card_texts({"body": item["items"][:1]})
    )
    data = button["data"]
    refused = await click(bot, verbs.RESPOND_SCRUTINY, data, MEMBER)
    assert refused["statusCode"] == 400
    form = await click(bot, verbs.RESPOND_SCRUTINY, data, CHAIR)
    assert "Response to SSP-2021-09-16-REC1" in card_texts(form["value"])
    empty = await click(
        bot,
        verbs.SAVE_SCRUTINY_RESPONSE,
        {**data, "response": " ", "respondedOn": "2022-05-20", "status": "answered"},
        CHAIR,
    )
    assert "Write the response" in card_texts(empty["value"])
    saved = await click(
        bot,
        verbs.SAVE_SCRUTINY_RESPONSE,
        {
            **data,
            "response": "The Partnership will extend the plan to March 2025.",
            "respondedOn": "2022-05-20",
            "status": "answered",
        },
        CHAIR,
    )
    after = card_texts(saved["value"])
    assert "Saved: SSP-2021-09-16-REC1 is now answered" in after
    assert "Consider extending the Delivery Plan" not in after  # no longer open
    with services.db() as session:
        entry = session.scalar(select(AuditEntry).where(AuditEntry.action == "scrutiny.responded"))
    assert entry is not None and entry.actor == NAMES[CHAIR]
    answered = "\n".join(await say(bot, "all scrutiny requests", aad=MEMBER))
    assert "The Partnership will extend the plan to March 2025." in answered


async def test_admin_extends_the_plan_from_chat(bot: PartnershipBot, services: Services) -> None:
    refused = await say(bot, "extend plan to 31 March 2027: next plan not ready", aad=MEMBER)
    assert "Only an administrator" in refused[-1]
    usage = await say(bot, "extend plan to 31 March 2027", aad=ADMIN)
    assert "reason" in usage[-1]
    done = await say(bot, "extend plan to 31 March 2027: Next plan in development", aad=ADMIN)
    assert "now runs to 31 March 2027 (was 31 March 2024)" in done[-1]
    after = await say(bot, "what's overdue for OPCCN?")
    assert not any(NOTICE in p for p in after)  # the plan is current again
    with services.db() as session:
        entry = session.scalar(select(AuditEntry).where(AuditEntry.action == "plan.extended"))
    assert entry is not None and entry.after is not None
    assert entry.after["reason"] == "Next plan in development"


NEXT = """
plan:
  key: safer-norfolk-2025-28
  title: Safer Norfolk Plan 2025-28
  starts: "2025-04-01"
  ends: "2028-03-31"
themes:
  - number: 1
    title: Resilient communities
    sections:
      - title: Fraud
        actions:
          - number: "1.1"
            action: Fraud data for the delivery groups
            owner: OPCCN
            owners: [OPCCN]
            date: March 2026
            carried_from: "1.20"
"""


async def test_after_the_next_plan_overdue_answers_from_it_and_older_plans_stay(
    bot: PartnershipBot, services: Services, tmp_path: Path
) -> None:
    path = tmp_path / "next.yaml"
    path.write_text(NEXT, encoding="utf-8")
    report = start_next_plan(services.db, path, now=TODAY)
    assert report.applied, report.lines()
    services.plan.forget_vocabulary()
    now = "\n".join(await say(bot, "what's overdue for OPCCN?"))
    assert NOTICE not in now and "1.1" in now and "Fraud data for the delivery groups" in now
    before = "\n".join(await say(bot, "what's overdue for OPCCN in the 2021-24 plan?"))
    assert "1.19" in before  # the previous plan still answers
    history = "\n".join(await say(bot, "history 1.1"))
    assert "(as 1.20 in the Safer Norfolk Plan 2021-24)" in history  # its history came along


async def test_the_status_card_looks_back_to_the_last_meeting_however_long_ago(
    bot: PartnershipBot,
) -> None:
    status = "\n".join(await say(bot, "status Scrutiny Sub Panel", aad=CHAIR))
    assert "meeting (8 Dec 2022)" in status and "no Norfolk" not in status
