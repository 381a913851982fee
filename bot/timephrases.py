"""Time phrases in questions: "next month", "before April 2022", "as of 1 June 2022".

Pure functions of the text and ``today`` (a London date).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

from bot.datelex import DateToken, month_end, scan_dates

_RELATION = re.compile(
    r"\b(?P<rel>before|by|until|till|up to|after|since|from|as of|as at|on|in|during|for|over"
    r"|end of|close of)"
    r"(?:\s+the)?(?P<end>\s+(?:end|close) of)?\s+$"
)
_NEXT_N = re.compile(
    r"\b(?:next|coming|following)\s+(?P<n>\d{1,3}|one|two|three|four|five|six|twelve)\s+"
    r"(?P<unit>days?|weeks?|months?)\b"
)
_WORD_NUMBERS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "twelve": 12}
_QUARTER = re.compile(
    r"\b(?:in\s+|during\s+|for\s+)?(?:q(?P<q>[1-4])|(?P<word>first|second|third|fourth)\s+quarter)"
    r"(?:\s+(?:of\s+)?(?P<fy>20\d{2}\s*[-/]\s*\d{2,4}|20\d{2}))?\b"
)
_QUARTER_WORDS = {"first": 1, "second": 2, "third": 3, "fourth": 4}
_FINANCIAL = re.compile(r"\b(?P<which>this|current|next|last|previous)\s+financial\s+year\b")
_END_OF = re.compile(
    r"\b(?:(?:before|by|until|till|up to)\s+)?(?:the\s+)?end\s+of\s+(?:the\s+|this\s+)?"
    r"(?P<period>financial year|year|month|quarter)\b"
)
_PAST = re.compile(r"\b(?:was|were|did|had|last|previous|ago)\b")


@dataclass(frozen=True)
class Window:
    """A closed range of dates; either end may be open."""

    start: date | None
    end: date | None
    label: str

    def contains(self, day: date) -> bool:
        """True when ``day`` is inside the window."""
        return (self.start is None or day >= self.start) and (self.end is None or day <= self.end)


@dataclass(frozen=True)
class TimePhrase:
    """What the text says about time: a window of deadlines and/or an "as of" date."""

    window: Window | None = None
    as_of: date | None = None
    span: tuple[int, int] | None = None


def _add_months(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def financial_year_of(day: date) -> tuple[date, date]:
    """The financial year (1 April - 31 March) that ``day`` falls in."""
    first = day.year if day.month >= 4 else day.year - 1
    return date(first, 4, 1), date(first + 1, 3, 31)


def _fy_label(start: date) -> str:
    return f"{start.year}-{(start.year + 1) % 100:02d}"


def _quarter_start(today: date) -> date:
    return date(today.year, (today.month - 1) // 3 * 3 + 1, 1)


def _fixed(today: date) -> dict[str, Window]:
    month_start = today.replace(day=1)
    return {
        "today": Window(today, today, "today"),
        "this week": Window(
            today - timedelta(days=today.weekday()),
            today + timedelta(days=6 - today.weekday()),
            "this week",
        ),
        "next week": Window(
            today + timedelta(days=7 - today.weekday()),
            today + timedelta(days=13 - today.weekday()),
            "next week",
        ),
        "this month": Window(month_start, month_end(today.year, today.month), "this month"),
        "next month": Window(
            _add_months(month_start, 1),
            _add_months(month_start, 2) - timedelta(days=1),
            "next month",
        ),
        "last month": Window(
            _add_months(month_start, -1), month_start - timedelta(days=1), "last month"
        ),
        "this year": Window(date(today.year, 1, 1), date(today.year, 12, 31), "this year"),
        # Issue 16: "meetings this quarter" (quarters run January-March, April-June, ...).
        "this quarter": Window(
            _quarter_start(today),
            _add_months(_quarter_start(today), 3) - timedelta(days=1),
            "this quarter",
        ),
        "next quarter": Window(
            _add_months(_quarter_start(today), 3),
            _add_months(_quarter_start(today), 6) - timedelta(days=1),
            "next quarter",
        ),
        "next year": Window(date(today.year + 1, 1, 1), date(today.year + 1, 12, 31), "next year"),
        "last year": Window(date(today.year - 1, 1, 1), date(today.year - 1, 12, 31), "last year"),
    }


def _relative(text: str, today: date) -> TimePhrase | None:
    found = _END_OF.search(text)
    if found:
        end = _period_end(found["period"], today)
        label = f"by the end of the {found['period']}"
        return TimePhrase(window=Window(None, end, label), span=found.span())
    found = _FINANCIAL.search(text)
    if found:
        start, _ = financial_year_of(today)
        shift = {"next": 1, "last": -1, "previous": -1}.get(found["which"], 0)
        start = date(start.year + shift, 4, 1)
        end = date(start.year + 1, 3, 31)
        label = f"{found['which']} financial year ({_fy_label(start)})"
        return TimePhrase(window=Window(start, end, label), span=found.span())
    found = _QUARTER.search(text)
    if found:
        return _quarter(found, today)
    for phrase, window in _fixed(today).items():
        found = re.search(rf"\b{phrase}\b", text)
        if found:
            return TimePhrase(window=window, span=found.span())
    found = _NEXT_N.search(text)
    if found:
        n = _WORD_NUMBERS.get(found["n"]) or int(found["n"])
        unit = found["unit"]
        if unit.startswith("month"):
            # "the next 3 months" runs to the end of the third month from now.
            end = _add_months(today.replace(day=1), n + 1) - timedelta(days=1)
            if today.day == 1:
                end = _add_months(today, n) - timedelta(days=1)
        else:
            end = today + timedelta(days=n * (7 if unit.startswith("w") else 1))
        unit_word = unit.rstrip("s") + ("s" if n != 1 else "")
        return TimePhrase(
            window=Window(today, end, f"in the next {n} {unit_word}"), span=found.span()
        )
    return None


def _period_end(period: str, today: date) -> date:
    """The last day of the current financial year, year, month or (financial) quarter."""
    if period == "financial year":
        return financial_year_of(today)[1]
    if period == "year":
        return date(today.year, 12, 31)
    if period == "month":
        return month_end(today.year, today.month)
    quarter_start = _add_months(date(today.year, ((today.month - 1) // 3) * 3 + 1, 1), 0)
    return _add_months(quarter_start, 3) - timedelta(days=1)


def _quarter(found: re.Match[str], today: date) -> TimePhrase:
    """Quarters of the financial year: Q1 April-June ... Q4 January-March."""
    quarter = int(found["q"]) if found["q"] else _QUARTER_WORDS[found["word"]]
    if found["fy"]:
        first_year = int(found["fy"][:4])
        if "-" not in found["fy"] and "/" not in found["fy"] and quarter == 4:
            first_year -= 1  # "Q4 2023" is January-March 2023
    else:
        first_year = financial_year_of(today)[0].year
    start = _add_months(date(first_year, 4, 1), 3 * (quarter - 1))
    end = _add_months(start, 3) - timedelta(days=1)
    label = f"in Q{quarter} {_fy_label(date(first_year, 4, 1))} ({start:%b}-{end:%b %Y})"
    return TimePhrase(window=Window(start, end, label), span=found.span())


def _label(token: DateToken, relation: str | None, end_of: bool) -> str:
    written = token.text
    if token.undated and token.first is not None:
        written = f"{token.text.title()} {token.first.year}"
    elif token.kind in ("month_year", "day_month_year", "month"):
        written = token.text[:1].upper() + token.text[1:]
        written = re.sub(r"\b([a-z])", lambda m: m.group(1).upper(), written)
    if relation is None:
        return f"in {written}"
    return f"{relation} {'the end of ' if end_of else ''}{written}"


def _from_token(text: str, token: DateToken) -> TimePhrase | None:
    if token.first is None or token.last is None:
        return None
    before = _RELATION.search(text[: token.start])
    rel = before["rel"] if before else None
    span = (before.start() if before else token.start, token.end)
    label = _label(token, rel, bool(before and before["end"]))
    first, last = token.first, token.last
    if rel == "before":
        return TimePhrase(Window(None, first - timedelta(days=1), label), span=span)
    if rel in ("end of", "close of"):
        rel, label = "by", f"by the end of {label.split(' of ', 1)[1]}"
    if rel in ("by", "until", "till", "up to"):
        return TimePhrase(Window(None, last, label), span=span)
    if rel in ("after", "since", "from"):
        start = last + timedelta(days=1) if rel == "after" else first
        return TimePhrase(Window(start, None, label), span=span)
    if rel in ("as of", "as at") or (rel == "on" and first == last):
        return TimePhrase(as_of=first, span=span)
    if rel is None and token.kind in ("year", "financial_year"):
        return None  # a bare "2022" may be part of a name ("the 2018-21 plan")
    return TimePhrase(Window(first, last, label), span=span)


def read_time(text: str, today: date) -> TimePhrase:
    """Find the time phrase in lower-case ``text``.

    "before X": deadlines up to the day before X starts; "by/until (the end of) X": up to X's
    last day; "after/since/from X": from X; "as of/on X": evaluate as if today were X; "in/during
    X" or a bare "X": within X. Months without a year are the next such month (the last one
    when the question speaks of the past). Relative phrases: today, this/next/last week, month,
    year, this/next/last financial year (April-March), Q1-Q4 of the financial year, and next N
    days/weeks/months (months run to the end of the Nth month).
    """
    relative = _relative(text, today)
    if relative is not None:
        return relative
    past = bool(_PAST.search(text))
    for token in scan_dates(text, undated=True, today=today, past=past):
        if token.undated and not _RELATION.search(text[: token.start]):
            continue  # "march" alone is too weak to be a period
        phrase = _from_token(text, token)
        if phrase is not None:
            return phrase
    return TimePhrase()
