"""Meeting occurrences: single dates, RRULE series, and London time across BST/GMT."""

from __future__ import annotations

from datetime import UTC, date, datetime

from bot.clock import LONDON
from bot.plan.meetings import MeetingSeries, last_before, occurrences, upcoming, valid_rrule

MONTHLY = MeetingSeries(
    id=1,
    body_key="DASVG",
    body_label="DASVG",
    title="DASVG",
    starts_local=datetime(2022, 1, 11, 10, 0),
    rrule="FREQ=MONTHLY;BYDAY=2TU",
    until=date(2022, 12, 31),
)
ONCE = MeetingSeries(
    id=2, body_key="SSP", body_label="SSP", title="Panel", starts_local=datetime(2022, 2, 24, 10, 0)
)


def test_series_keeps_wall_clock_time_across_dst() -> None:
    found = occurrences(
        MONTHLY, datetime(2022, 1, 1, tzinfo=UTC), datetime(2022, 12, 31, tzinfo=UTC)
    )
    assert len(found) == 12
    assert {o.starts.astimezone(LONDON).hour for o in found} == {10}
    utc_hours = {o.starts.month: o.starts.astimezone(UTC).hour for o in found}
    assert utc_hours[1] == 10 and utc_hours[7] == 9  # GMT in winter, BST in summer
    assert found[2].starts.date() == date(2022, 3, 8)  # second Tuesday


def test_single_meeting_and_until() -> None:
    assert [
        o.starts
        for o in occurrences(
            ONCE, datetime(2022, 2, 1, tzinfo=UTC), datetime(2022, 3, 1, tzinfo=UTC)
        )
    ] == [datetime(2022, 2, 24, 10, 0, tzinfo=LONDON)]
    assert (
        occurrences(MONTHLY, datetime(2023, 1, 1, tzinfo=UTC), datetime(2023, 6, 1, tzinfo=UTC))
        == []
    )


def test_upcoming_and_last_before() -> None:
    now = datetime(2022, 2, 20, 12, 0, tzinfo=UTC)
    soon = upcoming([MONTHLY, ONCE], now, days=30)
    assert [o.series.body_key for o in soon] == ["SSP", "DASVG"]
    last = last_before([MONTHLY, ONCE], now)
    assert last is not None and last.starts == datetime(2022, 2, 8, 10, 0, tzinfo=LONDON)
    assert last.key == "1@2022-02-08T10:00"


def test_rrule_validation() -> None:
    assert valid_rrule("FREQ=WEEKLY;COUNT=3", datetime(2022, 1, 1))
    assert not valid_rrule("FREQ=SOMETIMES", datetime(2022, 1, 1))
