"""The one date lexer: every date expression in a text, with the days it covers.

Both readers of dates use it: the plan's "Date" cells (:mod:`bot.plan.due_dates`) and the time
phrases of questions (:mod:`bot.timephrases`). Each token says what kind of expression it is, where
it is, and the first and last day it covers ("October 2022": 1-31 October 2022; "2022-23": the
financial year 1 April 2022 - 31 March 2023). Pure: a function of the text (and, for months written
without a year, of ``today``).
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date

MONTHS: dict[str, int] = {
    "jan": 1,
    "feb": 2,
    "mar": 3,
    "apr": 4,
    "may": 5,
    "jun": 6,
    "jul": 7,
    "aug": 8,
    "sep": 9,
    "oct": 10,
    "nov": 11,
    "dec": 12,
}
_MONTH = (
    r"(?P<month>jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
    r"|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?"
)
_YEAR = r"(?P<year>(?:19|20)\d{2}|\d{2})"
_DAY = r"(?P<day>\d{1,2})(?:st|nd|rd|th)?"

# Most specific first: each match blanks its span so that later patterns cannot reuse it.
# Kinds marked "undated" have no year and are read only when the caller asks for them.
_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (kind, re.compile(pattern, re.IGNORECASE))
    for kind, pattern in (
        ("iso", r"\b(?P<year>(?:19|20)\d{2})-(?P<mon>\d{2})-(?P<day>\d{2})\b"),
        ("numeric", r"\b(?P<day>\d{1,2})[/.](?P<mon>\d{1,2})[/.](?P<year>(?:19|20)\d{2}|\d{2})\b"),
        ("day_month_year", rf"\b{_DAY}(?:\s+of)?\s+{_MONTH},?\s+{_YEAR}\b"),
        ("month_day_year", rf"\b{_MONTH}\s+{_DAY},\s+{_YEAR}\b"),
        ("month_year", rf"\b{_MONTH},?\s+{_YEAR}\b"),
        ("financial_year", r"\b(?P<first>(?:19|20)\d{2})\s*[-/–]\s*(?P<second>(?:19|20)?\d{2})\b"),
        ("year", r"\b(?P<year>(?:19|20)\d{2})\b"),
        ("day_month", rf"\b{_DAY}(?:\s+of)?\s+{_MONTH}(?![a-z])"),
        ("month", rf"\b{_MONTH}(?![a-z])"),
    )
)
_AFTER_RELATION = re.compile(
    r"\b(?:in|by|of|until|till|before|after|since|during|from|to|end)\s+$", re.IGNORECASE
)
UNDATED = frozenset({"day_month", "month"})
EXACT_DAY = frozenset({"iso", "numeric", "day_month_year", "month_day_year", "day_month"})


@dataclass(frozen=True)
class DateToken:
    """One date expression found in a text.

    Attributes:
        kind: iso, numeric, day_month_year, month_day_year, month_year, financial_year, year,
            and (only when asked for) day_month or month, which carry no year.
        start: where the expression starts in the text.
        end: where it ends.
        first: the first day it covers, or None for a date that does not exist (31/02/2022).
        last: the last day it covers, or None likewise.
        text: the expression as written.
    """

    kind: str
    start: int
    end: int
    first: date | None
    last: date | None
    text: str

    @property
    def impossible(self) -> bool:
        """A day that does not exist, written as a day ("31/02/2022")."""
        return self.first is None and self.kind in EXACT_DAY

    @property
    def undated(self) -> bool:
        """Written without a year ("October", "13 May"): the year was chosen from ``today``."""
        return self.kind in UNDATED


def full_year(text: str) -> int:
    """A year as written, two digits meaning 20xx ("22" is 2022)."""
    year = int(text)
    return 2000 + year if len(text) == 2 else year


def month_end(year: int, month: int) -> date:
    """The last day of a month."""
    return date(year, month, calendar.monthrange(year, month)[1])


def month_number(name: str) -> int:
    """1-12 for a month name or its abbreviation ("Sept" is 9)."""
    return MONTHS[name[:3].lower()]


def _undated_year(month: int, today: date | None, past: bool) -> int:
    """The year of a month written without one: the next such month, or the last when ``past``."""
    if today is None:
        return date.today().year
    if past:
        return today.year if month <= today.month else today.year - 1
    return today.year if month >= today.month else today.year + 1


def _covered(
    kind: str, match: re.Match[str], today: date | None, past: bool
) -> tuple[date, date] | None:
    groups = match.groupdict()
    try:
        if kind in ("iso", "numeric"):
            day = date(full_year(groups["year"]), int(groups["mon"]), int(groups["day"]))
            return day, day
        if kind in ("day_month_year", "month_day_year", "day_month"):
            month = month_number(groups["month"])
            year = (
                full_year(groups["year"])
                if groups.get("year")
                else _undated_year(month, today, past)
            )
            day = date(year, month, int(groups["day"]))
            return day, day
        if kind in ("month_year", "month"):
            month = month_number(groups["month"])
            year = (
                full_year(groups["year"])
                if groups.get("year")
                else _undated_year(month, today, past)
            )
            return date(year, month, 1), month_end(year, month)
        if kind == "financial_year":
            first, second = int(groups["first"]), full_year(groups["second"])
            if second <= first:
                return None
            return date(first, 4, 1), date(second, 3, 31)
        year = int(groups["year"])
        return date(year, 1, 1), date(year, 12, 31)
    except ValueError:  # 31/02/2022 and friends: not a date
        return None


def scan_dates(
    text: str, *, undated: bool = False, today: date | None = None, past: bool = False
) -> list[DateToken]:
    """Every date expression in ``text``, in order of appearance, without overlaps.

    Args:
        text: any text (case does not matter).
        undated: also read months and days written without a year ("October", "13 May");
            their year is the next such month from ``today`` (the last one when ``past``).
        today: the London date, for undated expressions.
        past: the text speaks of the past ("what was due in March").

    Returns:
        The tokens; "2024-2022" (not a financial year) is read as two years, and "may" on
        its own is a month only after a word such as "in", "by" or "of".
    """
    remaining = text
    found: list[DateToken] = []
    for kind, pattern in _PATTERNS:
        if kind in UNDATED and not undated:
            continue
        for match in pattern.finditer(remaining):
            if (
                kind == "month"
                and match.group("month").lower() == "may"
                and not _AFTER_RELATION.search(remaining[: match.start()])
            ):
                continue  # "may" as in "what may slip": a month only after "in", "by"...
            covered = _covered(kind, match, today, past)
            if covered is None and kind == "financial_year":
                continue  # "2024-2022" is two years, read by the next pattern
            start, end = match.span()
            first, last = covered if covered is not None else (None, None)
            found.append(DateToken(kind, start, end, first, last, text[start:end]))
            remaining = remaining[:start] + " " * (end - start) + remaining[end:]
    return sorted(found, key=lambda token: token.start)
