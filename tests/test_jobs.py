"""The scheduled jobs against a fake Bot Connector on loopback, with fixed clocks.

The DASVG meets monthly on the second Wednesday at 10:00 (seed data): 9 March 2022, 10:00 GMT.
With the default rules its prompt is due 2 March 10:00, the follow-up 5 March 10:00 and
members' reminders 8 March 10:00 (all GMT, so equal to UTC).
"""

from __future__ import annotations

import asyncio
import logging
from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session, sessionmaker

from bot.jobs.runner import run_jobs
from storage.conversations import save_reference
from storage.db import make_engine, make_sessionmaker, transaction
from storage.models import ConversationRef, Delivery, ProgressUpdate
from storage.plan_queries import action_by_number
from tests.fakes.connector import FakeConnector
from tests.harness import card_texts
from tests.jobs_support import NoSleep, add_conversation, add_person, job_context, link
from tests.meetings_support import add_confirmed_series

PROMPT_DUE = datetime(2022, 3, 2, 10, 0, tzinfo=UTC)
FOLLOW_UP_DUE = datetime(2022, 3, 5, 10, 0, tzinfo=UTC)
REMINDER_DUE = datetime(2022, 3, 8, 10, 0, tzinfo=UTC)
SECOND = timedelta(seconds=1)


@pytest.fixture
def db(engine: Engine) -> sessionmaker[Session]:
    factory = make_sessionmaker(engine)
    add_confirmed_series(factory)  # the seed has no series: the ones a chair would confirm
    return factory


def statuses(db: sessionmaker[Session]) -> Counter[str]:
    with db() as session:
        return Counter(session.scalars(select(Delivery.status)).all())


def per_conversation(connector: FakeConnector) -> Counter[str]:
    return Counter(a.conversation_id for a in connector.sent())


async def test_nothing_early_then_each_prompt_once_through_429_and_503(
    db: sessionmaker[Session], connector: FakeConnector
) -> None:
    channels = [add_conversation(db, f"19:dasvg-{n}@thread", connector.url) for n in range(3)]
    for ref in channels:
        link(db, "DASVG", ref)
    removed = add_conversation(db, "19:removed@thread", connector.url)
    link(db, "DASVG", removed)
    with transaction(db) as session:
        session.get(ConversationRef, removed).active = False  # type: ignore[union-attr]
    sleep = NoSleep()
    ctx = job_context(db, sleep=sleep)

    early = await run_jobs(PROMPT_DUE - SECOND, ctx)
    assert early.planned == 0 and connector.arrivals == []

    connector.fail_next(429, times=2, retry_after=1)
    connector.fail_next(503)
    summary = await run_jobs(PROMPT_DUE, ctx)
    assert summary.sent == 3 and summary.failed == 0 and summary.retries == 3
    assert per_conversation(connector) == {f"19:dasvg-{n}@thread": 1 for n in range(3)}
    assert sleep.waits.count(1.0) == 2  # Retry-After honoured; the 503 backed off with jitter
    assert len(sleep.waits) == 3 and 0 < sleep.waits[2] <= 2.0
    assert not [a for a in connector.arrivals if a.conversation_id == "19:removed@thread"]
    (card,) = connector.sent()[0].cards
    text = card_texts(card)
    assert "Updates for DASVG's meeting" in text and "Wednesday 9 March 2022, 10:00" in text
    assert "[Post update]" in text

    for later in (PROMPT_DUE + timedelta(minutes=5), PROMPT_DUE + timedelta(hours=1)):
        again = await run_jobs(later, ctx)
        assert again.planned == 0 and again.sent == 0
    assert per_conversation(connector) == {f"19:dasvg-{n}@thread": 1 for n in range(3)}
    assert statuses(db) == {"sent": 3}


async def test_follow_up_lists_only_what_is_still_missing(
    db: sessionmaker[Session], connector: FakeConnector
) -> None:
    link(db, "DASVG", add_conversation(db, "19:dasvg@thread", connector.url))
    ctx = job_context(db)
    await run_jobs(PROMPT_DUE, ctx)
    prompt = card_texts(connector.sent()[0].cards[0])
    assert "**3.2**" in prompt and "**3.7**" in prompt
    with transaction(db) as session:
        action = action_by_number(session, "3.2")
        assert action is not None
        session.add(
            ProgressUpdate(
                action_id=action.id,
                status="On track",
                text="Health check under way",
                created_at=PROMPT_DUE + timedelta(days=1),
                idempotency_key="test-3.2",
            )
        )
    assert (await run_jobs(FOLLOW_UP_DUE - SECOND, ctx)).sent == 0
    assert (await run_jobs(FOLLOW_UP_DUE, ctx)).sent == 1
    follow_up = card_texts(connector.sent()[1].cards[0])
    assert "Still missing for DASVG's meeting" in follow_up
    assert "**3.7**" in follow_up and "**3.2**" not in follow_up


async def test_403_deactivates_the_reference_and_nothing_more_is_sent_there(
    db: sessionmaker[Session], connector: FakeConnector
) -> None:
    kept = add_conversation(db, "19:kept@thread", connector.url)
    removed = add_conversation(db, "19:removed@thread", connector.url)
    link(db, "DASVG", kept)
    link(db, "DASVG", removed)
    connector.gone("19:removed@thread", 403)
    ctx = job_context(db)
    summary = await run_jobs(PROMPT_DUE, ctx)
    assert summary.sent == 1 and summary.gone == 1
    tries = [a for a in connector.arrivals if a.conversation_id == "19:removed@thread"]
    assert [a.status for a in tries] == [403]  # never retried
    with db() as session:
        ref = session.get(ConversationRef, removed)
        assert ref is not None and not ref.active
    await run_jobs(FOLLOW_UP_DUE, ctx)
    later = [a for a in connector.arrivals if a.conversation_id == "19:removed@thread"]
    assert len(later) == 1  # the follow-up was not even tried there
    assert per_conversation(connector)["19:kept@thread"] == 2

    # Reinstalled (any new turn stores the reference again): the next meeting's prompt goes.
    with transaction(db) as session:
        record = session.get(ConversationRef, removed)
        assert record is not None
        save_reference(
            session,
            conversation_id=record.conversation_id,
            conversation_type="channel",
            tenant_id=record.tenant_id,
            service_url=connector.url,
            team_id=record.team_id,
            user_aad_object_id=None,
            reference=record.reference,
            now=FOLLOW_UP_DUE,
        )
    connector._gone.clear()
    await run_jobs(datetime(2022, 4, 6, 9, 0, tzinfo=UTC), ctx)  # 13 April 10:00 BST - 7 days
    assert per_conversation(connector)["19:removed@thread"] == 1


async def test_restart_midway_through_a_fan_out_sends_no_duplicates(
    db_url: str, connector: FakeConnector
) -> None:
    first_engine = make_engine(db_url)
    first = make_sessionmaker(first_engine)
    add_confirmed_series(first)
    names = [f"19:channel-{n}@thread" for n in range(10)]
    for name in names:
        link(first, "DASVG", add_conversation(first, name, connector.url))
    connector.delay_seconds = 0.3  # every send hangs a while on the connector
    run = asyncio.create_task(run_jobs(PROMPT_DUE, job_context(first, concurrency=2)))
    await connector.wait_for(3)
    run.cancel()  # the process stops midway; sends on the wire are awaited and recorded
    with pytest.raises(asyncio.CancelledError):
        await run
    first_engine.dispose()
    reached = len(connector.sent())
    assert 3 <= reached < len(names)
    assert "claimed" not in statuses(make_sessionmaker(make_engine(db_url)))

    connector.delay_seconds = 0
    second_engine = make_engine(db_url)  # a new runtime on the same database
    summary = await run_jobs(
        PROMPT_DUE + timedelta(minutes=5), job_context(make_sessionmaker(second_engine))
    )
    second_engine.dispose()
    assert summary.sent == len(names) - reached
    assert per_conversation(connector) == {name: 1 for name in names}


async def test_dst_a_ten_oclock_meeting_stays_at_ten(
    db: sessionmaker[Session], connector: FakeConnector
) -> None:
    from bot.plan.forms import MeetingDraft
    from storage.meetings import save_meeting

    with transaction(db) as session:  # Wednesday 30 March 2022, 10:00 BST (09:00 UTC)
        draft = MeetingDraft("SCRUTINY-COMMITTEE", "Extra meeting", datetime(2022, 3, 30, 10), 60)
        save_meeting(session, draft)
    link(db, "SCRUTINY-COMMITTEE", add_conversation(db, "19:scrutiny@thread", connector.url))
    add_conversation(db, "a:personal-1", connector.url, kind="personal", aad="aad-1")
    add_person(db, "aad-1", ("SCRUTINY-COMMITTEE",))
    ctx = job_context(db)
    prompt_due = datetime(2022, 3, 23, 10, 0, tzinfo=UTC)  # 10:00 GMT, before the change
    assert (await run_jobs(prompt_due - SECOND, ctx)).sent == 0
    assert (await run_jobs(prompt_due, ctx)).sent == 1
    assert "Wednesday 30 March 2022, 10:00" in card_texts(connector.sent()[0].cards[0])
    reminder_due = datetime(2022, 3, 29, 9, 0, tzinfo=UTC)  # 10:00 BST, after the change
    assert (await run_jobs(reminder_due - SECOND, ctx)).sent == 0
    assert (await run_jobs(reminder_due, ctx)).sent == 1
    reminder = card_texts(connector.sent("a:personal-1")[0].cards[0])
    assert "Wednesday 30 March 2022, 10:00–11:00 (UK time)" in reminder


async def test_missed_deliveries_are_sent_late_within_grace_and_skipped_after(
    db: sessionmaker[Session], connector: FakeConnector, caplog: pytest.LogCaptureFixture
) -> None:
    link(db, "DASVG", add_conversation(db, "19:dasvg@thread", connector.url))
    ctx = job_context(db)
    late = await run_jobs(PROMPT_DUE + timedelta(hours=11), ctx)  # down all morning
    assert late.sent == 1
    with caplog.at_level(logging.WARNING):
        missed = await run_jobs(FOLLOW_UP_DUE + timedelta(hours=13), ctx)
    assert missed.sent == 0 and missed.skipped == 1
    assert "beyond the 12-hour grace window" in caplog.text
    await run_jobs(FOLLOW_UP_DUE + timedelta(hours=14), ctx)
    assert len(connector.sent()) == 1
    assert statuses(db) == {"sent": 1, "skipped": 1}


async def test_reminders_go_one_to_one_and_without_a_chat_are_recorded(
    db: sessionmaker[Session], connector: FakeConnector
) -> None:
    add_conversation(db, "a:chat-1", connector.url, kind="personal", aad="aad-1")
    add_person(db, "aad-1", ("DASVG", "OPCCN"), name="Dana Reader")
    add_person(db, "aad-2", ("DASVG",), name="No Chat")
    add_conversation(db, "a:chat-3", connector.url, kind="personal", aad="aad-3")
    add_person(db, "aad-3", ("DASVG",), reminders=False)
    ctx = job_context(db)
    assert (await run_jobs(REMINDER_DUE - SECOND, ctx)).sent == 0
    summary = await run_jobs(REMINDER_DUE, ctx)
    assert summary.sent == 1 and summary.no_chat == 1
    assert per_conversation(connector) == {"a:chat-1": 1}
    text = card_texts(connector.sent()[0].cards[0])
    assert "Reminder: DASVG meeting" in text and "10:00–11:30 (UK time)" in text
    assert "Due from you before the meeting" in text and "[Stop reminders]" in text
    assert "**1.4**" in text and "days overdue" in text  # an OPCCN action, due Sept 2021
    with db() as session:
        outcome = session.scalar(select(Delivery.outcome).where(Delivery.status == "no_chat"))
    assert outcome == "no personal chat: No Chat has no 1:1 chat with the bot"


async def test_no_more_than_seven_a_second_in_one_conversation(
    db: sessionmaker[Session], connector: FakeConnector
) -> None:
    from bot.plan.forms import MeetingDraft
    from storage.meetings import save_meeting

    with transaction(db) as session:  # 12 more DASVG meetings on 16 March, a minute apart
        for minute in range(12):
            draft = MeetingDraft("DASVG", f"Extra {minute}", datetime(2022, 3, 16, 14, minute), 30)
            save_meeting(session, draft)
    link(db, "DASVG", add_conversation(db, "19:busy@thread", connector.url))
    summary = await run_jobs(datetime(2022, 3, 9, 14, 30, tzinfo=UTC), job_context(db))
    assert summary.sent == 12
    times = sorted(a.at for a in connector.sent("19:busy@thread"))
    # Spaced 1/7 s apart by the limiter: any one-second window holds at most 7 (one more
    # allowed for loopback jitter, which can bunch two arrivals).
    assert max(sum(1 for t in times if start <= t < start + 1.0) for start in times) <= 8
    assert times[-1] - times[0] >= 11 / 7 - 0.2


async def test_no_more_than_fifty_a_second_in_one_tenant(
    db: sessionmaker[Session], connector: FakeConnector
) -> None:
    for n in range(60):
        link(db, "DASVG", add_conversation(db, f"19:c{n}@thread", connector.url))
    summary = await run_jobs(PROMPT_DUE, job_context(db, concurrency=16))
    assert summary.sent == 60
    times = sorted(a.at for a in connector.sent())
    assert max(sum(1 for t in times if start <= t < start + 1.0) for start in times) <= 52
    assert times[-1] - times[0] >= 59 / 50 - 0.2


async def test_a_claim_left_by_a_killed_process_is_never_resent(
    db: sessionmaker[Session], connector: FakeConnector
) -> None:
    from storage import deliveries

    link(db, "DASVG", add_conversation(db, "19:dasvg@thread", connector.url))
    link(db, "DASVG", add_conversation(db, "19:other@thread", connector.url))
    ctx = job_context(db)
    with transaction(db) as session:  # plan, then "crash" right after claiming one row
        from bot.jobs.runner import plan

        plan(session, PROMPT_DUE, ctx)
    with transaction(db) as session:
        first = deliveries.due_ids(session, PROMPT_DUE)[0]
        assert deliveries.claim(session, first, "killed-worker", PROMPT_DUE)
    summary = await run_jobs(PROMPT_DUE + timedelta(minutes=1), ctx)
    assert summary.sent == 1 and summary.unknown == 0  # the claim is young: left alone
    summary = await run_jobs(PROMPT_DUE + timedelta(minutes=31), ctx)
    assert summary.unknown == 1 and summary.sent == 0
    assert len(connector.sent()) == 1
    assert statuses(db) == {"sent": 1, "unknown": 1}


async def test_two_instances_on_one_postgres_send_each_once(
    postgres_url: str, connector: FakeConnector
) -> None:
    from bot.plan.schedule import BodyRules
    from storage.body_rules import save_rules

    engines = [make_engine(postgres_url) for _ in range(2)]
    first, second = (make_sessionmaker(e) for e in engines)
    add_confirmed_series(first)
    with transaction(first) as session:  # reminders due at the same time as the prompts
        save_rules(session, "DASVG", BodyRules(7, 3, 7), None, PROMPT_DUE)
    expected = [f"19:pg-{n}@thread" for n in range(12)]
    for name in expected:
        link(first, "DASVG", add_conversation(first, name, connector.url))
    for n in range(6):
        add_conversation(first, f"a:pg-chat-{n}", connector.url, kind="personal", aad=f"aad-{n}")
        add_person(first, f"aad-{n}", ("DASVG",))
        expected.append(f"a:pg-chat-{n}")
    connector.delay_seconds = 0.02
    contexts = [job_context(db, concurrency=4) for db in (first, second)]
    # Two instances, each running twice at once (an overlapping run): four runs together.
    summaries = await asyncio.gather(*(run_jobs(PROMPT_DUE, c) for c in contexts * 2))
    for engine in engines:
        engine.dispose()
    assert sum(s.sent for s in summaries) == len(expected) == 18
    assert sum(s.planned for s in summaries) == 18
    assert per_conversation(connector) == {name: 1 for name in expected}
    assert all(a.status == 200 for a in connector.arrivals)


async def test_the_scrutiny_sub_panel_is_prompted_about_the_whole_plan(
    db: sessionmaker[Session], connector: FakeConnector
) -> None:
    link(db, "SSP", add_conversation(db, "19:ssp@thread", connector.url))
    due = datetime(2022, 6, 2, 9, 0, tzinfo=UTC)  # 9 June 2022 10:00 BST, minus 7 days
    assert (await run_jobs(due - SECOND, job_context(db))).sent == 0
    assert (await run_jobs(due, job_context(db))).sent == 1
    text = card_texts(connector.sent()[0].cards[0])
    # The forward work programme gives the date, not the time: no time is made up.
    assert "Scrutiny Sub Panel's meeting" in text
    assert "Thursday 9 June 2022 (time not yet on record)" in text and "10:00" not in text
    assert "Scrutiny Sub Panel owns no actions, so this covers the whole plan" in text
    assert "since the last meeting (24 Feb 2022)" in text and "And " in text
    # The panel's open requests: the extension recommendation is still awaited.
    assert "Open scrutiny requests for this meeting" in text
    assert "SSP-2021-09-16-REC1 (owed by NCCSP)" in text and "Project ADDER" in text
    assert "SSP-2021-09-16-REQ1" not in text  # answered on 24 February 2022


async def test_nothing_is_posted_into_a_tenant_not_allowed(
    db: sessionmaker[Session], connector: FakeConnector
) -> None:
    link(db, "DASVG", add_conversation(db, "19:ours@thread", connector.url, tenant="tenant-a"))
    link(db, "DASVG", add_conversation(db, "19:theirs@thread", connector.url, tenant="tenant-b"))
    ctx = job_context(db, allowed_tenants=("tenant-a",))
    summary = await run_jobs(PROMPT_DUE, ctx)
    assert summary.sent == 1 and summary.gone == 1
    assert per_conversation(connector) == {"19:ours@thread": 1}
