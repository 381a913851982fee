"""Meetings back and forth: "when is the next X meeting?", "when did X last meet?".

Only confirmed meetings give a day (and a time, when one is on record); a body that has only
a cadence says so, and its chairs are asked to add the next date.
"""

from __future__ import annotations

from datetime import datetime

from bot.clock import london_day_start
from bot.plan.calendar import Cadence, cadences_without_dates, last_meeting, next_meeting, when_text
from bot.plan.meetings import MeetingSeries, Occurrence
from bot.services import Services
from bot.turns import Reply, Request
from bot.understand import Intent


def _scope(request: Request, intent: Intent) -> list[str] | None:
    """The bodies asked about; else the asker's bodies; else every body (None)."""
    if intent.bodies:
        return list(intent.bodies)
    mine = sorted({key for key, _ in request.memberships})
    return mine or None


def _read(
    services: Services, keys: list[str] | None
) -> tuple[list[MeetingSeries], dict[str, tuple[str, str]]]:
    return services.schedule.meetings(keys), services.schedule.cadences(keys)


def _where(occurrence: Occurrence) -> str:
    series = occurrence.series
    place = f", {series.location}" if series.location else ""
    link = f" ({series.link})" if series.link else ""
    return f"{when_text(occurrence)}{place}{link}"


def _cadence_text(cadences: list[Cadence]) -> str:
    if not cadences:
        return ""
    lines = "\n".join(f"- {c.line}" for c in cadences)
    return (
        f"\n\nMeeting on a cadence, no dates on record:\n{lines}\n\n"
        "Chairs: add the next date from “meetings <body>” → Add meeting (or import the "
        "body's .ics calendar)."
    )


def _names(keys: list[str] | None, services: Services) -> str:
    if keys is None:
        return "any body"
    labels = {b.key: b.ref.label for b in services.vocabulary().bodies.bodies}
    return ", ".join(labels.get(k, k) for k in keys)


def _moment(request: Request, intent: Intent) -> datetime:
    day = intent.as_of or request.as_of
    return london_day_start(day) if day else request.now


def next_meeting_intent(services: Services, request: Request, intent: Intent) -> Reply:
    """The next confirmed meeting of the bodies asked about, however far ahead."""
    keys = _scope(request, intent)
    now = _moment(request, intent)
    series, cadences = _read(services, keys)
    per_body: dict[str, list[MeetingSeries]] = {}
    for s in series:
        per_body.setdefault(s.body_key, []).append(s)
    found = next_meeting(series, now)
    undated = cadences_without_dates(cadences, series, now)
    if found is not None:
        head = f"Next {found.series.body_label} meeting on record: {_where(found)}."
        if keys is not None and len(keys) > 1:
            others = [
                f"- {o.series.body_label}: {_where(o)}"
                for k in keys
                if k != found.series.body_key and (o := next_meeting(per_body.get(k, []), now))
            ]
            if others:
                head += "\n\nThen:\n" + "\n".join(others)
        return Reply.with_text(head + _cadence_text(undated))
    last = last_meeting(series, now)
    text = f"No coming meeting of {_names(keys, services)} is on record."
    if last is not None:
        text += f" The last on record: {last.series.body_label}, {_where(last)}."
    return Reply.with_text(text + _cadence_text(undated))


def last_meeting_intent(services: Services, request: Request, intent: Intent) -> Reply:
    """The most recent confirmed meeting of the bodies asked about, however far back."""
    keys = _scope(request, intent)
    now = _moment(request, intent)
    series, cadences = _read(services, keys)
    found = last_meeting(series, now)
    undated = cadences_without_dates(cadences, series, now)
    if found is None:
        text = f"No earlier meeting of {_names(keys, services)} is on record."
        return Reply.with_text(text + _cadence_text(undated))
    text = f"The {found.series.body_label} last met on {_where(found)}."
    following = next_meeting(series, now)
    if following is not None:
        text += f" Next on record: {_where(following)}."
    return Reply.with_text(text + _cadence_text(undated))
