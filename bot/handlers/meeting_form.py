"""The add/edit meeting form (chairs of the body and admins): open, validate, save."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from typing import Any

from bot.handlers.channels import allowed, body_label, who_can
from bot.handlers.common import actor_of
from bot.handlers.meetings import DEFAULT_DAYS, editable_bodies, meeting_list
from bot.plan.forms import MeetingDraft, read_meeting_form, recurrence_choice
from bot.plan.meetings import MeetingSeries
from bot.services import Services
from bot.turns import Reply, Request
from cards.meetings import meeting_form_card
from cards.views import MeetingFormView

FORM_FIELDS = ("title", "date", "time", "duration", "location", "link", "recurrence", "rrule")


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
    manageable = editable_bodies(services, request)
    if isinstance(meeting_id, int):
        series = services.schedule.meeting(meeting_id)
        if series is None:
            return Reply(error="That meeting no longer exists. Ask “meetings” again.")
        if not allowed(request, series.body_key):
            return Reply(error=who_can(services, series.body_key))
        form = _form(services, manageable, _values(series), meeting_id)
        return Reply.with_card(meeting_form_card(form))
    body = request.data.get("body")
    if isinstance(body, str) and body:
        if not allowed(request, body):
            return Reply(error=who_can(services, body))
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
    manageable = editable_bodies(services, request)
    existing = services.schedule.meeting(meeting_id) if meeting_id else None
    if meeting_id and existing is None:
        return Reply(error="That meeting no longer exists. Nothing was saved.")
    body_key = existing.body_key if existing else values["body"]
    if body_key not in services.vocabulary().bodies.by_key:
        form = _form(services, manageable, values, meeting_id)
        errors = {"body": "Choose the body whose meeting this is."}
        view = replace(form, errors=errors, message="Nothing was saved.")
        return Reply.with_card(meeting_form_card(view))
    if not allowed(request, body_key):
        return Reply(error=who_can(services, body_key) + " Nothing was saved.")
    draft, errors = read_meeting_form(values, body_key)
    if draft is None:
        form = _form(services, manageable, values, meeting_id)
        message = "Please correct the fields marked below. Nothing was saved yet."
        return Reply.with_card(meeting_form_card(replace(form, errors=errors, message=message)))
    saved = services.schedule.save_meeting(
        draft, meeting_id, actor_of(request), request.now, describe=_values
    )
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
