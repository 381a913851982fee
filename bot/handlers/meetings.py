"""Meetings: "meetings [BODY]" lists the coming ones; chairs and admins add and change them.

Paging buttons carry the question (bodies and dates), so a page is worked out afresh.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

from bot.clock import LONDON
from bot.handlers.channels import body_label
from bot.handlers.common import pages
from bot.plan.calendar import cadences_without_dates, time_label
from bot.plan.forms import recurrence_choice
from bot.plan.meetings import MeetingSeries, Occurrence, occurrences
from bot.plan.permissions import manageable_bodies
from bot.services import Services
from bot.turns import Reply, Request
from bot.understand import Intent
from cards.meetings import meeting_list_card
from cards.views import MeetingListView, MeetingRow

DEFAULT_DAYS = 92
MAX_DAYS = 800


def editable_bodies(services: Services, request: Request) -> list[str]:
    """Bodies whose meetings this person may add or change (all of them for admins)."""
    every = (b.key for b in services.vocabulary().bodies.bodies)
    return manageable_bodies(request.memberships, every, is_admin=request.is_admin)


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
        time_label=time_label(occurrence),
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
    every = services.schedule.meetings(bodies or None)
    found = [o for s in every for o in occurrences(s, first, last)]
    cadences = services.schedule.cadences(bodies or None)
    undated = tuple(c.line for c in cadences_without_dates(cadences, every, first))
    editable = set(editable_bodies(services, request))
    found.sort(key=lambda o: (o.starts, o.series.body_key))
    size = services.settings.page_size
    total_pages = pages(len(found), size)
    page = min(max(1, page), total_pages)
    names = ", ".join(body_label(services, b) for b in bodies) or "all bodies"
    when = f"{start:%d %b %Y} to {end:%d %b %Y}"
    summary = (
        f"{len(found)} meeting{'s' if len(found) != 1 else ''} on record from {when}, UK time."
        if found
        else f"No meetings on record from {when}."
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
        cadences=undated,
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
