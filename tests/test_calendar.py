"""The calendar's pure rules: confirmed meetings found however far off, cadences, periods."""

from __future__ import annotations

from datetime import UTC, date, datetime

from bot.plan.calendar import (
    NOT_ON_RECORD,
    cadences_without_dates,
    last_meeting,
    next_meeting,
    quarter_window,
    time_label,
    when_text,
)
from bot.plan.meetings import MeetingSeries
from bot.plan.period import PlanPeriod, ended_notice, has_ended, period_line


def panel(id: int, day: datetime, *, time_stated: bool = True) -> MeetingSeries:
    return MeetingSeries(id, "SSP", "SSP", "Scrutiny Sub Panel", day, 120, time_stated=time_stated)


PANEL = [
    panel(1, datetime(2021, 9, 16, 10, 0)),
    panel(2, datetime(2022, 2, 24, 10, 0)),
    panel(3, datetime(2022, 6, 9, 10, 0), time_stated=False),
]


def at(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def test_next_meeting_is_found_however_far_ahead() -> None:
    found = next_meeting(PANEL, at(2022, 3, 1, 9))
    assert found is not None and found.series.id == 3  # 100 days ahead
    assert next_meeting(PANEL, at(2026, 12, 4, 9)) is None


def test_last_meeting_looks_back_however_far() -> None:
    found = last_meeting(PANEL, at(2026, 12, 4, 9))
    assert found is not None and found.series.id == 3
    found = last_meeting(PANEL, at(2022, 3, 1, 9))
    assert found is not None and found.starts.date() == date(2022, 2, 24)
    assert last_meeting(PANEL, at(2021, 1, 1)) is None


def test_a_confirmed_series_is_searched_by_its_rule_and_ends_at_until() -> None:
    series = MeetingSeries(
        9,
        "DASVG",
        "DASVG",
        "DASVG",
        datetime(2027, 1, 13, 10, 0),
        90,
        rrule="FREQ=MONTHLY;BYDAY=2WE",
        until=date(2027, 12, 31),
    )
    nxt = next_meeting([series], at(2027, 3, 1))
    assert nxt is not None and nxt.starts.date() == date(2027, 3, 10)
    assert next_meeting([series], at(2028, 1, 1)) is None
    last = last_meeting([series], at(2030, 1, 1))
    assert last is not None and last.starts.date() == date(2027, 12, 8)


def test_a_date_without_a_time_never_shows_a_time() -> None:
    june = next_meeting(PANEL, at(2022, 3, 1))
    assert june is not None
    assert time_label(june) == NOT_ON_RECORD
    assert when_text(june) == f"Thursday 9 June 2022 ({NOT_ON_RECORD})"
    feb = next_meeting(PANEL, at(2022, 2, 1))
    assert feb is not None and when_text(feb) == "Thursday 24 February 2022, 10:00–12:00"


def test_cadences_without_dates() -> None:
    cadences = {
        "DASVG": ("DASVG", "monthly, the dates agreed at the last meeting of the year"),
        "SSP": ("SSP", "quarterly; dates after 8 December 2022 not yet on record"),
    }
    found = cadences_without_dates(cadences, PANEL, at(2022, 3, 1))
    assert [c.line for c in found] == [
        "DASVG: monthly, the dates agreed at the last meeting of the year; dates not yet on record"
    ]
    later = cadences_without_dates(cadences, PANEL, at(2026, 12, 4))
    assert [c.body_key for c in later] == ["DASVG", "SSP"]
    assert later[1].line == "SSP: quarterly; dates after 8 December 2022 not yet on record"


def test_quarter_window() -> None:
    assert quarter_window(date(2026, 12, 4)) == (date(2026, 10, 1), date(2026, 12, 31))
    assert quarter_window(date(2022, 2, 1)) == (date(2022, 1, 1), date(2022, 3, 31))


PERIOD = PlanPeriod("Safer Norfolk Plan 2021-24", date(2021, 4, 1), date(2024, 3, 31))


def test_the_period_notice_says_the_plan_ended_once() -> None:
    assert not has_ended(PERIOD, date(2024, 3, 31))
    assert ended_notice(PERIOD, date(2024, 3, 31)) is None
    notice = ended_notice(PERIOD, date(2026, 12, 4))
    assert notice == (
        "The Safer Norfolk Plan 2021-24 ended on 31 March 2024; figures are as of today "
        "(4 Dec 2026). Ask “as of 31 March 2024” for the plan at its end."
    )
    admin = ended_notice(PERIOD, date(2026, 12, 4), admin=True)
    assert admin is not None and "extend plan to" in admin and "next-plan" in admin
    assert period_line(PERIOD, date(2026, 12, 4)) == (
        "Safer Norfolk Plan 2021-24: 1 April 2021 to 31 March 2024 (ended)"
    )
    extended = PlanPeriod(PERIOD.title, PERIOD.starts, date(2025, 3, 31), date(2024, 3, 31))
    assert period_line(extended, date(2024, 6, 1)).endswith(
        "to 31 March 2025 (extended from 31 March 2024)"
    )
