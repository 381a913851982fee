"""Planning: every delivery due by ``now``, none early, those missed beyond grace marked.

Pure: the jobs pass in the meetings, rules, linked channels and opted-in people they read.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from bot.plan.calendar import next_meeting
from bot.plan.meetings import MeetingSeries, Occurrence, occurrences
from bot.plan.schedule import (
    CONFIRM,
    DEFAULT_RULES,
    FOLLOW_UP,
    PROMPT,
    REMINDER,
    BodyRules,
    ChannelTarget,
    PlannedDelivery,
    ReminderTarget,
    channel_recipient,
    confirm_due,
    follow_up_due,
    person_recipient,
    prompt_due,
    reminder_due,
)

# How far back a run looks for deliveries it should have made (to send them late within the
# grace window, or to record them as skipped after it).
MISSED_LOOKBACK = timedelta(days=7)


def _window(now: datetime, lookback: timedelta, due: datetime | None, since: datetime) -> bool:
    """Due in the look-back window, and not before the recipient signed up."""
    return due is not None and now - lookback < due <= now and due >= since


@dataclass(frozen=True)
class _Run:
    """What every planning step needs to know about the run."""

    now: datetime
    grace: timedelta
    lookback: timedelta
    series_by_body: Mapping[str, list[MeetingSeries]]
    rules: Mapping[str, BodyRules]

    # Expanding recurrences is the slow part of planning; every member of a body needs the
    # same occurrences, so they are worked out once per body and lead time.
    _found: dict[tuple[str, int], tuple[Occurrence, ...]] = field(
        default_factory=dict, compare=False, repr=False
    )

    def occurrences(self, body_key: str, lead_days: int) -> tuple[Occurrence, ...]:
        """Occurrences of a body whose deliveries may fall due in (now - lookback, now]."""
        key = (body_key, lead_days)
        if key not in self._found:
            start = self.now - self.lookback - timedelta(days=1)
            end = self.now + timedelta(days=lead_days + 1)
            found: list[Occurrence] = []
            for series in self.series_by_body.get(body_key, []):
                found.extend(occurrences(series, start, end))
            self._found[key] = tuple(found)
        return self._found[key]

    def due(self, due: datetime | None, since: datetime) -> bool:
        """Due in the look-back window, and not before the recipient signed up."""
        return _window(self.now, self.lookback, due, since)


def _channel_deliveries(run: _Run, target: ChannelTarget) -> list[PlannedDelivery]:
    rules = run.rules.get(target.body_key, DEFAULT_RULES)
    recipient = channel_recipient(target.conversation_ref_id)
    found = []
    for occurrence in run.occurrences(target.body_key, rules.prompt_lead_days):
        prompt_at = prompt_due(occurrence, rules)
        if prompt_at < target.since:
            continue  # linked after the prompt was due: no prompt, and no follow-up either
        for rule, due in ((PROMPT, prompt_at), (FOLLOW_UP, follow_up_due(occurrence, rules))):
            if due is not None and run.due(due, target.since):
                found.append(
                    _planned(
                        run,
                        rule,
                        occurrence,
                        recipient,
                        due,
                        target.body_key,
                        conversation_ref_id=target.conversation_ref_id,
                    )
                )
    return found


def _confirm_asks(
    run: _Run, target: ChannelTarget, cadence_bodies: Collection[str]
) -> list[PlannedDelivery]:
    """This month's ask for the next date, when the body has a cadence and no coming meeting."""
    if target.body_key not in cadence_bodies:
        return []
    due = confirm_due(run.now)
    if not run.due(due, target.since):
        return []
    if next_meeting(run.series_by_body.get(target.body_key, []), due) is not None:
        return []
    key = f"confirm:{target.body_key}:{due:%Y-%m}"
    return [
        PlannedDelivery(
            rule=CONFIRM,
            occurrence_key=key,
            recipient=channel_recipient(target.conversation_ref_id),
            body_key=target.body_key,
            meeting_id=None,
            occurrence_starts=due,
            due_at=due,
            conversation_ref_id=target.conversation_ref_id,
            missed=run.now - due > run.grace,
        )
    ]


def _reminders(run: _Run, person: ReminderTarget) -> list[PlannedDelivery]:
    recipient = person_recipient(person.person_id)
    found = []
    for body_key in person.body_keys:
        rules = run.rules.get(body_key, DEFAULT_RULES)
        for occurrence in run.occurrences(body_key, rules.reminder_lead_days):
            due = reminder_due(occurrence, rules)
            if run.due(due, person.since):
                found.append(
                    _planned(
                        run,
                        REMINDER,
                        occurrence,
                        recipient,
                        due,
                        body_key,
                        person_id=person.person_id,
                    )
                )
    return found


def plan_deliveries(
    now: datetime,
    *,
    series_by_body: Mapping[str, list[MeetingSeries]],
    rules: Mapping[str, BodyRules],
    channels: Iterable[ChannelTarget],
    people: Iterable[ReminderTarget],
    grace: timedelta,
    lookback: timedelta = MISSED_LOOKBACK,
    cadence_bodies: Collection[str] = (),
) -> list[PlannedDelivery]:
    """Every delivery that is due by ``now`` (none early), marking those missed beyond grace.

    Args:
        now: the instant of the run (aware).
        series_by_body: each body's meetings.
        rules: each body's timing (bodies missing here use the defaults).
        channels: channels linked to bodies (only active ones should be passed).
        people: people who opted in to reminders, with their bodies.
        grace: how late a missed delivery may still be sent.
        lookback: how far back to look for missed deliveries (at least ``grace``).
        cadence_bodies: bodies with a stated cadence: while one has no coming meeting on
            record, its linked channels are asked once a month for the next date.
    """
    run = _Run(now, grace, max(lookback, grace), series_by_body, rules)
    planned: list[PlannedDelivery] = []
    for target in channels:
        planned.extend(_channel_deliveries(run, target))
        planned.extend(_confirm_asks(run, target, cadence_bodies))
    for person in people:
        planned.extend(_reminders(run, person))
    # One order for every instance: concurrent planners then take row locks in the same order.
    return sorted(planned, key=lambda p: (p.due_at, p.rule, p.recipient, p.occurrence_key))


def _planned(
    run: _Run,
    rule: str,
    occurrence: Occurrence,
    recipient: str,
    due: datetime,
    body_key: str,
    *,
    conversation_ref_id: int | None = None,
    person_id: int | None = None,
) -> PlannedDelivery:
    return PlannedDelivery(
        rule=rule,
        occurrence_key=occurrence.key,
        recipient=recipient,
        body_key=body_key,
        meeting_id=occurrence.series.id,
        occurrence_starts=occurrence.starts.astimezone(UTC),
        due_at=due.astimezone(UTC),
        conversation_ref_id=conversation_ref_id,
        person_id=person_id,
        missed=run.now - due > run.grace,
    )
