"""Importing meetings from .ics files, and the ``jobs run`` and ``meetings import`` commands."""

from __future__ import annotations

import asyncio
import json
import os
import sys
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select

from bot.clock import LONDON
from bot.plan.meetings import occurrences
from storage.db import make_sessionmaker
from storage.ics_import import import_ics
from storage.meetings import meeting_series
from storage.models import Meeting
from tests.fakes.connector import FakeConnector
from tests.harness import card_texts
from tests.jobs_support import add_conversation, link

ROOT = Path(__file__).resolve().parent.parent
LONDON_TZ = """BEGIN:VTIMEZONE
TZID:Europe/London
BEGIN:DAYLIGHT
TZOFFSETFROM:+0000
TZOFFSETTO:+0100
TZNAME:BST
DTSTART:19700329T010000
RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU
END:DAYLIGHT
BEGIN:STANDARD
TZOFFSETFROM:+0100
TZOFFSETTO:+0000
TZNAME:GMT
DTSTART:19701025T020000
RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU
END:STANDARD
END:VTIMEZONE"""
EVENTS = """BEGIN:VEVENT
UID:dasvg-series@example.org
SUMMARY:DASVG (from Outlook)
DTSTART;TZID=Europe/London:20220511T093000
DTEND;TZID=Europe/London:20220511T110000
RRULE:FREQ=MONTHLY;BYDAY=2WE;UNTIL=20221231T093000Z
EXDATE;TZID=Europe/London:20220810T093000
LOCATION:Room 2, County Hall
URL:https://teams.microsoft.com/l/meetup-join/abc
END:VEVENT
BEGIN:VEVENT
UID:dasvg-series@example.org
RECURRENCE-ID;TZID=Europe/London:20220608T093000
SUMMARY:DASVG (moved)
DTSTART;TZID=Europe/London:20220609T093000
END:VEVENT
BEGIN:VEVENT
UID:bank-holiday@example.org
SUMMARY:Bank holiday
DTSTART;VALUE=DATE:20220502
END:VEVENT
BEGIN:VEVENT
UID:workshop@example.org
SUMMARY:Workshop (UTC in the file)
DTSTART:20220701T120000Z
DURATION:PT2H
URL:http://insecure.example.org/
END:VEVENT
BEGIN:VEVENT
SUMMARY:No UID
DTSTART:20220801T120000Z
END:VEVENT
BEGIN:VEVENT
UID:too-long@example.org
SUMMARY:All day long
DTSTART:20220901T080000Z
DTEND:20220901T200000Z
END:VEVENT"""


def calendar(tmp_path: Path, events: str = EVENTS) -> Path:
    path = tmp_path / "dasvg.ics"
    text = (
        f"BEGIN:VCALENDAR\nVERSION:2.0\nPRODID:-//test//EN\n{LONDON_TZ}\n{events}\nEND:VCALENDAR\n"
    )
    path.write_text(text.replace("\n", "\r\n"), encoding="utf-8")
    return path


def count(engine: Engine) -> int:
    with make_sessionmaker(engine)() as session:
        return int(session.scalar(select(func.count()).select_from(Meeting)) or 0)


def test_import_reports_every_event_and_twice_adds_nothing(engine: Engine, tmp_path: Path) -> None:
    factory = make_sessionmaker(engine)
    before = count(engine)
    report = import_ics(factory, calendar(tmp_path), "DASVG")
    outcomes = [(e.uid, e.outcome) for e in report.events]
    assert outcomes == [
        ("dasvg-series@example.org", "added"),
        ("dasvg-series@example.org", "rejected"),
        ("bank-holiday@example.org", "rejected"),
        ("workshop@example.org", "added"),
        ("", "rejected"),
        ("too-long@example.org", "rejected"),
    ]
    reasons = {e.title: e.reason for e in report.events}
    assert reasons["Bank holiday"] == "all-day event: it has no start time"
    assert "one occurrence of a series" in reasons["DASVG (moved)"]
    assert "no UID" in reasons["No UID"]
    assert "duration" in reasons["All day long"]
    assert "EXDATE" in reasons["DASVG (from Outlook)"]
    assert "ignored (not https)" in reasons["Workshop (UTC in the file)"]
    assert report.lines()[-1] == "6 events for DASVG: 2 added, 0 updated, 0 unchanged, 4 rejected"
    assert count(engine) == before + 2

    with factory() as session:
        series = next(s for s in meeting_series(session, ["DASVG"]) if s.title.endswith("Outlook)"))
        workshop = next(s for s in meeting_series(session, ["DASVG"]) if s.title.startswith("Work"))
    assert series.rrule == "FREQ=MONTHLY;BYDAY=2WE" and series.until == date(2022, 12, 31)
    assert series.location == "Room 2, County Hall" and series.duration_minutes == 90
    assert series.link == "https://teams.microsoft.com/l/meetup-join/abc"
    found = occurrences(series, datetime(2022, 1, 1, tzinfo=UTC), datetime(2023, 6, 1, tzinfo=UTC))
    assert len(found) == 8 and {o.starts.astimezone(LONDON).hour for o in found} == {9}
    assert workshop.starts_local == datetime(2022, 7, 1, 13, 0)  # 12:00 UTC is 13:00 BST
    assert workshop.duration_minutes == 120 and workshop.link is None

    again = import_ics(factory, calendar(tmp_path), "DASVG")
    assert again.count("unchanged") == 2 and again.count("added") == 0
    assert count(engine) == before + 2


def test_a_changed_event_is_updated_and_a_dry_run_saves_nothing(
    engine: Engine, tmp_path: Path
) -> None:
    factory = make_sessionmaker(engine)
    import_ics(factory, calendar(tmp_path), "DASVG")
    moved = EVENTS.replace("20220701T120000Z", "20220702T120000Z")
    dry = import_ics(factory, calendar(tmp_path, moved), "DASVG", dry_run=True)
    assert dry.count("updated") == 1 and dry.lines()[-1].startswith("dry run, nothing saved")
    with factory() as session:
        assert session.scalar(
            select(Meeting.starts_local).where(Meeting.uid == "ics:workshop@example.org")
        ) == datetime(2022, 7, 1, 13, 0)
    assert import_ics(factory, calendar(tmp_path, moved), "DASVG").count("updated") == 1
    with factory() as session:
        assert session.scalar(
            select(Meeting.starts_local).where(Meeting.uid == "ics:workshop@example.org")
        ) == datetime(2022, 7, 2, 13, 0)
    with pytest.raises(KeyError):
        import_ics(factory, calendar(tmp_path), "NOBODY")


async def command(*args: str, database_url: str) -> tuple[int, str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("LOG_LEVEL",)}
    env["DATABASE_URL"] = database_url
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        *args,
        cwd=ROOT,
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(process.communicate(), 120)
    return process.returncode or 0, out.decode(), err.decode()


async def test_meetings_import_command(sqlite_url: str, tmp_path: Path) -> None:
    code, out, _ = await command(
        "meetings", "import", str(calendar(tmp_path)), "--body", "DASVG", database_url=sqlite_url
    )
    assert code == 0 and "added     DASVG (from Outlook)" in out
    assert out.strip().endswith("2 added, 0 updated, 0 unchanged, 4 rejected")
    code, out, _ = await command(
        "meetings", "import", str(calendar(tmp_path)), "--body", "DASVG", database_url=sqlite_url
    )
    assert out.strip().endswith("0 added, 0 updated, 2 unchanged, 4 rejected")
    code, _, err = await command(
        "meetings", "import", str(calendar(tmp_path)), "--body", "NOPE", database_url=sqlite_url
    )
    assert code == 2 and "no body has the key" in err


async def test_jobs_run_command_sends_what_is_due(
    sqlite_url: str, connector: FakeConnector
) -> None:
    from storage.db import make_engine

    engine = make_engine(sqlite_url)
    link(
        make_sessionmaker(engine),
        "SSP",
        add_conversation(make_sessionmaker(engine), "19:c@thread", connector.url),
    )
    engine.dispose()
    code, _, err = await command(
        "jobs", "run", "--now", "2999-01-01T00:00", database_url=sqlite_url
    )
    assert code == 2 and "refusing --now in the future" in err
    code, out, err = await command(
        "jobs", "run", "--now", "2022-02-17T10:00", database_url=sqlite_url
    )
    assert code == 0, err
    assert json.loads(out)["sent"] == 1
    (arrival,) = connector.sent()
    assert "Scrutiny Sub Panel's meeting" in card_texts(arrival.cards[0])
