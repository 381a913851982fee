"""When prompts, follow-ups and reminders fall due: pure rules, London wall-clock time."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from bot.clock import LONDON
from bot.plan.meetings import MeetingSeries, occurrences
from bot.plan.planning import plan_deliveries
from bot.plan.schedule import (
    FOLLOW_UP,
    PROMPT,
    REMINDER,
    BodyRules,
    ChannelTarget,
    ReminderTarget,
    days_before,
    follow_up_due,
    prompt_due,
    reminder_due,
)

MONTHLY = MeetingSeries(
    id=7,
    body_key="DASVG",
    body_label="DASVG",
    title="DASVG",
    starts_local=datetime(2022, 1, 12, 10, 0),
    rrule="FREQ=MONTHLY;BYDAY=2WE",
    until=date(2022, 12, 31),
)
AFTER_CHANGE = MeetingSeries(
    id=8,
    body_key="SSP",
    body_label="SSP",
    title="Panel",
    starts_local=datetime(2022, 3, 30, 10, 0),  # BST since 27 March
)
LONG_AGO = datetime(2020, 1, 1, tzinfo=UTC)
GRACE = timedelta(hours=12)


def plan(now: datetime, **kwargs: object) -> list:
    defaults: dict[str, object] = {
        "series_by_body": {"DASVG": [MONTHLY], "SSP": [AFTER_CHANGE]},
        "rules": {},
        "channels": [ChannelTarget("DASVG", 1, LONG_AGO), ChannelTarget("SSP", 2, LONG_AGO)],
        "people": [ReminderTarget(5, ("DASVG", "SSP"), LONG_AGO)],
        "grace": GRACE,
    }
    defaults.update(kwargs)
    return plan_deliveries(now, **defaults)  # type: ignore[arg-type]


def test_due_times_keep_the_wall_clock_across_the_clock_change() -> None:
    (meeting,) = occurrences(
        AFTER_CHANGE, datetime(2022, 3, 1, tzinfo=UTC), datetime(2022, 4, 1, tzinfo=UTC)
    )
    rules = BodyRules()
    assert prompt_due(meeting, rules) == datetime(2022, 3, 23, 10, 0, tzinfo=LONDON)
    assert prompt_due(meeting, rules).astimezone(UTC).hour == 10  # GMT
    assert follow_up_due(meeting, rules) == datetime(2022, 3, 26, 10, 0, tzinfo=LONDON)
    assert reminder_due(meeting, rules).astimezone(UTC) == datetime(2022, 3, 29, 9, 0, tzinfo=UTC)
    assert follow_up_due(meeting, BodyRules(7, 0, 1)) is None


def test_days_before_on_the_autumn_change() -> None:
    starts = datetime(2022, 11, 2, 10, 0, tzinfo=LONDON)  # GMT; a week earlier is BST
    earlier = days_before(starts, 7)
    assert earlier.astimezone(LONDON).hour == 10 and earlier.astimezone(UTC).hour == 9


def test_nothing_is_planned_before_it_is_due() -> None:
    due = datetime(2022, 3, 2, 10, 0, tzinfo=UTC)  # 9 March meeting - 7 days
    assert [p for p in plan(due - timedelta(seconds=1)) if p.body_key == "DASVG"] == []
    found = [p for p in plan(due) if p.body_key == "DASVG"]
    assert [(p.rule, p.recipient, p.missed) for p in found] == [(PROMPT, "conversation:1", False)]
    assert found[0].occurrence_key == "7@2022-03-09T10:00"


def test_each_kind_at_its_time_and_missed_ones_marked() -> None:
    later = plan(datetime(2022, 3, 8, 10, 0, tzinfo=UTC))
    kinds = {(p.rule, p.body_key): p.missed for p in later}
    assert kinds[(PROMPT, "DASVG")] is True  # 6 days late: beyond the grace window
    assert kinds[(FOLLOW_UP, "DASVG")] is True
    assert kinds[(REMINDER, "DASVG")] is False
    recipients = {p.recipient for p in later if p.rule == REMINDER}
    assert recipients == {"person:5"}


def test_targets_added_after_the_due_time_get_nothing_for_it() -> None:
    now = datetime(2022, 3, 2, 12, 0, tzinfo=UTC)
    linked_late = [ChannelTarget("DASVG", 1, datetime(2022, 3, 2, 11, 0, tzinfo=UTC))]
    assert [p for p in plan(now, channels=linked_late, people=[])] == []
    subscribed = [ReminderTarget(5, ("DASVG",), datetime(2022, 3, 8, 11, 0, tzinfo=UTC))]
    assert plan(datetime(2022, 3, 8, 12, 0, tzinfo=UTC), channels=[], people=subscribed) == []


def test_rules_per_body() -> None:
    rules = {"DASVG": BodyRules(prompt_lead_days=14, follow_up_days=7, reminder_lead_days=2)}
    now = datetime(2022, 2, 23, 10, 0, tzinfo=UTC)  # 9 March - 14 days
    found = plan(now, rules=rules, people=[])
    assert [(p.rule, p.due_at) for p in found] == [(PROMPT, now)]


def test_recurrence_choices_and_form_checks() -> None:
    from bot.plan.forms import nth_weekday, read_meeting_form, read_rules_form, recurrence_choice

    assert nth_weekday(date(2022, 3, 9)) == "2WE"
    assert nth_weekday(date(2022, 3, 30)) == "-1WE"  # a fifth Wednesday: "the last"
    start = datetime(2022, 3, 9, 10, 0)
    assert recurrence_choice("FREQ=MONTHLY;INTERVAL=3;BYDAY=2WE", start) == ("quarterly", "")
    assert recurrence_choice("FREQ=YEARLY", start) == ("custom", "FREQ=YEARLY")
    form = {"title": "T", "date": "2022-03-09", "time": "10:00", "recurrence": "quarterly"}
    draft, errors = read_meeting_form(form, "DASVG")
    assert errors == {} and draft is not None
    assert draft.rrule == "FREQ=MONTHLY;INTERVAL=3;BYDAY=2WE" and draft.duration_minutes == 60
    _, errors = read_meeting_form({**form, "until": "2022-01-01"}, "DASVG")
    assert "until" in errors
    _, errors = read_meeting_form(
        {**form, "recurrence": "custom", "rrule": "FREQ=DAILY;DTSTART=20220101"}, "DASVG"
    )
    assert "rrule" in errors
    assert read_rules_form({"lead": "7", "followUp": "0", "reminder": "1"}) == (
        BodyRules(7, 0, 1),
        {},
    )
    _, errors = read_rules_form({"lead": "7.5", "followUp": "-1", "reminder": ""})
    assert set(errors) == {"lead", "followUp", "reminder"}
