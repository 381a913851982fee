"""Time phrases in questions: "next month", "before April 2022", "as of 1 June 2022".

Pure functions of the text and ``today`` (a London date).
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date, timedelta

_MONTHS = {
    m: i
    for i, names in enumerate(
        [
            ("jan", "january"),
            ("feb", "february"),
            ("mar", "march"),
            ("apr", "april"),
            ("may",),
            ("jun", "june"),
            ("jul", "july"),
            ("aug", "august"),
            ("sep", "sept", "september"),
            ("oct", "october"),
            ("nov", "november"),
            ("dec", "december"),
        ],
        start=1,
    )
    for m in names
}
_MONTH = r"(?P<month>" + "|".join(sorted(_MONTHS, key=len, reverse=True)) + r")\.?"
_DATE_EXPR = (
    rf"(?:(?P<iso>\d{{4}}-\d{{2}}-\d{{2}})"
    rf"|(?P<dmy>\d{{1,2}})[/.](?P<dmm>\d{{1,2}})[/.](?P<dmyy>\d{{4}}|\d{{2}})"
    rf"|(?:(?P<day>\d{{1,2}})(?:st|nd|rd|th)?\s+)?{_MONTH}(?:,?\s+(?P<year>\d{{4}}|\d{{2}}))?"
    rf"|(?P<fy1>20\d{{2}})[-/](?P<fy2>\d{{2}})"
    rf"|(?P<bareyear>20\d{{2}}))"
)
_DATE_RE = re.compile(rf"\b{_DATE_EXPR}\b")
_RELATION = re.compile(
    r"\b(?P<rel>before|by|until|till|after|since|from|as of|as at|on|in|during|for)\s+"
    rf"{_DATE_EXPR}\b"
)
_NEXT_N = re.compile(r"\b(?:next|coming)\s+(?P<n>\d{1,3})\s+(?P<unit>days?|weeks?|months?)\b")


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


def _month_end(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


def _add_months(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def _year(text: str | None, today: date) -> int:
    if text is None:
        return today.year
    return 2000 + int(text) if len(text) == 2 else int(text)


def expression_range(match: re.Match[str], today: date) -> tuple[date, date] | None:
    """The first and last day a date expression covers ("April 2022": 1-30 April 2022)."""
    g = match.groupdict()
    try:
        if g["iso"]:
            day = date.fromisoformat(g["iso"])
            return day, day
        if g["dmy"]:
            day = date(_year(g["dmyy"], today), int(g["dmm"]), int(g["dmy"]))
            return day, day
        if g["month"]:
            month = _MONTHS[g["month"].lower()]
            year = _year(g["year"], today)
            if g["day"]:
                day = date(year, month, int(g["day"]))
                return day, day
            return date(year, month, 1), _month_end(year, month)
        if g["fy1"]:
            first = int(g["fy1"])
            return date(first, 4, 1), date(first + 1, 3, 31)
        if g["bareyear"]:
            year = int(g["bareyear"])
            return date(year, 1, 1), date(year, 12, 31)
    except ValueError:
        return None
    return None


def _quarter_start(today: date) -> date:
    return date(today.year, (today.month - 1) // 3 * 3 + 1, 1)


def _relative(text: str, today: date) -> TimePhrase | None:
    month_start = today.replace(day=1)
    fixed = {
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
        "this month": Window(month_start, _month_end(today.year, today.month), "this month"),
        "next month": Window(
            _add_months(month_start, 1),
            _add_months(month_start, 2) - timedelta(days=1),
            "next month",
        ),
        "this year": Window(date(today.year, 1, 1), date(today.year, 12, 31), "this year"),
        # Issue 16: calendar quarters (January-March, April-June, ...), for "meetings this quarter".
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
    }
    for phrase, window in fixed.items():
        found = re.search(rf"\b{phrase}\b", text)
        if found:
            return TimePhrase(window=window, span=found.span())
    found = _NEXT_N.search(text)
    if found:
        n, unit = int(found["n"]), found["unit"]
        days = n * {"d": 1, "w": 7, "m": 30}[unit[0]]
        return TimePhrase(
            window=Window(today, today + timedelta(days=days), f"the next {n} {unit}"),
            span=found.span(),
        )
    return None


def read_time(text: str, today: date) -> TimePhrase:
    """Find the time phrase in lower-case ``text``.

    "before X": deadlines up to the day before X starts; "by/until X": up to X's last day;
    "after/since/from X": from X; "as of/on X": evaluate as if today were X; "in/during X" or a
    bare "X": within X. Relative phrases: today, this/next week, this/next month, this/next year,
    next N days/weeks/months.
    """
    relative = _relative(text, today)
    if relative is not None:
        return relative
    found = _RELATION.search(text)
    if found:
        covered = expression_range(found, today)
        if covered is None:
            return TimePhrase()
        first, last = covered
        label = found.group(0)
        rel = found["rel"]
        if rel == "before":
            return TimePhrase(Window(None, first - timedelta(days=1), label), span=found.span())
        if rel in ("by", "until", "till"):
            return TimePhrase(Window(None, last, label), span=found.span())
        if rel in ("after", "since", "from"):
            start = last + timedelta(days=1) if rel == "after" else first
            return TimePhrase(Window(start, None, label), span=found.span())
        if rel in ("as of", "as at", "on") and first == last:
            return TimePhrase(as_of=first, span=found.span())
        if rel in ("as of", "as at"):
            return TimePhrase(as_of=first, span=found.span())
        return TimePhrase(Window(first, last, label), span=found.span())
    bare = _DATE_RE.search(text)
    if bare and ((bare["month"] and (bare["year"] or bare["day"])) or bare["iso"] or bare["dmy"]):
        covered = expression_range(bare, today)
        if covered is not None:
            return TimePhrase(Window(covered[0], covered[1], bare.group(0)), span=bare.span())
    return TimePhrase()
