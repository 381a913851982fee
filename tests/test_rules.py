"""bot/plan/rules.py, case by case: deadlines, overdue, staleness, ordering, counting."""

# ruff: noqa: E501  (one case per line reads best as a table)

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from bot.plan import rules
from bot.plan.statuses import NO_UPDATE, STATUSES
from bot.plan.types import ActionRecord, UpdateRecord

TODAY = date(2022, 6, 1)


def action(
    number: str = "1.1",
    deadline: date | None = None,
    status: str | None = None,
    revised: date | None = None,
    posted: datetime = datetime(2022, 5, 1, 9, tzinfo=UTC),
) -> ActionRecord:
    latest = UpdateRecord(status, "text", posted, revised_date=revised) if status else None
    return ActionRecord(
        id=1,
        plan_key="p",
        number=number,
        text="",
        success_measure="",
        owner_text="",
        owners=(),
        due_text="",
        deadline=deadline,
        ongoing=deadline is None,
        due_readable=True,
        theme_number=1,
        theme_title="",
        section_title="",
        latest=latest,
    )


# (what, the action, effective deadline, overdue today, days overdue, current status)
CASES = [
    ("no deadline, no update", action(), None, False, 0, NO_UPDATE),
    ("deadline passed yesterday", action(deadline=date(2022, 5, 31)), date(2022, 5, 31), True, 1, NO_UPDATE),
    ("deadline today is not yet overdue", action(deadline=TODAY), TODAY, False, 0, NO_UPDATE),
    ("deadline tomorrow", action(deadline=date(2022, 6, 2)), date(2022, 6, 2), False, 0, NO_UPDATE),
    ("passed but complete", action(deadline=date(2022, 1, 1), status="Complete"), date(2022, 1, 1), False, 0, "Complete"),
    ("passed and at risk", action(deadline=date(2022, 1, 1), status="At risk"), date(2022, 1, 1), True, 151, "At risk"),
    ("revised to a later date", action(deadline=date(2022, 1, 1), status="On track", revised=date(2022, 9, 30)), date(2022, 9, 30), False, 0, "On track"),
    ("revised to an earlier date", action(deadline=date(2022, 9, 30), status="Off track", revised=date(2022, 5, 1)), date(2022, 5, 1), True, 31, "Off track"),
    ("revised date on an ongoing action", action(status="Ongoing", revised=date(2022, 3, 1)), date(2022, 3, 1), True, 92, "Ongoing"),
]  # fmt: skip


@pytest.mark.parametrize(("what", "record", "deadline", "overdue", "days", "status"), CASES)
def test_deadline_overdue_and_status(
    what: str,
    record: ActionRecord,
    deadline: date | None,
    overdue: bool,
    days: int,
    status: str,
) -> None:
    assert rules.effective_deadline(record) == deadline, what
    assert rules.is_overdue(record, TODAY) is overdue, what
    assert rules.days_overdue(record, TODAY) == days, what
    assert rules.current_status(record) == status, what
    assert rules.is_complete(record) is (status == "Complete"), what


# (what, the action, days since the update, flagged with a 90-day interval)
STALENESS = [
    ("ongoing, never updated", action(), None, True),
    ("ongoing, updated 31 days ago", action(status="Ongoing"), 31, False),
    ("ongoing, updated 91 days ago", action(status="Ongoing", posted=datetime(2022, 3, 2, 9, tzinfo=UTC)), 91, True),
    ("ongoing, updated exactly 90 days ago", action(status="Ongoing", posted=datetime(2022, 3, 3, 9, tzinfo=UTC)), 90, False),
    ("ongoing but complete", action(status="Complete", posted=datetime(2021, 1, 1, tzinfo=UTC)), 516, False),
    ("with a deadline: overdue instead", action(deadline=date(2023, 1, 1)), None, False),
    ("23:30 UTC on 31 May is already 1 June in London", action(status="Ongoing", posted=datetime(2022, 5, 31, 23, 30, tzinfo=UTC)), 0, False),
]  # fmt: skip


@pytest.mark.parametrize(("what", "record", "since", "flagged"), STALENESS)
def test_staleness_flag(what: str, record: ActionRecord, since: int | None, flagged: bool) -> None:
    assert rules.days_since_update(record, TODAY) == since, what
    assert rules.needs_update_flag(record, TODAY, 90) is flagged, what


@pytest.mark.parametrize(
    ("record", "start", "end", "expected"),
    [
        (action(deadline=date(2022, 6, 15)), date(2022, 6, 1), date(2022, 6, 30), True),
        (action(deadline=date(2022, 6, 1)), date(2022, 6, 1), date(2022, 6, 30), True),
        (action(deadline=date(2022, 6, 30)), date(2022, 6, 1), date(2022, 6, 30), True),
        (action(deadline=date(2022, 7, 1)), date(2022, 6, 1), date(2022, 6, 30), False),
        (action(deadline=date(2022, 6, 15), status="Complete"), TODAY, date(2022, 6, 30), False),
        (action(), date(2022, 6, 1), date(2022, 6, 30), False),
    ],
)
def test_due_between(record: ActionRecord, start: date, end: date, expected: bool) -> None:
    assert rules.due_between(record, start, end) is expected


@pytest.mark.parametrize(
    ("number", "key"), [("1.2", (1, 2)), ("1.10", (1, 10)), ("2.1", (2, 1)), ("3.4a", (3, 0))]
)
def test_number_key(number: str, key: tuple[int, ...]) -> None:
    assert rules.number_key(number) == key


def test_overdue_first_orders_by_days_then_number() -> None:
    records = [
        action("1.10", date(2022, 5, 1)),
        action("1.2", date(2022, 5, 1)),
        action("2.1", date(2022, 1, 1)),
        action("3.1", date(2022, 9, 1)),  # not overdue
        action("3.2", date(2021, 1, 1), status="Complete"),  # complete
    ]
    assert [a.number for a in rules.overdue_first(records, TODAY)] == ["2.1", "1.2", "1.10"]


def test_status_counts_cover_every_status_and_add_up() -> None:
    records = [action(status="On track"), action(), action(status="On track"), action(status="Old")]
    counts = rules.status_counts(records)
    assert list(counts)[: len(STATUSES) + 1] == [*STATUSES, NO_UPDATE]
    assert counts["On track"] == 2 and counts[NO_UPDATE] == 1 and counts["Old"] == 1
    assert sum(counts.values()) == len(records)
