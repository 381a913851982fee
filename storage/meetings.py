"""Reading and writing meetings (as :class:`bot.plan.meetings.MeetingSeries`)."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.plan.meetings import MeetingSeries
from storage.models import Body, Meeting


def _series(row: Meeting, body: Body) -> MeetingSeries:
    return MeetingSeries(
        id=row.id,
        body_key=body.key,
        body_label=body.abbreviation or body.name,
        title=row.title,
        starts_local=row.starts_local,
        duration_minutes=row.duration_minutes,
        location=row.location,
        link=row.link,
        rrule=row.rrule,
        until=row.until,
        timezone=row.timezone,
    )


def meeting_series(session: Session, body_keys: Iterable[str] | None = None) -> list[MeetingSeries]:
    """Every meeting or series, optionally of some bodies only."""
    query = select(Meeting, Body).join(Body, Body.id == Meeting.body_id).order_by(Meeting.id)
    if body_keys is not None:
        query = query.where(Body.key.in_(list(body_keys)))
    return [_series(row, body) for row, body in session.execute(query).all()]
