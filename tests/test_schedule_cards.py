"""Prompt, reminder, meeting, rules and failed-delivery cards: valid, within budget, escaped."""

from __future__ import annotations

import pytest

from bot.jobs.content import MAX_ITEMS
from cards.base import SIZE_BUDGET_BYTES, size_of
from cards.meetings import meeting_form_card, meeting_list_card
from cards.prompts import meeting_reminder_card, update_prompt_card
from cards.schedule import problems_card, rules_card
from cards.views import (
    MeetingFormView,
    MeetingListView,
    MeetingReminderView,
    MeetingRow,
    ProblemListView,
    ProblemRow,
    PromptItem,
    RulesView,
    UpdatePromptView,
)
from tests.cardcheck import assert_valid_card
from tests.harness import card_texts
from tests.test_cards import action

HOSTILE = "[click](https://evil.example) <at>Everyone</at> **now**"


def items(count: int, text: str = "Establish a group") -> tuple[PromptItem, ...]:
    return tuple(
        PromptItem(action(f"3.{n}", text), "No update yet", "12 days overdue") for n in range(count)
    )


def row(**changes: object) -> MeetingRow:
    base = {
        "meeting_id": 3,
        "body_label": "DASVG",
        "title": "Domestic Abuse and Sexual Violence Group",
        "date_label": "Wed 9 Mar 2022",
        "time_label": "10:00–11:30",
    }
    return MeetingRow(**{**base, **changes})  # type: ignore[arg-type]


CARDS = {
    "prompt": lambda: update_prompt_card(
        UpdatePromptView(
            "DASVG", "DASVG", "Wednesday 9 March 2022, 10:00", items(3), since_label="9 Feb 2022"
        )
    ),
    "prompt, all up to date": lambda: update_prompt_card(
        UpdatePromptView("DASVG", "DASVG", "Wednesday 9 March 2022, 10:00", ())
    ),
    "follow-up": lambda: update_prompt_card(
        UpdatePromptView(
            "DASVG", "DASVG", "Wednesday 9 March 2022, 10:00", items(2), follow_up=True, more=4
        )
    ),
    "reminder": lambda: meeting_reminder_card(
        MeetingReminderView(
            "DASVG",
            "DASVG",
            "Wednesday 9 March 2022, 10:00–11:30",
            "County Hall",
            "https://teams.microsoft.com/l/x",
            items(2),
        )
    ),
    "reminder, nothing due": lambda: meeting_reminder_card(
        MeetingReminderView(
            "Scrutiny Sub Panel", "Scrutiny Sub Panel", "Thursday 9 June 2022, 10:00–12:00"
        )
    ),
    "meetings": lambda: meeting_list_card(
        MeetingListView(
            "Meetings: DASVG",
            "2 meetings",
            (row(can_edit=True, repeats="Every month"), row(link="https://x.example/m")),
            page=1,
            pages=2,
            query={"b": ["DASVG"], "from": "2022-03-01", "to": "2022-06-01"},
            add_bodies=("DASVG",),
            message="Saved",
        )
    ),
    "meeting form": lambda: meeting_form_card(
        MeetingFormView(
            values={"title": "x", "duration": "90", "recurrence": "monthly"},
            body_choices=(("DASVG", "DASVG"), ("SSP", "Scrutiny Sub Panel")),
            errors={"title": "Enter a title.", "rrule": "bad"},
            message="Please correct",
        )
    ),
    "rules": lambda: rules_card(RulesView("DASVG", "DASVG", 7, 3, 1, can_edit=True)),
    "rules form": lambda: rules_card(
        RulesView(
            "DASVG",
            "DASVG",
            7,
            3,
            1,
            can_edit=True,
            editing=True,
            values={"lead": "abc"},
            errors={"lead": "bad"},
            message="m",
        )
    ),
    "problems": lambda: problems_card(
        ProblemListView(
            (ProblemRow("02 Mar 2022 10:00", "DASVG", "reminder", "Dana", "No 1:1 chat", "x"),), 30
        )
    ),
    "no problems": lambda: problems_card(ProblemListView((), 30)),
}


@pytest.mark.parametrize("name", list(CARDS))
def test_card_is_valid(name: str) -> None:
    assert_valid_card(CARDS[name]())


def test_a_full_digest_stays_under_budget() -> None:
    view = UpdatePromptView(
        "DASVG", "DASVG", "Wednesday 9 March 2022, 10:00", items(MAX_ITEMS, "word " * 400), more=30
    )
    card = update_prompt_card(view)
    assert_valid_card(card)
    assert size_of(card) < SIZE_BUDGET_BYTES
    assert "And 30 more" in card_texts(card)


def test_user_text_is_escaped_on_scheduled_cards() -> None:
    reminder = meeting_reminder_card(
        MeetingReminderView("DASVG", HOSTILE, "Wednesday", location=HOSTILE)
    )
    listing = meeting_list_card(MeetingListView("t", "s", (row(title=HOSTILE, location=HOSTILE),)))
    for card in (reminder, listing):
        raw = str(card)
        assert "[click](https" not in raw and "<at>" not in raw and "**now**" not in raw
