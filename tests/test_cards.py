"""Every card validates against the Adaptive Card 1.5 schema and stays under 28 KB."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, date, datetime

import pytest

from bot.plan.types import (
    ActionRecord,
    BodyInfo,
    BodyRef,
    OutcomeRecord,
    PlanRecord,
    ThemeRecord,
    UpdateRecord,
)
from cards.actions import action_detail_card, action_list_card, history_card
from cards.base import SIZE_BUDGET_BYTES, escape, size_of
from cards.bodies import choose_bodies_card
from cards.help import did_you_mean_card, help_card
from cards.plan import priorities_card
from cards.views import (
    ActionDetailView,
    ActionItem,
    ActionListView,
    BodyChoiceView,
    HelpView,
    HistoryView,
    PlanView,
)
from tests.cardcheck import assert_valid_card, check_card, text_problems

UPDATE = UpdateRecord(
    status="At risk",
    text="Waiting for [data](https://evil.example) from *partners* <at>Everyone</at>",
    created_at=datetime(2022, 3, 1, 10, 0, tzinfo=UTC),
    author_name="A. Person",
    revised_date=date(2022, 9, 30),
    evidence_url="https://example.org/evidence_1",
)


def action(
    number: str = "1.18", text: str = "Establish a group", latest: UpdateRecord | None = UPDATE
) -> ActionRecord:
    return ActionRecord(
        id=7,
        plan_key="p",
        number=number,
        text=text,
        success_measure="Delivery group established",
        owner_text="NCCSP team",
        owners=(BodyRef("NCCSP-TEAM", "NCCSP Community Safety Team"),),
        due_text="October 2021",
        deadline=date(2021, 10, 31),
        ongoing=False,
        due_readable=True,
        theme_number=1,
        theme_title="Theme",
        section_title="Section",
        latest=latest,
    )


def item(number: str, text: str = "Establish a group") -> ActionItem:
    return ActionItem(action(number, text), "At risk", "31 Oct 2021", "30 days overdue")


CARDS = {
    "list": lambda: action_list_card(
        ActionListView(
            "Overdue: OPCCN",
            "2 actions",
            (item("1.1"), item("1.2")),
            page=2,
            pages=3,
            total=20,
            query={"i": "overdue"},
        )
    ),
    "empty list": lambda: action_list_card(
        ActionListView(
            "Overdue", "0", (), empty_text="Nothing", hint="Tip", show_choose_bodies=True
        )
    ),
    "detail": lambda: action_detail_card(
        ActionDetailView(action(), "At risk", "30 Sep 2022 (revised)", "x", history_count=3)
    ),
    "detail without update": lambda: action_detail_card(
        ActionDetailView(action(latest=None), "No update yet", "31 Oct 2021")
    ),
    "history": lambda: history_card(HistoryView(action(), (UPDATE, UPDATE), page=1, pages=2)),
    "empty history": lambda: history_card(HistoryView(action(), ())),
    "help": lambda: help_card(HelpView(place="channel")),
    "did you mean": lambda: did_you_mean_card(
        HelpView(place="personal", not_understood="blorp", suggestions=("overdue",))
    ),
    "bodies": lambda: choose_bodies_card(
        BodyChoiceView(
            (BodyInfo("OPCCN", "Office", "OPCCN", "organisation"),),
            selected=("OPCCN",),
            message="m",
            total_matches=40,
        )
    ),
    "no bodies": lambda: choose_bodies_card(BodyChoiceView((), search="zzz")),
    "priorities": lambda: priorities_card(
        PlanView(
            PlanRecord(
                "p",
                "Plan",
                True,
                None,
                None,
                (ThemeRecord(1, "T", (OutcomeRecord(1, "O"),), ("S",), 3),),
            ),
            (PlanRecord("q", "Old", False, None, None),),
        )
    ),
    "previous priorities": lambda: priorities_card(
        PlanView(
            PlanRecord(
                "q",
                "Old",
                False,
                None,
                None,
                (
                    ThemeRecord(
                        1, "T", sponsor_text="S", lead_officer="L", objectives="O", targets="T"
                    ),
                ),
            )
        )
    ),
}


@pytest.mark.parametrize("name", list(CARDS))
def test_card_is_valid(name: str) -> None:
    assert_valid_card(CARDS[name]())


def test_a_full_page_of_long_actions_stays_under_budget() -> None:
    long_text = "word " * 400
    view = ActionListView(
        "t",
        "s",
        tuple(item(f"1.{i}", long_text) for i in range(1, 9)),
        pages=2,
        total=16,
        query={"i": "actions", "w": ["x"] * 20},
    )
    card = action_list_card(view)
    assert_valid_card(card)
    assert size_of(card) < SIZE_BUDGET_BYTES


def test_user_text_is_escaped() -> None:
    card = action_detail_card(ActionDetailView(action(), "At risk", "d"))
    texts = [b.get("text", "") for b in card["body"] if b.get("type") == "TextBlock"]
    joined = "\n".join(texts)
    assert "[data](https" not in joined and "[data]\u200b(https" in joined
    assert "<at>" not in joined and "<\u200bat>" in joined
    assert "*partners*" not in joined
    assert "\\" not in joined


@pytest.mark.parametrize(
    ("raw", "escaped"),
    [
        ("[x](y)", "[x]\u200b(y)"),
        ("**bold**", "\u2217\u2217bold\u2217\u2217"),
        ("<at>Bob</at>", "<\u200bat>Bob<\u200b/at>"),
        ("_it_", "\u200b_\u200bit\u200b_\u200b"),
        ("- item\n1. first (a) #2!", "- item\n1. first (a) #2!"),
        ("plain text, 50% done", "plain text, 50% done"),
        ("", ""),
        ("a \\} b", "a \\\u200b} b"),  # typed backslash: shown, never an escape
    ],
)
def test_escape(raw: str, escaped: str) -> None:
    assert escape(raw) == escaped
    assert "\\" not in escape(raw) or "\\" in raw
    assert not text_problems({"type": "TextBlock", "text": escape(raw)})


def test_checker_rejects_what_the_schema_rejects() -> None:
    assert check_card({"type": "AdaptiveCard", "version": "1.5", "body": [{"type": "TextBlock"}]})
    assert check_card({"type": "AdaptiveCard", "version": "1.5", "body": [], "colour": "red"})
    assert check_card(
        {"type": "AdaptiveCard", "version": "1.5", "msteams": {"width": "Full", "x": 1}}
    )
    assert not check_card(
        {"type": "AdaptiveCard", "version": "1.5", "msteams": {"width": "Full"}, "body": []}
    )
    chart = {"type": "Chart.Donut", "data": [{"legend": "a", "value": 1}]}
    assert not check_card({"type": "AdaptiveCard", "version": "1.5", "body": [chart]})
    huge = {
        "type": "AdaptiveCard",
        "version": "1.5",
        "body": [{"type": "TextBlock", "text": "x" * 30000}],
    }
    assert any("budget" in p for p in check_card(huge))


def test_answer_and_did_you_mean_cards_are_valid() -> None:
    from cards.answers import (
        AnswerView,
        BodyChoice,
        DidYouMeanView,
        answer_card,
        did_you_mean_body_card,
    )

    answer = answer_card(
        AnswerView(
            "Who chairs the DASVG",
            ("Two co-chairs, chairing alternately.",),
            (("Co-Chair", "Gavin Thompson (OPCCN)"),),
            "DASVG terms of reference",
            (("DASVG actions", "actions DASVG"),),
        )
    )
    assert not check_card(answer)
    dym = did_you_mean_body_card(
        DidYouMeanView(
            "Norwich City Council",
            (BodyChoice("NCC (Norfolk County Council)", "overdue for NCC"),),
            "overdue for everyone",
        )
    )
    assert not check_card(dym)
    titles = [a["title"] for a in dym["body"][-1]["actions"]]
    assert titles == ["Did you mean NCC (Norfolk County Council)?", "Ask about the whole plan"]


def test_audit_entries_read_as_changes_with_names() -> None:
    from cards.audit import changes

    lines = changes(
        {"status": "On track", "bodies": ["CONSTABULARY"]},
        {"status": "At risk", "bodies": ["CONSTABULARY", "OPCCN"], "revised_date": "2022-09-30"},
        {"CONSTABULARY": "Norfolk Constabulary", "OPCCN": "OPCCN"},
    )
    assert lines == [
        "Bodies: Norfolk Constabulary → Norfolk Constabulary, OPCCN",
        "Revised date: 2022-09-30",
        "Status: On track → At risk",
    ]
    assert changes(None, None, {}) == ["No field changed."]


def test_empty_list_has_no_boilerplate_and_one_no_update_line() -> None:
    from cards.views import ActionItem

    empty = action_list_card(
        ActionListView(
            title="Overdue: DASVG",
            summary="0 actions past the deadline and not complete. Most overdue first.",
            items=(),
            empty_text="Nothing is overdue for DASVG as of 1 Jun 2022.",
        )
    )
    shown = " ".join(b.get("text", "") for b in empty["body"])
    assert "0 actions" not in shown and "Most overdue first" not in shown
    assert "Nothing is overdue for DASVG" in shown
    item = ActionItem(
        action=replace(action(), latest=None),
        status="No update yet",
        deadline_label="Ongoing",
        flag="no update yet",
    )
    one = action_list_card(ActionListView(title="t", summary="s", items=(item,)))
    assert json.dumps(one).lower().count("no update yet") == 1
