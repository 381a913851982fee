"""A body with only a cadence: its linked channels ask its chairs, monthly, for the next date."""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session, sessionmaker

from bot.jobs.runner import run_jobs
from bot.plan.calendar import next_meeting
from bot.plan.forms import MeetingDraft
from bot.plan.meetings import MeetingSeries
from bot.plan.planning import plan_deliveries
from bot.plan.schedule import CONFIRM, ChannelTarget
from storage.db import make_sessionmaker, transaction
from storage.meetings import save_meeting, series_by_body
from storage.models import Delivery
from storage.people import add_memberships, ensure_person
from tests.fakes.connector import FakeConnector
from tests.jobs_support import add_conversation, job_context, link

MARCH_1 = datetime(2022, 3, 1, 9, 0, tzinfo=UTC)  # 09:00 in London (GMT)
LONG_AGO = datetime(2020, 1, 1, tzinfo=UTC)


def test_planning_asks_only_while_no_meeting_is_on_record() -> None:
    target = ChannelTarget("CRPSG", 5, LONG_AGO)

    def plan(now: datetime, series: dict) -> list:  # type: ignore[type-arg]
        return plan_deliveries(
            now,
            series_by_body=series,
            rules={},
            channels=[target],
            people=[],
            grace=MARCH_1 - MARCH_1.replace(hour=0),
            cadence_bodies={"CRPSG"},
        )

    (ask,) = plan(MARCH_1, {})
    assert ask.rule == CONFIRM and ask.occurrence_key == "confirm:CRPSG:2022-03"
    assert ask.due_at == MARCH_1 and ask.meeting_id is None
    assert plan(MARCH_1.replace(hour=8), {}) == []  # never early
    coming = MeetingSeries(1, "CRPSG", "CRPSG", "CRPSG", datetime(2022, 4, 7, 10, 0), 90)
    asks = [p for p in plan(MARCH_1, {"CRPSG": [coming]}) if p.rule == CONFIRM]
    assert asks == [] and next_meeting([coming], MARCH_1) is not None  # a date is on record


async def test_the_chairs_are_asked_once_a_month_until_a_date_is_added(
    engine: Engine, connector: FakeConnector
) -> None:
    db: sessionmaker[Session] = make_sessionmaker(engine)
    with transaction(db) as session:
        chair = ensure_person(session, aad_object_id="aad-crpsg", name="Robin Chair")
        add_memberships(session, chair.id, ["CRPSG"], role="chair", source="test")
    link(db, "CRPSG", add_conversation(db, "19:crpsg@thread", connector.url))
    assert (await run_jobs(MARCH_1, job_context(db))).sent == 1
    (arrival,) = connector.sent()
    text = arrival.body["text"].replace("\\", "")  # markdown escapes off
    assert "No date for the next CRPSG meeting is on record (CRPSG meets quarterly" in text
    assert "Chairs of CRPSG (Robin Chair): please add the next date" in text
    assert (await run_jobs(MARCH_1.replace(hour=10), job_context(db))).sent == 0  # once
    with transaction(db) as session:
        save_meeting(
            session,
            MeetingDraft("CRPSG", "CRPSG", datetime(2022, 4, 7, 10, 0), 90),
            source="chair",
        )
        assert series_by_body(session)["CRPSG"][-1].starts_local.date() == date(2022, 4, 7)
    prompt_due = datetime(2022, 3, 31, 9, 0, tzinfo=UTC)  # 7 days before 7 April 10:00 BST
    assert (await run_jobs(prompt_due, job_context(db))).sent == 1  # the meeting's prompt
    april_1 = datetime(2022, 4, 1, 8, 0, tzinfo=UTC)  # 09:00 BST
    assert (await run_jobs(april_1, job_context(db))).sent == 0  # a date is on record: no ask
    with db() as session:
        rules = session.scalars(select(Delivery.rule).order_by(Delivery.id)).all()
    assert rules == ["confirm", "prompt"]
