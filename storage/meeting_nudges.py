"""Overdue notes in Teams meetings: once per (meeting, person), and who opted out."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete
from sqlalchemy.orm import Session

from bot.plan.types import Actor
from storage import audit
from storage.db import insert_if_new
from storage.models import MeetingNudge, MeetingNudgeOptOut

OPTED_OUT = "person.meeting_nudges_off"
OPTED_IN = "person.meeting_nudges_on"


def claim(session: Session, meeting_key: str, person_id: int, now: datetime) -> bool:
    """Record the note for this meeting and person; True only for the first claim.

    Commit before sending: a second event, or another instance, then finds the row.
    """
    return insert_if_new(
        session,
        MeetingNudge,
        {"meeting_key": meeting_key[:256], "person_id": person_id, "sent_at": now},
        ["meeting_key", "person_id"],
    )


def release(session: Session, meeting_key: str, person_id: int) -> None:
    """Forget a claim whose note could not be sent, so that the next join may try again."""
    session.execute(
        delete(MeetingNudge).where(
            MeetingNudge.meeting_key == meeting_key[:256], MeetingNudge.person_id == person_id
        )
    )


def opted_out(session: Session, person_ids: list[int]) -> set[int]:
    """Which of these people said "stop meeting nudges"."""
    if not person_ids:
        return set()
    rows = session.query(MeetingNudgeOptOut.person_id).filter(
        MeetingNudgeOptOut.person_id.in_(person_ids)
    )
    return {person_id for (person_id,) in rows}


def set_wanted(session: Session, person_id: int, on: bool, actor: Actor, now: datetime) -> bool:
    """Turn the person's meeting nudges on or off (audited); False when nothing changed."""
    if on:
        result = session.execute(
            delete(MeetingNudgeOptOut).where(MeetingNudgeOptOut.person_id == person_id)
        )
        changed = bool(result.rowcount)  # type: ignore[attr-defined]
    else:
        changed = insert_if_new(
            session,
            MeetingNudgeOptOut,
            {"person_id": person_id, "created_at": now},
            ["person_id"],
        )
    if changed:
        audit.record(
            session,
            actor,
            OPTED_IN if on else OPTED_OUT,
            "person",
            str(person_id),
            now=now,
            after={"meeting_nudges": on},
        )
    return changed
