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
from bot.plan.labels import day_label, when_label
from bot.plan.meetings import Occurrence, last_before, occurrences
from bot.plan.prompts import Need, due_from_member, needing_update, still_missing
from bot.plan.schedule import FOLLOW_UP, NOTICE, PROMPT, days_before
from bot.turns import Message
from cards.base import escape, shorten
from cards.prompts import meeting_reminder_card, update_prompt_card
from cards.views import MeetingReminderView, PromptItem, UpdatePromptView
from storage.body_rules import rules_for
from storage.conversations import ReferenceRecord, personal_reference, reference_by_id
from storage.deliveries import DeliveryRecord
from storage.meetings import meeting_by_id, meeting_series
from storage.notices import update_of
from storage.people import person_by_id
from storage.plan_queries import PlanNotFound, action_by_id, actions
from storage.reminders import is_subscribed

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
    if record.rule in (PROMPT, FOLLOW_UP):
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


def _prompt(
    session: Session, record: DeliveryRecord, occurrence: Occurrence, now: datetime
) -> Content:
    body_key = record.body_key or occurrence.series.body_key
    previous = last_before(meeting_series(session, [body_key]), occurrence.starts)
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
        meeting_when=when_label(occurrence.starts),
        items=items,
        follow_up=follow_up,
        since_label=day_label(london_today(since)) if since else "",
        more=more,
        whole_plan=whole_plan,
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
        meeting_when=when_label(occurrence.starts, series.duration_minutes),
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


def content_for(session: Session, record: DeliveryRecord, now: datetime) -> Content:
    """The message for a due delivery, or why it is not sent."""
    if record.rule == NOTICE:
        return _notice(session, record)
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
