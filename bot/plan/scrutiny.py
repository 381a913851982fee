"""Scrutiny requests and recommendations as plain data, and the rules about them.

A request is asked by a panel or body, owed by another, and due at a meeting (or "a future
meeting" when none is named). It stays open until a response is recorded.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from bot.plan.labels import day_label

OPEN = "open"
ANSWERED = "answered"
WITHDRAWN = "withdrawn"


class RequestRefused(ValueError):
    """A response cannot be recorded as asked (the message says why, for the person)."""


@dataclass(frozen=True)
class Response:
    """A response to record: the text, its date, who gave it, and the request's new status."""

    text: str
    responded_on: date
    responded_by: str = ""
    status: str = ANSWERED


@dataclass(frozen=True)
class ScrutinyItem:
    """One request or recommendation with what is known of its answer."""

    id: int
    ref: str
    kind: str
    text: str
    asked_by_key: str
    asked_by_label: str
    owner_key: str
    owner_label: str
    asked_on: date | None
    due_meeting_id: int | None
    due_body_key: str | None
    due_body_label: str | None
    due_day: date | None
    due_text: str
    status: str
    response: str = ""
    responded_on: date | None = None
    responded_by: str = ""
    source: str = ""

    @property
    def is_open(self) -> bool:
        """True until a response is recorded (or it is withdrawn)."""
        return self.status == OPEN


def due_label(item: ScrutinyItem) -> str:
    """Where it is due: "the SSP meeting of 24 Feb 2022", or the source's words."""
    if item.due_day is not None:
        return f"the {item.due_body_label} meeting of {day_label(item.due_day)}"
    return item.due_text or "no meeting set"


def is_awaited(item: ScrutinyItem, today: date) -> bool:
    """Open, and the meeting it was due at has passed: the response is outstanding."""
    return item.is_open and item.due_day is not None and item.due_day < today


def for_meeting(items: Iterable[ScrutinyItem], body_key: str, day: date) -> list[ScrutinyItem]:
    """Open items a meeting of ``body_key`` on ``day`` should see.

    Those due at that meeting, and the body's own requests still outstanding: due at one of
    its earlier meetings, or at "a future meeting" with no date. Oldest first.
    """
    found = []
    for item in items:
        if not item.is_open:
            continue
        due_here = item.due_body_key == body_key and item.due_day == day
        outstanding = item.asked_by_key == body_key and (item.due_day is None or item.due_day < day)
        if due_here or outstanding:
            found.append(item)
    return sorted(found, key=lambda i: (i.asked_on or date.min, i.ref))


def status_text(item: ScrutinyItem, today: date) -> str:
    """Its state in words: "Open, response awaited since 24 Feb 2022", "Answered ..."."""
    if item.status == ANSWERED:
        return "Answered" + (f" {day_label(item.responded_on)}" if item.responded_on else "")
    if item.status == WITHDRAWN:
        return "Withdrawn"
    if is_awaited(item, today) and item.due_day is not None:
        return f"Open, response awaited since {day_label(item.due_day)}"
    return "Open"
