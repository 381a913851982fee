"""When update prompts, follow-ups and meeting reminders are due: pure rules over meetings.

Every time here is a London wall-clock time: a prompt 7 days before a 10:00 meeting is due at
10:00 seven days earlier, whether or not the clocks changed in between.

A delivery is identified by (rule, occurrence key, recipient). The jobs insert one row per
identity and send only the rows they claim, which is what makes each message exactly-once.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from bot.clock import LONDON
from bot.plan.meetings import Occurrence

PROMPT = "prompt"
FOLLOW_UP = "follow_up"
REMINDER = "reminder"
NOTICE = (
    "notice"  # a one-line notice in a body's linked channels when one of its actions is updated
)
# A 1:1 message to a body's chairs (or the admins) that someone asked to join the body.
APPROVAL = "approval"
# Asked in a body's linked channels, once a month, while it has a cadence but no coming meeting
# on record: its chairs are asked for the next date (no prompt can be timed without one).
CONFIRM = "confirm"
RULES = (PROMPT, FOLLOW_UP, REMINDER)


CONFIRM_HOUR = 9


def confirm_due(now: datetime) -> datetime:
    """This month's "confirm the next date" ask: the 1st at 09:00 London time (aware UTC)."""
    local = now.astimezone(LONDON)
    first = datetime(local.year, local.month, 1, CONFIRM_HOUR, 0, tzinfo=LONDON)
    return first.astimezone(UTC)


@dataclass(frozen=True)
class BodyRules:
    """A body's timing, in whole days (0 follow-up days: no follow-up)."""

    prompt_lead_days: int = 7
    follow_up_days: int = 3
    reminder_lead_days: int = 1


DEFAULT_RULES = BodyRules()


@dataclass(frozen=True)
class ChannelTarget:
    """A channel linked to a body: it gets that body's prompts due after ``since``."""

    body_key: str
    conversation_ref_id: int
    since: datetime


@dataclass(frozen=True)
class ReminderTarget:
    """A person who opted in: reminders of their bodies' meetings due after ``since``."""

    person_id: int
    body_keys: tuple[str, ...]
    since: datetime


@dataclass(frozen=True)
class PlannedDelivery:
    """One message that is due (or was due and missed beyond the grace window)."""

    rule: str
    occurrence_key: str
    recipient: str
    body_key: str
    meeting_id: int | None
    occurrence_starts: datetime
    due_at: datetime
    conversation_ref_id: int | None = None
    person_id: int | None = None
    missed: bool = False


def channel_recipient(conversation_ref_id: int) -> str:
    """The recipient key of a linked channel."""
    return f"conversation:{conversation_ref_id}"


def person_recipient(person_id: int) -> str:
    """The recipient key of a person (1:1 reminders)."""
    return f"person:{person_id}"


def days_before(starts: datetime, days: int) -> datetime:
    """The same London wall-clock time ``days`` earlier (an aware datetime in the same zone).

    Python's arithmetic on aware datetimes is wall-clock arithmetic; normalising through UTC
    afterwards gives the right offset on the other side of a BST/GMT change.
    """
    zone = starts.tzinfo
    local = starts.replace(tzinfo=None) - timedelta(days=days)
    return local.replace(tzinfo=zone).astimezone(UTC).astimezone(zone)


def prompt_due(occurrence: Occurrence, rules: BodyRules) -> datetime:
    """When the update prompt for a meeting is due."""
    return days_before(occurrence.starts, rules.prompt_lead_days)


def follow_up_due(occurrence: Occurrence, rules: BodyRules) -> datetime | None:
    """When the follow-up is due (None: the body has no follow-up)."""
    if rules.follow_up_days <= 0:
        return None
    return days_before(occurrence.starts, rules.prompt_lead_days - rules.follow_up_days)


def reminder_due(occurrence: Occurrence, rules: BodyRules) -> datetime:
    """When a member's reminder of a meeting is due."""
    return days_before(occurrence.starts, rules.reminder_lead_days)
