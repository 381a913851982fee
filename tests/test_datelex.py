"""The one date lexer, shared by the plan's date cells and questions' time phrases."""

from __future__ import annotations

from datetime import date

import pytest

from bot.datelex import scan_dates
from bot.plan.due_dates import interpret_due_text
from bot.timephrases import read_time


@pytest.mark.parametrize(
    ("text", "kind", "first", "last"),
    [
        ("2022-02-13", "iso", date(2022, 2, 13), date(2022, 2, 13)),
        ("13/02/2022", "numeric", date(2022, 2, 13), date(2022, 2, 13)),
        ("13th February 2022", "day_month_year", date(2022, 2, 13), date(2022, 2, 13)),
        ("October 2022", "month_year", date(2022, 10, 1), date(2022, 10, 31)),
        ("June 22", "month_year", date(2022, 6, 1), date(2022, 6, 30)),
        ("2022-23", "financial_year", date(2022, 4, 1), date(2023, 3, 31)),
        ("2024", "year", date(2024, 1, 1), date(2024, 12, 31)),
    ],
)
def test_each_kind_covers_its_days(text: str, kind: str, first: date, last: date) -> None:
    (token,) = scan_dates(text)
    assert (token.kind, token.first, token.last) == (kind, first, last)


def test_undated_months_only_when_asked_and_relative_to_today() -> None:
    assert scan_dates("by the end of October") == []
    (token,) = scan_dates("by the end of October", undated=True, today=date(2022, 8, 1))
    assert (token.first, token.last) == (date(2022, 10, 1), date(2022, 10, 31))
    (past,) = scan_dates("in march", undated=True, today=date(2022, 8, 1), past=True)
    assert past.first == date(2022, 3, 1)
    (next_year,) = scan_dates("in march", undated=True, today=date(2022, 8, 1))
    assert next_year.first == date(2023, 3, 1)


def test_may_is_a_month_only_after_a_relation_word() -> None:
    assert scan_dates("what may slip", undated=True, today=date(2022, 1, 1)) == []
    (token,) = scan_dates("due in may", undated=True, today=date(2022, 1, 1))
    assert token.first == date(2022, 5, 1)


def test_impossible_dates_are_flagged() -> None:
    (token,) = scan_dates("31/02/2022")
    assert token.impossible and token.first is None


def test_cells_and_questions_read_the_same_expression_alike() -> None:
    """One lexer: "October 2022" is due 31 October in a cell and ends a question's period."""
    cell = interpret_due_text("October 2022")
    phrase = read_time("what's due by october 2022", date(2022, 1, 1))
    assert phrase.window is not None
    assert cell.deadline == phrase.window.end == date(2022, 10, 31)


@pytest.mark.parametrize(
    ("text", "today", "start", "end"),
    [
        ("due in the next 3 months", date(2022, 8, 1), date(2022, 8, 1), date(2022, 10, 31)),
        ("next three months", date(2022, 8, 1), date(2022, 8, 1), date(2022, 10, 31)),
        ("by the end of october", date(2022, 8, 1), None, date(2022, 10, 31)),
        ("end of june", date(2022, 1, 1), None, date(2022, 6, 30)),
        ("in q3", date(2022, 8, 1), date(2022, 10, 1), date(2022, 12, 31)),
        ("third quarter", date(2022, 8, 1), date(2022, 10, 1), date(2022, 12, 31)),
        ("q4 2022/23", date(2022, 1, 1), date(2023, 1, 1), date(2023, 3, 31)),
        ("this financial year", date(2022, 8, 1), date(2022, 4, 1), date(2023, 3, 31)),
        ("this financial year", date(2023, 2, 1), date(2022, 4, 1), date(2023, 3, 31)),
        ("next financial year", date(2022, 8, 1), date(2023, 4, 1), date(2024, 3, 31)),
        ("what was due in march 2022", date(2022, 8, 1), date(2022, 3, 1), date(2022, 3, 31)),
        ("last month", date(2022, 8, 15), date(2022, 7, 1), date(2022, 7, 31)),
    ],
)
def test_periods_mean_what_people_mean(
    text: str, today: date, start: date | None, end: date | None
) -> None:
    window = read_time(text, today).window
    assert window is not None
    assert (window.start, window.end) == (start, end)


def test_period_labels_name_the_period() -> None:
    window = read_time("by the end of october", date(2022, 8, 1)).window
    assert window is not None and window.label == "by the end of October 2022"
    q3 = read_time("in q3", date(2022, 8, 1)).window
    assert q3 is not None and q3.label == "in Q3 2022-23 (Oct-Dec 2022)"
