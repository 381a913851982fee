"""Honest statuses: inferred ones show their date, old ones are flagged stale, reopening asks."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime

from bot.plan.status_notes import is_stale, reopens, stale_note, status_label
from bot.plan.types import ActionRecord, UpdateRecord


def action(
    status: str | None, source: str = "teams", on: date = date(2021, 11, 30)
) -> ActionRecord:
    latest = (
        None
        if status is None
        else UpdateRecord(
            status=status,
            text="x",
            created_at=datetime(on.year, on.month, on.day, 12, tzinfo=UTC),
            source=source,
        )
    )
    return ActionRecord(
        id=1,
        plan_key="p",
        number="1.20",
        text="t",
        success_measure="m",
        owner_text="CRPSG",
        owners=(),
        due_text="June 2022 then ongoing",
        deadline=date(2022, 6, 30),
        ongoing=True,
        due_readable=True,
        theme_number=1,
        theme_title="T",
        section_title="S",
        latest=latest,
    )


def test_inferred_status_shows_its_date() -> None:
    assert status_label(action("On track", source="seed")) == "On track, 30 Nov 2021"
    assert status_label(action("On track", source="teams")) == "On track"
    assert status_label(action(None)) == "No update yet"


def test_status_older_than_the_missed_deadline_is_stale() -> None:
    old = action("On track", source="seed")
    assert is_stale(old, date(2022, 11, 1))
    assert stale_note(old, date(2022, 11, 1)) == "status from 30 Nov 2021, before the deadline"
    assert not is_stale(old, date(2022, 6, 1))  # not overdue yet
    fresh = action("At risk", on=date(2022, 7, 15))
    assert not is_stale(fresh, date(2022, 11, 1))  # set after the deadline passed
    assert not is_stale(replace(old, latest=None), date(2022, 11, 1))


def test_changing_a_complete_action_needs_confirmation() -> None:
    done = action("Complete")
    assert reopens(done, "On track")
    assert not reopens(done, "Complete") and not reopens(done, None)
    assert not reopens(action("On track"), "At risk")


def test_the_note_under_a_status() -> None:
    from bot.plan.status_notes import status_note

    assert status_note(action("On track", source="seed"), date(2022, 6, 1)) == (
        "30 Nov 2021, from a report"
    )
    assert status_note(action("On track", source="seed"), date(2022, 11, 1)).startswith("stale: ")
    assert status_note(action("On track"), date(2022, 6, 1)) == ""
