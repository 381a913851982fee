"""Reading and writing meetings (as :class:`bot.plan.meetings.MeetingSeries`)."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.plan.forms import MeetingDraft
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
        time_stated=row.time_stated,
    )


def meeting_series(session: Session, body_keys: Iterable[str] | None = None) -> list[MeetingSeries]:
    """Every confirmed meeting or series, optionally of some bodies only.

    Unconfirmed placeholders (kept from older data) are left out: nothing shows, prompts or
    reminds for a day and time that nobody confirmed.
    """
    query = (
        select(Meeting, Body)
        .join(Body, Body.id == Meeting.body_id)
        .where(Meeting.confirmed.is_(True))
        .order_by(Meeting.id)
    )
    if body_keys is not None:
        query = query.where(Body.key.in_(list(body_keys)))
    return [_series(row, body) for row, body in session.execute(query).all()]


def meeting_by_id(session: Session, meeting_id: int) -> MeetingSeries | None:
    """One confirmed meeting or series, or None."""
    row = session.execute(
        select(Meeting, Body)
        .join(Body, Body.id == Meeting.body_id)
        .where(Meeting.id == meeting_id, Meeting.confirmed.is_(True))
    ).first()
    return _series(row[0], row[1]) if row else None


def series_by_body(session: Session) -> dict[str, list[MeetingSeries]]:
    """Every meeting or series, grouped by body key."""
    grouped: dict[str, list[MeetingSeries]] = {}
    for series in meeting_series(session):
        grouped.setdefault(series.body_key, []).append(series)
    return grouped


def save_meeting(
    session: Session,
    draft: MeetingDraft,
    *,
    meeting_id: int | None = None,
    source: str = "teams",
    uid: str | None = None,
) -> MeetingSeries:
    """Add a meeting (or series), or change one; the draft is already validated.

    Raises:
        KeyError: when the body or the meeting does not exist.
    """
    body = session.scalar(select(Body).where(Body.key == draft.body_key))
    if body is None:
        raise KeyError(draft.body_key)
    if meeting_id is None:
        row = Meeting(source=source, uid=uid, timezone="Europe/London")
        session.add(row)
    else:
        found = session.get(Meeting, meeting_id)
        if found is None:
            raise KeyError(meeting_id)
        row = found
    row.body_id = body.id
    row.title = draft.title
    row.starts_local = draft.starts_local
    row.duration_minutes = draft.duration_minutes
    row.location = draft.location
    row.link = draft.link
    row.rrule = draft.rrule
    row.until = draft.until
    # Saved from a chair's card or an .ics file: a confirmed date and time.
    row.confirmed, row.time_stated = True, True
    session.flush()
    return _series(row, body)


def body_cadences(
    session: Session, body_keys: Iterable[str] | None = None
) -> dict[str, tuple[str, str]]:
    """Each body's cadence as the documents state it: key -> (short name, cadence text).

    Only bodies with a stated cadence are included.
    """
    query = select(Body.key, Body.abbreviation, Body.name, Body.meets).where(
        Body.meets.is_not(None)
    )
    if body_keys is not None:
        query = query.where(Body.key.in_(list(body_keys)))
    return {
        key: (abbreviation or name, meets)
        for key, abbreviation, name, meets in session.execute(query.order_by(Body.key)).all()
        if meets
    }
