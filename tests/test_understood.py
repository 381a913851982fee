"""Did-you-mean buttons for unknown names, and the plan that overseeing bodies oversee."""

from __future__ import annotations

from datetime import date

import pytest

from benchmarks.understanding_rate import load_world
from bot.handlers.understood import did_you_mean, overseen_by, oversight_label, question_about
from bot.understand import Vocabulary, understand


@pytest.fixture(scope="module")
def vocabulary() -> Vocabulary:
    return load_world().vocabulary


def test_unknown_body_offers_the_nearest_bodies_and_the_whole_plan(vocabulary: Vocabulary) -> None:
    intent = understand("overdue Norwich City Council", vocabulary, date(2022, 6, 1))
    view = did_you_mean(intent, vocabulary)
    assert view.unknown == "norwich city council"
    assert [c.label for c in view.choices][:2] == [
        "NCC (Norfolk County Council)",
        "District Councils",
    ]
    assert view.choices[0].question == "overdue for NCC"
    assert view.scope_question == "overdue for everyone"
    again = understand(view.choices[0].question, vocabulary, date(2022, 6, 1))
    assert again.name == "overdue" and again.bodies == ("NCC",)


def test_the_same_question_keeps_its_period(vocabulary: Vocabulary) -> None:
    intent = understand("due by the end of october for nhs", vocabulary, date(2022, 8, 1))
    body = vocabulary.bodies.by_key["DASVG"]
    asked = question_about(intent, body)
    assert asked == "due by the end of October 2022 for DASVG"
    again = understand(asked, vocabulary, date(2022, 8, 1))
    assert again.bodies == ("DASVG",) and again.window == intent.window


def test_overseers_come_from_the_partnership_data(vocabulary: Vocabulary) -> None:
    assert overseen_by(("SSP", "CONSTABULARY"), vocabulary) == ("SSP",)
    assert overseen_by(("CONSTABULARY",), vocabulary) == ()
    label = oversight_label(("SSP",), vocabulary)
    assert label.startswith("the whole plan, which the ") and label.endswith("Sub Panel oversees")
