"""What a due delivery says and where it goes, worked out when it is sent (blocking: database).

Content is built at send time, not when the delivery is planned, so a follow-up lists what
is missing at that moment and a moved or cancelled meeting is noticed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from bot.clock import LONDON, london_today
from bot.plan import rules as plan_rules
from bot.plan.calendar import last_meeting, next_meeting, when_text
from bot.plan.labels import day_label
from bot.plan.meetings import Occurrence, occurrences
from bot.plan.prompts import Need, due_from_member, needing_update, still_missing
from bot.plan.schedule import APPROVAL, CONFIRM, FOLLOW_UP, NOTICE, PROMPT, days_before
from bot.plan.scrutiny import for_meeting, status_text
from bot.turns import Message
from cards.base import escape, shorten
from cards.memberships import requests_card
from cards.prompts import meeting_reminder_card, update_prompt_card
from cards.views import MeetingReminderView, PromptItem, UpdatePromptView
from storage.body_rules import rules_for
from storage.conversations import ReferenceRecord, personal_reference, reference_by_id
from storage.deliveries import DeliveryRecord
from storage.meetings import body_cadences, meeting_by_id, meeting_series
from storage.membership_requests import request_of
from storage.notices import update_of
from storage.people import chairs_of, person_by_id
from storage.plan_queries import PlanNotFound, action_by_id, actions
from storage.reminders import is_subscribed
from storage.scrutiny import scrutiny_items

MAX_ITEMS = 15
NOTICE_TEXT_LIMIT = 140


@dataclass(frozen=True)
class Content:
    """The message to send, or why nothing is sent (``skip_reason``)."""

    message: Message | None
    skip_reason: str = ""


@dataclass(frozen=True)
class Target:
    """Where to send, or the status and reason for not sending."""

    reference: ReferenceRecord | None
    status: str = ""
    reason: str = ""


def content_key(record: DeliveryRecord) -> tuple[str, str, str]:
    """Deliveries with the same key get the same message (one digest for all linked channels)."""
    if record.rule in (PROMPT, FOLLOW_UP, CONFIRM):
        return (record.rule, record.occurrence_key, record.body_key or "")
    return (record.rule, record.occurrence_key, record.recipient)


def _occurrence(session: Session, record: DeliveryRecord) -> Occurrence | None:
    series = meeting_by_id(session, record.meeting_id) if record.meeting_id else None
    if series is None:
        return None
    starts = record.occurrence_starts
    found = occurrences(series, starts - timedelta(minutes=1), starts + timedelta(minutes=1))
    return next((o for o in found if o.key == record.occurrence_key), None)


def _items(needs: list[Need]) -> tuple[tuple[PromptItem, ...], int]:
    shown = tuple(
        PromptItem(n.action, plan_rules.current_status(n.action), n.reason)
        for n in needs[:MAX_ITEMS]
    )
    return shown, max(0, len(needs) - MAX_ITEMS)


def _requests_for(session: Session, occurrence: Occurrence, now: datetime) -> tuple[str, ...]:
    """Open scrutiny requests this meeting should see, one line each."""
    day = occurrence.starts.astimezone(LONDON).date()
    items = for_meeting(scrutiny_items(session, open_only=True), occurrence.series.body_key, day)
    today = london_today(now)
    return tuple(
        f"{i.ref} (owed by {i.owner_label}): {shorten(i.text, 160)} {status_text(i, today)}."
        for i in items[:MAX_ITEMS]
    )


def _prompt(
    session: Session, record: DeliveryRecord, occurrence: Occurrence, now: datetime
) -> Content:
    body_key = record.body_key or occurrence.series.body_key
    previous = last_meeting(meeting_series(session, [body_key]), occurrence.starts)
    since = previous.starts if previous else None
    owned = actions(session, body_keys=[body_key])
    # A body that owns no actions (the Scrutiny Sub Panel) scrutinises the whole plan.
    whole_plan = not owned
    needs = needing_update(owned or actions(session), london_today(now), since)
    follow_up = record.rule == FOLLOW_UP
    if follow_up:
        prompted_at = days_before(occurrence.starts, rules_for(session, body_key).prompt_lead_days)
        needs = still_missing(needs, prompted_at)
        if not needs:
            return Content(None, "nothing was still missing")
    items, more = _items(needs)
    view = UpdatePromptView(
        body_label=occurrence.series.body_label,
        meeting_title=occurrence.series.title,
        meeting_when=when_text(occurrence),
        items=items,
        follow_up=follow_up,
        since_label=day_label(london_today(since)) if since else "",
        more=more,
        whole_plan=whole_plan,
        requests=_requests_for(session, occurrence, now),
    )
    return Content(Message(card=update_prompt_card(view)))


def _reminder(
    session: Session, record: DeliveryRecord, occurrence: Occurrence, now: datetime
) -> Content:
    person = person_by_id(session, record.person_id) if record.person_id else None
    if person is None:
        return Content(None, "the person is no longer known")
    if not is_subscribed(session, person.id):
        return Content(None, "reminders were turned off")
    meeting_day = occurrence.starts.astimezone(LONDON).date()
    mine = actions(session, body_keys=person.body_keys) if person.body_keys else []
    items, more = _items(due_from_member(mine, london_today(now), meeting_day))
    series = occurrence.series
    view = MeetingReminderView(
        body_label=series.body_label,
        meeting_title=series.title,
        meeting_when=when_text(occurrence),
        location=series.location,
        link=series.link,
        items=items,
        more=more,
    )
    return Content(Message(card=meeting_reminder_card(view)))


def _notice(session: Session, record: DeliveryRecord) -> Content:
    update = update_of(session, record.occurrence_key)
    action = action_by_id(session, update.action_id) if update is not None else None
    if update is None or action is None:
        return Content(None, "the update or its action no longer exists")
    who = update.author_name or "Someone"
    summary = shorten(update.text, NOTICE_TEXT_LIMIT)
    text = f"{who} posted an update to action {action.number}: now {update.status}. {summary}"
    return Content(Message(text=escape(text)))


def _approval(session: Session, record: DeliveryRecord) -> Content:
    request = request_of(session, record.occurrence_key)
    if request is None:
        return Content(None, "the request was already decided or withdrawn")
    message = f"{request.name or 'Someone'} asked to join {request.body_key}; you can decide."
    return Content(Message(card=requests_card([request], message)))


def _confirm(session: Session, record: DeliveryRecord, now: datetime) -> Content:
    """Ask the body's chairs for the next date (unless one was added since it was planned)."""
    body_key = record.body_key or ""
    series = meeting_series(session, [body_key])
    if next_meeting(series, now) is not None:
        return Content(None, "a coming meeting is now on record")
    cadence = body_cadences(session, [body_key]).get(body_key)
    if cadence is None:
        return Content(None, "the body has no cadence on record")
    label, meets = cadence
    chairs = chairs_of(session, body_key)
    who = f"Chairs of {label} ({', '.join(chairs[:4])})" if chairs else f"Chairs of {label}"
    text = (
        f"No date for the next {label} meeting is on record ({label} meets "
        f"{meets.rstrip('. ')}), so no update prompt can be timed before it. "
        f"{who}: please add the next date: “meetings {body_key}” → Add meeting (or import its "
        ".ics calendar)."
    )
    return Content(Message(text=escape(text)))


def content_for(session: Session, record: DeliveryRecord, now: datetime) -> Content:
    """The message for a due delivery, or why it is not sent."""
    if record.rule == NOTICE:
        return _notice(session, record)
    if record.rule == APPROVAL:
        return _approval(session, record)
    if record.rule == CONFIRM:
        return _confirm(session, record, now)
    occurrence = _occurrence(session, record)
    if occurrence is None:
        return Content(None, "the meeting was moved, cancelled or removed")
    try:
        if record.rule in (PROMPT, FOLLOW_UP):
            return _prompt(session, record, occurrence, now)
        return _reminder(session, record, occurrence, now)
    except PlanNotFound:
        return Content(None, "no current plan is loaded")


def target_for(session: Session, record: DeliveryRecord) -> Target:
    """The conversation to post in: the linked channel, or the person's 1:1 chat."""
    if record.conversation_ref_id is not None:
        reference = reference_by_id(session, record.conversation_ref_id)
        if reference is None or not reference.active:
            return Target(None, "gone", "the app was removed from this conversation")
        return Target(reference)
    person = person_by_id(session, record.person_id) if record.person_id else None
    if person is None or not person.aad_object_id:
        return Target(None, "no_chat", "no personal chat: the person's Teams id is not known")
    reference = personal_reference(session, person.aad_object_id)
    if reference is None:
        who = person.name or person.email or "the person"
        return Target(None, "no_chat", f"no personal chat: {who} has no 1:1 chat with the bot")
    return Target(reference)
