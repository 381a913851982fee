"""Reopening a Complete action is never silent: the form asks, and saves only when ticked."""

from __future__ import annotations

from datetime import UTC, date, datetime

from bot.plan.types import ActionRecord, UpdateRecord
from cards.update_form import REOPEN, STATUS, TEXT
from dialogs import update_progress
from dialogs.update_progress import FieldErrors, SaveUpdate
from tests.cardcheck import check_card


def complete_action() -> ActionRecord:
    return ActionRecord(
        id=18,
        plan_key="p",
        number="1.18",
        text="Establish a Community Relations and Prevent Strategic Group",
        success_measure="Delivery group established",
        owner_text="NCCSP team",
        owners=(),
        due_text="October 2021",
        deadline=date(2021, 10, 31),
        ongoing=False,
        due_readable=True,
        theme_number=1,
        theme_title="T",
        section_title="S",
        latest=UpdateRecord("Complete", "Group established", datetime(2021, 11, 30, tzinfo=UTC)),
    )


def data(**extra: str) -> dict[str, str]:
    return {STATUS: "On track", TEXT: "More to do", "updateKey": "k" * 12, **extra}


def test_changing_a_complete_action_asks_first() -> None:
    result = update_progress.submit(complete_action(), data())
    assert isinstance(result, FieldErrors)
    assert "1.18 is marked Complete" in result.errors[REOPEN]
    form = update_progress.form(
        complete_action(), inline=True, values=result.values, errors=result.errors
    )
    assert not check_card(form)
    assert any(e.get("id") == REOPEN for e in form["body"])


def test_ticked_reopen_saves_and_complete_stays_allowed() -> None:
    assert isinstance(update_progress.submit(complete_action(), data(reopen="true")), SaveUpdate)
    kept = update_progress.submit(complete_action(), data(status="Complete"))
    assert isinstance(kept, SaveUpdate)
