"""Meetings: "meetings [BODY]" lists the coming ones; chairs and admins add and change them.

Paging buttons carry the question (bodies and dates), so a page is worked out afresh.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy.orm import Session

from bot.clock import LONDON
from bot.handlers.common import pages
from bot.handlers.links import body_label, may_manage, who_can
from bot.plan.forms import MeetingDraft, read_meeting_form, recurrence_choice
from bot.plan.meetings import MeetingSeries, Occurrence, occurrences
from bot.services import Services
from bot.turns import Reply, Request
from bot.understand import Intent
from cards.meetings import meeting_form_card, meeting_list_card
from cards.views import MeetingFormView, MeetingListView, MeetingRow
from storage.db import transaction
from storage.meetings import meeting_by_id, meeting_series, save_meeting
from storage.people import PersonRecord, person_by_id

DEFAULT_DAYS = 92
MAX_DAYS = 800
FORM_FIELDS = ("title", "date", "time", "duration", "location", "link", "recurrence", "rrule")


def _person(session: Session, request: Request) -> PersonRecord | None:
    return person_by_id(session, request.person_id) if request.person_id else None


def _manageable(services: Services, request: Request, person: PersonRecord | None) -> list[str]:
    """Bodies whose meetings this person may add or change (all of them for admins)."""
    if request.is_admin:
        return [b.key for b in services.vocabulary().bodies.bodies]
    memberships = person.memberships if person else ()
    return sorted(k for k, role in memberships if role in ("chair", "admin"))


def _repeats(series: MeetingSeries) -> str:
    if not series.rrule:
        return ""
    choice, _ = recurrence_choice(series.rrule, series.starts_local)
    words = {"weekly": "Every week", "monthly": "Every month", "quarterly": "Every 3 months"}
    text = words.get(choice, f"Repeats ({series.rrule})")
    return text + (f" until {series.until:%d %b %Y}" if series.until else "")


def _row(occurrence: Occurrence, editable: set[str]) -> MeetingRow:
    series = occurrence.series
    local = occurrence.starts.astimezone(LONDON)
    return MeetingRow(
        meeting_id=series.id,
        body_label=series.body_label,
        title=series.title,
        date_label=f"{local:%a} {local.day} {local:%b %Y}",
        time_label=f"{local:%H:%M}–{occurrence.ends.astimezone(LONDON):%H:%M}",
        location=series.location,
        link=series.link,
        repeats=_repeats(series),
        can_edit=series.body_key in editable,
    )


def _window(intent: Intent, today: date) -> tuple[date, date]:
    window = intent.window
    start = window.start if window and window.start else today
    end = window.end if window and window.end else start + timedelta(days=DEFAULT_DAYS)
    return start, min(end, start + timedelta(days=MAX_DAYS))


def meeting_list(
    services: Services, request: Request, query: dict[str, Any], page: int, message: str = ""
) -> Reply:
    """One page of the meetings described by ``query`` (bodies, from, to)."""
    bodies = [b for b in query.get("b", []) if isinstance(b, str)][:20]
    start, end = date.fromisoformat(query["from"]), date.fromisoformat(query["to"])
    first = datetime.combine(start, time.min, tzinfo=LONDON)
    last = datetime.combine(end, time.max, tzinfo=LONDON)
    with services.db() as session:
        person = _person(session, request)
        found = [
            o for s in meeting_series(session, bodies or None) for o in occurrences(s, first, last)
        ]
    editable = set(_manageable(services, request, person))
    found.sort(key=lambda o: (o.starts, o.series.body_key))
    size = services.settings.page_size
    total_pages = pages(len(found), size)
    page = min(max(1, page), total_pages)
    names = ", ".join(body_label(services, b) for b in bodies) or "all bodies"
    when = f"{start:%d %b %Y} to {end:%d %b %Y}"
    summary = (
        f"{len(found)} meeting{'s' if len(found) != 1 else ''} from {when}, UK time."
        if found
        else f"No meetings in the calendar from {when}."
    )
    view = MeetingListView(
        title=f"Meetings: {names}",
        summary=summary,
        rows=tuple(_row(o, editable) for o in found[(page - 1) * size : page * size]),
        page=page,
        pages=total_pages,
        query=query,
        add_bodies=tuple(b for b in (bodies or sorted(editable)) if b in editable),
        message=message,
    )
    return Reply.with_card(meeting_list_card(view))


def meetings_intent(services: Services, request: Request, intent: Intent) -> Reply:
    """The coming meetings (of the named bodies, or all) from today or the "as of" date."""
    today = intent.as_of or request.today
    start, end = _window(intent, today)
    query = {"b": list(intent.bodies), "from": start.isoformat(), "to": end.isoformat()}
    return meeting_list(services, request, query, 1)


def next_page(services: Services, request: Request) -> Reply:
    """The paging buttons of the meetings list."""
    query, page = request.data.get("q"), request.data.get("page")
    try:
        if not isinstance(query, dict) or not isinstance(page, int):
            raise ValueError("bad paging data")
        date.fromisoformat(query["from"]), date.fromisoformat(query["to"])
    except (KeyError, TypeError, ValueError):
        return Reply(error="That button is from an older card. Ask “meetings” again.")
    return meeting_list(services, request, query, page)


def _values(series: MeetingSeries) -> dict[str, str]:
    choice, custom = recurrence_choice(series.rrule, series.starts_local)
    return {
        "body": series.body_key,
        "title": series.title,
        "date": series.starts_local.date().isoformat(),
        "time": series.starts_local.strftime("%H:%M"),
        "duration": str(series.duration_minutes),
        "location": series.location,
        "link": series.link or "",
        "recurrence": choice,
        "rrule": custom,
        "until": series.until.isoformat() if series.until else "",
    }


def _form(
    services: Services, manageable: list[str], values: dict[str, str], meeting_id: int | None
) -> MeetingFormView:
    choose = meeting_id is None and not values.get("body")
    choices = tuple((k, body_label(services, k)) for k in manageable) if choose else ()
    return MeetingFormView(values=values, meeting_id=meeting_id, body_choices=choices)


def edit_meeting(services: Services, request: Request) -> Reply:
    """The "Add meeting" and "Edit" buttons: the form, for chairs of the body and admins."""
    meeting_id = request.data.get("meetingId")
    with services.db() as session:
        person = _person(session, request)
        manageable = _manageable(services, request, person)
        if isinstance(meeting_id, int):
            series = meeting_by_id(session, meeting_id)
            if series is None:
                return Reply(error="That meeting no longer exists. Ask “meetings” again.")
            if not may_manage(request, person, series.body_key):
                return Reply(error=who_can(session, services, series.body_key))
            form = _form(services, manageable, _values(series), meeting_id)
            return Reply.with_card(meeting_form_card(form))
        body = request.data.get("body")
        if isinstance(body, str) and body:
            if not may_manage(request, person, body):
                return Reply(error=who_can(session, services, body))
        elif not manageable:
            return Reply(error="Only chairs and admins can add meetings.")
        values = {"body": body if isinstance(body, str) else "", "duration": "60", "time": "10:00"}
        return Reply.with_card(meeting_form_card(_form(services, manageable, values, None)))


def _submitted(data: dict[str, Any]) -> dict[str, str]:
    return {k: str(data.get(k) or "")[:2100] for k in (*FORM_FIELDS, "until", "body")}


def save_meeting_form(services: Services, request: Request) -> Reply:
    """The form's Save: validate every field; save only when all are valid."""
    values = _submitted(request.data)
    meeting_id = request.data.get("meetingId")
    meeting_id = meeting_id if isinstance(meeting_id, int) else None
    with transaction(services.db) as session:
        person = _person(session, request)
        manageable = _manageable(services, request, person)
        existing = meeting_by_id(session, meeting_id) if meeting_id else None
        if meeting_id and existing is None:
            return Reply(error="That meeting no longer exists. Nothing was saved.")
        body_key = existing.body_key if existing else values["body"]
        if body_key not in services.vocabulary().bodies.by_key:
            form = _form(services, manageable, values, meeting_id)
            errors = {"body": "Choose the body whose meeting this is."}
            view = replace(form, errors=errors, message="Nothing was saved.")
            return Reply.with_card(meeting_form_card(view))
        if not may_manage(request, person, body_key):
            return Reply(error=who_can(session, services, body_key) + " Nothing was saved.")
        draft, errors = read_meeting_form(values, body_key)
        if draft is None:
            form = _form(services, manageable, values, meeting_id)
            message = "Please correct the fields marked below. Nothing was saved yet."
            return Reply.with_card(meeting_form_card(replace(form, errors=errors, message=message)))
        saved = save_meeting(session, draft, meeting_id=meeting_id)
    return _saved(services, request, draft, saved)


def _saved(
    services: Services, request: Request, draft: MeetingDraft, saved: MeetingSeries
) -> Reply:
    start = min(draft.starts_local.date(), request.today)
    query = {
        "b": [saved.body_key],
        "from": start.isoformat(),
        "to": (start + timedelta(days=DEFAULT_DAYS)).isoformat(),
    }
    local = draft.starts_local
    when = f"{local:%a} {local.day} {local:%b %Y} at {local:%H:%M}"
    message = f"Saved: {saved.body_label} “{saved.title}” on {when}."
    return meeting_list(services, request, query, 1, message=message)
