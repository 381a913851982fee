"""Reading the meeting and rules forms: every field checked, errors per field, nothing guessed.

Pure functions over the submitted card data; the handlers save only what comes back valid.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any
from urllib.parse import urlparse

from bot.plan.meetings import valid_rrule
from bot.plan.schedule import BodyRules

RECURRENCES = ("none", "weekly", "monthly", "quarterly", "custom")
_WEEKDAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
TITLE_MAX = 300
LOCATION_MAX = 500
LINK_MAX = 2048
DURATION_RANGE = (5, 600)
RULE_RANGES = {"lead": (1, 60), "followUp": (0, 59), "reminder": (1, 14)}

Errors = dict[str, str]


@dataclass(frozen=True)
class MeetingDraft:
    """A meeting as entered on the form, valid."""

    body_key: str
    title: str
    starts_local: datetime
    duration_minutes: int
    location: str = ""
    link: str | None = None
    rrule: str | None = None
    until: date | None = None


def _text(data: Mapping[str, Any], name: str) -> str:
    value = data.get(name)
    return " ".join(str(value).split()) if value is not None else ""


def _whole(raw: str, low: int, high: int, what: str) -> tuple[int | None, str]:
    try:
        number = int(float(raw)) if raw and float(raw).is_integer() else int(raw)
    except ValueError:
        return None, f"{what} must be a whole number from {low} to {high}."
    if not low <= number <= high:
        return None, f"{what} must be from {low} to {high}."
    return number, ""


def nth_weekday(day: date) -> str:
    """The day's place in its month as an RRULE BYDAY: 2WE, or -1WE for a fifth weekday."""
    n = (day.day - 1) // 7 + 1
    return f"{-1 if n == 5 else n}{_WEEKDAYS[day.weekday()]}"


def recurrence_rule(choice: str, starts_local: datetime, custom: str = "") -> str | None:
    """The RRULE for a recurrence choice, e.g. monthly on the same weekday of the month."""
    if choice == "weekly":
        return "FREQ=WEEKLY"
    if choice == "monthly":
        return f"FREQ=MONTHLY;BYDAY={nth_weekday(starts_local.date())}"
    if choice == "quarterly":
        return f"FREQ=MONTHLY;INTERVAL=3;BYDAY={nth_weekday(starts_local.date())}"
    if choice == "custom":
        return custom.strip().removeprefix("RRULE:").strip() or None
    return None


def recurrence_choice(rrule: str | None, starts_local: datetime) -> tuple[str, str]:
    """The form's choice for a stored RRULE, and the raw rule when it is a custom one."""
    if not rrule:
        return "none", ""
    for choice in ("weekly", "monthly", "quarterly"):
        if recurrence_rule(choice, starts_local) == rrule.upper():
            return choice, ""
    return "custom", rrule


def _custom_rule_error(rule: str | None, starts_local: datetime) -> str:
    if not rule:
        return "Enter the recurrence rule, e.g. FREQ=MONTHLY;BYDAY=2WE."
    upper = rule.upper()
    if len(rule) > 500 or not upper.startswith("FREQ=") or "DTSTART" in upper:
        return "The rule must start with FREQ= (an RFC 5545 RRULE without DTSTART)."
    if not valid_rrule(rule, starts_local):
        return "That recurrence rule cannot be read; e.g. FREQ=MONTHLY;INTERVAL=3;BYDAY=1TH."
    return ""


def _link_error(link: str) -> str:
    parsed = urlparse(link)
    if parsed.scheme != "https" or not parsed.netloc or len(link) > LINK_MAX or " " in link:
        return "The link must be a web address starting with https://."
    return ""


def _when(data: Mapping[str, Any], errors: Errors) -> datetime | None:
    day = time_of_day = None
    try:
        day = date.fromisoformat(_text(data, "date"))
    except ValueError:
        errors["date"] = "Enter the date of the meeting."
    try:
        time_of_day = time.fromisoformat(_text(data, "time"))
    except ValueError:
        errors["time"] = "Enter the start time, e.g. 10:00."
    if day is None or time_of_day is None:
        return None
    return datetime.combine(day, time_of_day.replace(second=0, microsecond=0, tzinfo=None))


def _recurrence(
    data: Mapping[str, Any], starts: datetime | None, errors: Errors
) -> tuple[str | None, date | None]:
    choice = _text(data, "recurrence") or "none"
    if choice not in RECURRENCES:
        errors["recurrence"] = "Choose how often the meeting repeats."
        return None, None
    until = None
    if _text(data, "until"):
        try:
            until = date.fromisoformat(_text(data, "until"))
        except ValueError:
            errors["until"] = "Enter the last date of the series, or leave it empty."
    # A rule is checked even when the date is wrong, so that every error shows at once.
    anchor = starts or datetime(2000, 1, 3, 10, 0)
    rule = recurrence_rule(choice, anchor, _text(data, "rrule"))
    if choice == "custom":
        problem = _custom_rule_error(rule, anchor)
        if problem:
            errors["rrule"] = problem
    if starts is None:
        return None, until
    if until is not None and until < starts.date():
        errors["until"] = "The series cannot end before its first meeting."
    return rule, until if rule else None


def read_meeting_form(data: Mapping[str, Any], body_key: str) -> tuple[MeetingDraft | None, Errors]:
    """Check every field of the meeting form; a draft only when there is no error."""
    errors: Errors = {}
    title = _text(data, "title")
    if not title:
        errors["title"] = "Enter a title."
    elif len(title) > TITLE_MAX:
        errors["title"] = f"The title can be up to {TITLE_MAX} characters."
    starts = _when(data, errors)
    duration, problem = _whole(
        _text(data, "duration") or "60", *DURATION_RANGE, "The duration (minutes)"
    )
    if problem:
        errors["duration"] = problem
    location = _text(data, "location")
    if len(location) > LOCATION_MAX:
        errors["location"] = f"The place can be up to {LOCATION_MAX} characters."
    link = _text(data, "link") or None
    if link and _link_error(link):
        errors["link"] = _link_error(link)
    rule, until = _recurrence(data, starts, errors)
    if errors or starts is None or duration is None:
        return None, errors
    draft = MeetingDraft(body_key, title, starts, duration, location, link, rule, until)
    return draft, {}


def read_rules_form(data: Mapping[str, Any]) -> tuple[BodyRules | None, Errors]:
    """Check the rules form: whole numbers in range, the follow-up before the meeting."""
    errors: Errors = {}
    labels = {
        "lead": "The update prompt lead time (days)",
        "followUp": "The follow-up delay (days)",
        "reminder": "The reminder lead time (days)",
    }
    values: dict[str, int] = {}
    for name, (low, high) in RULE_RANGES.items():
        number, problem = _whole(_text(data, name), low, high, labels[name])
        if problem:
            errors[name] = problem
        elif number is not None:
            values[name] = number
    if not errors and values["followUp"] >= values["lead"]:
        errors["followUp"] = (
            "The follow-up must come before the meeting: fewer days than the prompt's lead time "
            "(0 for no follow-up)."
        )
    if errors:
        return None, errors
    return BodyRules(values["lead"], values["followUp"], values["reminder"]), {}
