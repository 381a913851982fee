"""Reading the "Date" column of the delivery plan.

The plan's date cells are free text written for people ("October 2022", "April 2022 then
Ongoing", "Engagement plan in place by June 22 then ongoing", "Commencement of Serious Violence
Duty (est. 2022-23)"). :func:`interpret_due_text` turns one into a :class:`DueDate`: the
deadline the bot works with, whether the action is ongoing, and whether the text could be read
at all. The text itself is always kept as written; this module never changes it.

Rules, applied in this order:

1. Blank text, "TBC"/"TBA", or a lone dash: no deadline, not ongoing, **flagged unreadable**.
2. Text that *starts* with "Ongoing": ongoing, **no deadline**. Anything after it describes
   events or external milestones ("Ongoing - End of DAPO* pilot 2023"), not a deadline for the
   owner, so it is not read as one.
3. Otherwise every date expression in the text is read:

   * a full date ("13th February 2022", "13 Feb 2022", "2022-02-13", "13/02/2022"): that day;
   * a month and year ("October 2022", "Oct 2022", "Sept 2021"): the last day of that month. A
     two-digit year counts too ("June 22" is June 2022, as the plan writes it);
   * a financial year ("2022-23", "2022/23", "2022/2023"), or a span of them ("2021-24"):
     31 March of its last year;
   * a bare year ("2024"): 31 December of that year;
   * a date range ("7th February - 13th February 2022", "April - June 2022"): its end.

   The deadline is the **latest** date found (for a range that is its end). Numbers that are not
   dates ("SSF 2/3 funding") are ignored; a date that does not exist ("31/02/2022") makes the
   whole text unreadable.
4. "X then ongoing" (the word "ongoing" anywhere after a date): deadline X, and ongoing.
5. "Ongoing" without any date (but not at the start): ongoing, no deadline.
6. Text with no date and no "ongoing": no deadline, **flagged unreadable** so that a person
   looks at it; it is never silently dropped.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date

_MONTHS = {
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

# Most specific first: each match blanks its span so that later patterns cannot reuse it.
_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (kind, re.compile(pattern, re.IGNORECASE))
    for kind, pattern in (
        ("iso", r"\b(?P<year>(?:19|20)\d{2})-(?P<mon>\d{2})-(?P<day>\d{2})\b"),
        ("numeric", r"\b(?P<day>\d{1,2})[/.](?P<mon>\d{1,2})[/.](?P<year>(?:19|20)\d{2}|\d{2})\b"),
        ("day_month_year", rf"\b(?P<day>\d{{1,2}})(?:st|nd|rd|th)?\s+{_MONTH},?\s+{_YEAR}\b"),
        ("month_year", rf"\b{_MONTH},?\s+{_YEAR}\b"),
        ("financial_year", r"\b(?P<first>(?:19|20)\d{2})\s*[-/–]\s*(?P<second>(?:19|20)?\d{2})\b"),
        ("year", r"\b(?P<year>(?:19|20)\d{2})\b"),
    )
)
_UNKNOWN = re.compile(r"^\W*(?:tbc|tba|tbd|to be confirmed|n/?a)?\W*$", re.IGNORECASE)
_ONGOING = re.compile(r"\bongoing\b", re.IGNORECASE)
_LEADING_ONGOING = re.compile(r"^\W*ongoing\b", re.IGNORECASE)


@dataclass(frozen=True)
class DueDate:
    """What a date cell means for the bot.

    Attributes:
        deadline: the date the action is due by, or None.
        ongoing: the action continues without end (possibly after ``deadline``).
        readable: False when the text could not be read; such actions are listed for review.
    """

    deadline: date | None
    ongoing: bool
    readable: bool = True


def _full_year(text: str) -> int:
    year = int(text)
    return 2000 + year if len(text) == 2 else year


def _month_end(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


def _read_match(kind: str, match: re.Match[str]) -> date | None:
    groups = match.groupdict()
    try:
        if kind in ("iso", "numeric"):
            return date(_full_year(groups["year"]), int(groups["mon"]), int(groups["day"]))
        if kind == "day_month_year":
            month = _MONTHS[groups["month"][:3].lower()]
            return date(_full_year(groups["year"]), month, int(groups["day"]))
        if kind == "month_year":
            return _month_end(_full_year(groups["year"]), _MONTHS[groups["month"][:3].lower()])
        if kind == "financial_year":
            first, second = int(groups["first"]), _full_year(groups["second"])
            if second <= first:
                return None
            return date(second, 3, 31)
        return date(int(groups["year"]), 12, 31)
    except ValueError:  # 31/02/2022 and friends: not a date
        return None


def _scan(text: str) -> tuple[list[date], bool]:
    """The dates in ``text`` in order of appearance, and whether an impossible one was seen."""
    remaining = text
    found: list[tuple[int, date]] = []
    impossible = False
    for kind, pattern in _PATTERNS:
        for match in pattern.finditer(remaining):
            value = _read_match(kind, match)
            if value is None:
                impossible = impossible or kind in ("iso", "numeric", "day_month_year")
                if kind == "financial_year":
                    continue  # "2024-2022" is two years, read by the next pattern
            else:
                found.append((match.start(), value))
            start, end = match.span()
            remaining = remaining[:start] + " " * (end - start) + remaining[end:]
    return [value for _, value in sorted(found, key=lambda item: item[0])], impossible


def dates_in(text: str) -> list[date]:
    """All the dates the text mentions, read by the rules above, in order of appearance."""
    return _scan(text)[0]


def interpret_due_text(text: str | None) -> DueDate:
    """Interpret one date cell of the plan (see the module docstring for the rules).

    Args:
        text: the cell exactly as written.

    Returns:
        The deadline, the ongoing flag and whether the text was readable.
    """
    cleaned = " ".join((text or "").split())
    if _UNKNOWN.match(cleaned):
        return DueDate(deadline=None, ongoing=False, readable=False)
    if _LEADING_ONGOING.match(cleaned):
        return DueDate(deadline=None, ongoing=True)
    ongoing = bool(_ONGOING.search(cleaned))
    found, impossible = _scan(cleaned)
    if impossible:
        return DueDate(deadline=None, ongoing=ongoing, readable=False)
    if found:
        return DueDate(deadline=max(found), ongoing=ongoing)
    if ongoing:
        return DueDate(deadline=None, ongoing=True)
    return DueDate(deadline=None, ongoing=False, readable=False)
