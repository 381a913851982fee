"""Importing a body's meetings from an iCalendar (.ics) file, idempotently by UID.

Each VEVENT becomes a meeting (or a series, with its RRULE) in London wall-clock time. Every
event is reported: added, updated, unchanged, or rejected with the reason (all-day events have
no start time; changes to single occurrences, cancelled events and events without a UID are
not imported). Valid events are imported even when others are rejected; importing the same file
again changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from icalendar import Calendar
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from bot.clock import LONDON
from bot.plan.forms import MeetingDraft, read_meeting_form
from storage.db import transaction
from storage.meetings import save_meeting
from storage.models import Body, Meeting

UID_PREFIX = "ics:"
MAX_UID = 300 - len(UID_PREFIX)


@dataclass(frozen=True)
class EventResult:
    """What happened to one event of the file."""

    uid: str
    title: str
    outcome: str  # added, updated, unchanged, rejected
    reason: str = ""


@dataclass
class IcsReport:
    """The per-event report of one import."""

    body_key: str
    events: list[EventResult] = field(default_factory=list)
    dry_run: bool = False

    def count(self, outcome: str) -> int:
        """How many events ended with ``outcome``."""
        return sum(1 for e in self.events if e.outcome == outcome)

    def lines(self) -> list[str]:
        """The report as text, one line per event and a total."""
        out = [
            f"{e.outcome:9} {e.title or '(no title)'} [{e.uid or 'no UID'}]"
            + (f": {e.reason}" if e.reason else "")
            for e in self.events
        ]
        totals = ", ".join(
            f"{self.count(o)} {o}" for o in ("added", "updated", "unchanged", "rejected")
        )
        prefix = "dry run, nothing saved: " if self.dry_run else ""
        out.append(f"{prefix}{len(self.events)} events for {self.body_key}: {totals}")
        return out


def _local(value: datetime) -> datetime:
    """A wall-clock time in London (a floating time is taken as London time already)."""
    if value.tzinfo is None:
        return value
    return value.astimezone(LONDON).replace(tzinfo=None)


def _minutes(event: Any, start: datetime) -> str:
    end = event.get("DTEND")
    if end is not None and isinstance(end.dt, datetime):
        finish = end.dt if (end.dt.tzinfo is None) == (start.tzinfo is None) else None
        if finish is not None:
            return str(int((finish - start).total_seconds() // 60))
    duration = event.get("DURATION")
    if duration is not None and isinstance(duration.dt, timedelta):
        return str(int(duration.dt.total_seconds() // 60))
    return "60"


def _rule(event: Any) -> tuple[str, str, list[str]]:
    """The RRULE without UNTIL, the UNTIL as a London date, and notes."""
    recur = event.get("RRULE")
    if recur is None:
        return "", "", []
    rule = dict(recur)
    until_values = rule.pop("UNTIL", None)
    until = ""
    if until_values:
        last = until_values[0]
        last_day = _local(last).date() if isinstance(last, datetime) else last
        until = last_day.isoformat() if isinstance(last_day, date) else ""
    text = type(recur)(rule).to_ical().decode()
    notes = ["exceptions (EXDATE) were not imported"] if event.get("EXDATE") is not None else []
    return text, until, notes


def _draft(event: Any, body_key: str) -> tuple[MeetingDraft | None, str, list[str]]:
    """The meeting of one VEVENT, or why it is rejected; with notes."""
    if event.get("RECURRENCE-ID") is not None:
        return None, "a change to one occurrence of a series is not imported", []
    if str(event.get("STATUS", "")).upper() == "CANCELLED":
        return None, "the event is cancelled", []
    start = event.get("DTSTART")
    if start is None:
        return None, "no start (DTSTART)", []
    if not isinstance(start.dt, datetime):
        return None, "all-day event: it has no start time", []
    local = _local(start.dt)
    rule, until, notes = _rule(event)
    link = str(event.get("URL") or "").strip()
    if link and not link.startswith("https://"):
        notes.append(f"URL {link[:80]} ignored (not https)")
        link = ""
    values = {
        "title": str(event.get("SUMMARY") or "").strip() or f"{body_key} meeting",
        "date": local.date().isoformat(),
        "time": local.strftime("%H:%M"),
        "duration": _minutes(event, start.dt),
        "location": str(event.get("LOCATION") or ""),
        "link": link,
        "recurrence": "custom" if rule else "none",
        "rrule": rule,
        "until": until,
    }
    draft, errors = read_meeting_form(values, body_key)
    if draft is None:
        return None, "; ".join(f"{name}: {message}" for name, message in errors.items()), notes
    return draft, "", notes


def _same(row: Meeting, draft: MeetingDraft, body_id: int) -> bool:
    return (
        row.body_id == body_id
        and row.title == draft.title
        and row.starts_local == draft.starts_local
        and row.duration_minutes == draft.duration_minutes
        and row.location == draft.location
        and row.link == draft.link
        and row.rrule == draft.rrule
        and row.until == draft.until
    )


def _apply(session: Session, event: Any, body: Body, seen: set[str]) -> EventResult:
    uid = str(event.get("UID") or "").strip()
    title = str(event.get("SUMMARY") or "").strip()
    if not uid:
        return EventResult(
            uid, title, "rejected", "no UID, so it could not be imported twice safely"
        )
    if len(uid) > MAX_UID:
        return EventResult(uid[:40], title, "rejected", f"UID longer than {MAX_UID} characters")
    draft, reason, notes = _draft(event, body.key)
    if draft is None:
        return EventResult(uid, title, "rejected", reason)
    if uid in seen:
        return EventResult(uid, title, "rejected", "the same UID appears twice in the file")
    seen.add(uid)
    stored_uid = UID_PREFIX + uid
    row = session.scalar(select(Meeting).where(Meeting.uid == stored_uid))
    note = "; ".join(notes)
    if row is not None and _same(row, draft, body.id):
        return EventResult(uid, draft.title, "unchanged", note)
    save_meeting(
        session, draft, meeting_id=row.id if row else None, source="ics import", uid=stored_uid
    )
    return EventResult(uid, draft.title, "updated" if row else "added", note)


def import_ics(
    factory: sessionmaker[Session], path: Path, body_key: str, *, dry_run: bool = False
) -> IcsReport:
    """Import the events of an .ics file as meetings of one body, in one transaction.

    Raises:
        KeyError: when no body has that key.
        ValueError: when the file is not an iCalendar file.
    """
    try:
        calendar = Calendar.from_ical(path.read_bytes())
    except (ValueError, IndexError) as exc:
        raise ValueError(f"{path.name} is not a readable iCalendar file: {exc}") from exc
    report = IcsReport(body_key=body_key.upper(), dry_run=dry_run)

    def apply_all(session: Session) -> None:
        body = session.scalar(select(Body).where(Body.key == report.body_key))
        if body is None:
            raise KeyError(body_key)
        seen: set[str] = set()
        report.events = [_apply(session, event, body, seen) for event in calendar.walk("VEVENT")]

    if dry_run:
        with factory() as session:
            apply_all(session)
            session.rollback()
    else:
        with transaction(factory) as session:
            apply_all(session)
    return report
