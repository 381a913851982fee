"""Who asked for meeting reminders ("reminders on" / "reminders off")."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from bot.plan.schedule import ReminderTarget
from storage.models import Body, Membership, ReminderSubscription


def subscribe(session: Session, person_id: int, now: datetime) -> bool:
    """Turn reminders on; False when they were on already."""
    if session.get(ReminderSubscription, person_id) is not None:
        return False
    session.add(ReminderSubscription(person_id=person_id, created_at=now))
    session.flush()
    return True


def unsubscribe(session: Session, person_id: int) -> bool:
    """Turn reminders off; False when they were off already."""
    result = session.execute(
        delete(ReminderSubscription).where(ReminderSubscription.person_id == person_id)
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


def is_subscribed(session: Session, person_id: int) -> bool:
    """Whether the person gets reminders."""
    return session.get(ReminderSubscription, person_id) is not None


def reminder_targets(session: Session) -> list[ReminderTarget]:
    """Everyone who opted in, with the bodies they belong to (any role)."""
    rows = session.execute(
        select(ReminderSubscription.person_id, ReminderSubscription.created_at, Body.key)
        .join(Membership, Membership.person_id == ReminderSubscription.person_id)
        .join(Body, Body.id == Membership.body_id)
        .order_by(ReminderSubscription.person_id, Body.key)
    ).all()
    found: dict[int, tuple[datetime, list[str]]] = {}
    for person_id, since, key in rows:
        found.setdefault(person_id, (since, []))[1].append(key)
    return [
        ReminderTarget(person_id, tuple(keys), since) for person_id, (since, keys) in found.items()
    ]
