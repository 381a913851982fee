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

import re
from dataclasses import dataclass
from datetime import date

from bot.datelex import scan_dates

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


def _scan(text: str) -> tuple[list[date], bool]:
    """The deadlines in ``text`` in order of appearance, and whether an impossible one was seen.

    Each expression counts by its last day (a month by its end, a financial year by 31 March).
    """
    tokens = scan_dates(text)
    impossible = any(token.impossible for token in tokens)
    return [token.last for token in tokens if token.last is not None], impossible


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
