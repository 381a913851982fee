"""The scheduled jobs: plain async functions of ``now``, idempotent, safe to run concurrently.

One run plans every delivery due by ``now`` (update prompts, follow-ups, reminders), gives up
stale claims, sends what is pending, then applies the retention rule. Running it twice, after
a restart, or on several instances at once sends each delivery once (see
``storage.deliveries``). The trigger is kept apart: ``bot.jobs.timer`` in the app,
``POST /api/jobs/run``, or ``python -m bot jobs run``.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime

from sqlalchemy.orm import Session

from bot.clock import LONDON
from bot.jobs.content import Content, Target, content_for, content_key, target_for
from bot.jobs.context import JobContext
from bot.jobs.fanout import FanOut, Prepared
from bot.jobs.retention import apply_retention
from bot.jobs.types import JobSummary
from bot.plan.planning import plan_deliveries
from bot.plan.schedule import PlannedDelivery
from storage import deliveries
from storage.body_rules import all_rules
from storage.channel_links import channel_targets
from storage.db import transaction
from storage.meetings import body_cadences, series_by_body
from storage.reminders import reminder_targets

log = logging.getLogger(__name__)
BATCH = 100


def _missed_text(item: PlannedDelivery, now: datetime, grace_hours: float) -> str:
    due = item.due_at.astimezone(LONDON)
    late = (now - item.due_at).total_seconds() / 3600
    return (
        f"missed: due {due:%d %b %Y %H:%M} (UK time) and found {late:.0f} hours late, "
        f"beyond the {grace_hours:g}-hour grace window"
    )


def plan(session: Session, now: datetime, ctx: JobContext) -> tuple[int, int]:
    """Store every delivery due by ``now``; returns (new pending, new skipped as missed)."""
    planned = plan_deliveries(
        now,
        series_by_body=series_by_body(session),
        rules=all_rules(session),
        channels=channel_targets(session),
        people=reminder_targets(session),
        grace=ctx.grace,
        cadence_bodies=set(body_cadences(session)),
    )
    grace_hours = ctx.grace.total_seconds() / 3600
    inserted = deliveries.record_planned(
        session, [(p, _missed_text(p, now, grace_hours)) for p in planned], now
    )
    missed = [p for p in inserted if p.missed]
    for item in missed:
        log.warning(
            "skipped %s for %s (%s): %s",
            item.rule,
            item.recipient,
            item.occurrence_key,
            _missed_text(item, now, grace_hours),
        )
    return len(inserted) - len(missed), len(missed)


def prepare(
    session: Session, ids: list[int], now: datetime, ctx: JobContext, summary: JobSummary
) -> list[Prepared]:
    """Work out target and message of each due delivery; close those that are not sent."""
    ready: list[Prepared] = []
    cache: dict[tuple[str, str, str], Content] = {}
    for delivery_id in ids:
        record = deliveries.delivery(session, delivery_id)
        if record is None or record.status != "pending":
            continue
        if now - record.due_at > ctx.grace:
            reason = _missed_text(_as_planned(record), now, ctx.grace.total_seconds() / 3600)
            _close(session, record.id, "skipped", reason, now, summary)
            continue
        target = target_for(session, record)
        if not _tenant_allowed(target, ctx):
            reason = "the conversation belongs to a tenant this bot does not serve"
            target = Target(None, "gone", reason)
        if target.reference is None:
            _close(session, record.id, target.status, target.reason, now, summary)
            continue
        key = content_key(record)
        if key not in cache:
            cache[key] = content_for(session, record, now)
        content = cache[key]
        if content.message is None:
            _close(session, record.id, "skipped", content.skip_reason, now, summary)
            continue
        ready.append(Prepared(record, target, content))
    return ready


def _tenant_allowed(target: Target, ctx: JobContext) -> bool:
    """Nothing is posted into a tenant outside ALLOWED_TENANT_IDS (when that is set)."""
    reference = target.reference
    if reference is None or not ctx.allowed_tenants:
        return True
    return reference.tenant_id.lower() in ctx.allowed_tenants


def _as_planned(record: deliveries.DeliveryRecord) -> PlannedDelivery:
    return PlannedDelivery(
        rule=record.rule,
        occurrence_key=record.occurrence_key,
        recipient=record.recipient,
        body_key=record.body_key or "",
        meeting_id=record.meeting_id or 0,
        occurrence_starts=record.occurrence_starts,
        due_at=record.due_at,
    )


def _close(
    session: Session, delivery_id: int, status: str, reason: str, now: datetime, summary: JobSummary
) -> None:
    if deliveries.settle(session, delivery_id, status, reason, now):
        summary.count(status)
        log.info("delivery %s not sent (%s): %s", delivery_id, status, reason)


async def run_jobs(now: datetime, ctx: JobContext) -> JobSummary:
    """Plan and send everything due by ``now``; returns what was done.

    Nothing is sent before it is due; a delivery missed while the bot was down is sent late
    once within ``ctx.grace``, and recorded as skipped (and logged) after it.
    """
    summary = JobSummary()

    def planning() -> tuple[int, int, list[int]]:
        with transaction(ctx.db) as session:
            new, missed = plan(session, now, ctx)
        with transaction(ctx.db) as session:
            stale = deliveries.expire_stale_claims(session, now, ctx.stale_after)
        return new, missed, stale

    summary.planned, summary.skipped, stale = await ctx.blocking(planning)
    summary.unknown += len(stale)
    for delivery_id in stale:
        log.warning("delivery %s: claimed but never finished; outcome unknown", delivery_id)
    seen: set[int] = set()

    async def fetch() -> list[Prepared] | None:
        result: list[Prepared] | None = await ctx.blocking(_next_batch, ctx, now, seen, summary)
        return result

    await FanOut(ctx, now, summary).run(fetch, prefetch=BATCH)
    if ctx.retention is not None:
        summary.retention = await apply_retention(now, ctx.db, ctx.retention, ctx.blocking)
    return summary


def _next_batch(
    ctx: JobContext, now: datetime, seen: set[int], summary: JobSummary
) -> list[Prepared] | None:
    with transaction(ctx.db) as session:
        ids = [i for i in deliveries.due_ids(session, now, BATCH + len(seen)) if i not in seen]
        if not ids:
            return None
        ids = ids[:BATCH]
        seen.update(ids)
        return prepare(session, ids, now, ctx, summary)


class JobRunner:
    """Runs the jobs for one process, one run at a time (other processes may run alongside)."""

    def __init__(self, ctx: JobContext) -> None:
        self.ctx = ctx
        self._lock = asyncio.Lock()

    async def run(self, now: datetime) -> JobSummary:
        """Run the jobs for ``now`` after any run in progress in this process."""
        async with self._lock:
            summary = await run_jobs(now, self.ctx)
        log.info("jobs run for %s: %s", now.isoformat(), summary.as_dict())
        return summary
