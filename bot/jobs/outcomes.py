"""What a connector's answer means for a delivery, and recording it (blocking: database)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from bot.jobs.types import SendResult
from storage import deliveries
from storage.conversations import ReferenceRecord, deactivate
from storage.deliveries import DeliveryRecord


def status_of(result: SendResult) -> str:
    """The delivery status an answer leads to: sent, gone, unknown or failed."""
    if result.ok:
        return "sent"
    if result.gone:
        return "gone"
    if result.in_doubt:
        return "unknown"
    return "failed"


def describe(result: SendResult, tries: int) -> str:
    """The outcome text stored for an answer that was not a success."""
    if result.gone:
        return f"HTTP {result.status}: the bot was removed from this conversation; not retried"
    if result.in_doubt:
        return f"no answer from the connector ({result.error}); it may have arrived, not resent"
    if result.status is None:
        return f"not sent: {result.error}"
    plural = "try" if tries == 1 else "tries"
    return f"HTTP {result.status} after {tries} {plural}: {result.error or 'refused'}"


def record_answer(
    session: Session,
    record: DeliveryRecord,
    reference: ReferenceRecord,
    worker: str,
    status: str,
    now: datetime,
    tries: int,
    result: SendResult,
) -> None:
    """Store the answer; a 403/404 also marks the conversation inactive (no more sends)."""
    deliveries.finish(
        session,
        record.id,
        worker,
        status,
        now,
        attempts=tries,
        http_status=result.status,
        outcome="" if result.ok else describe(result, tries),
        activity_id=result.activity_id,
    )
    if status == "gone":
        deactivate(session, reference.conversation_id, now)
