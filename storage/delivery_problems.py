"""Deliveries that did not arrive, with readable recipients (for "failed deliveries")."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from storage.deliveries import DeliveryRecord, delivery_record
from storage.models import Body, ConversationRef, Delivery, Person

PROBLEM_STATUSES = ("failed", "unknown", "gone", "no_chat", "skipped")


@dataclass(frozen=True)
class ProblemRecord:
    """A delivery that did not arrive, with a readable recipient (for "failed deliveries")."""

    delivery: DeliveryRecord
    body_label: str
    recipient_label: str


def problems(session: Session, since: datetime, limit: int = 50) -> list[ProblemRecord]:
    """Deliveries since ``since`` that did not arrive, newest first."""
    rows = session.execute(
        select(Delivery, Body, ConversationRef, Person)
        .outerjoin(Body, Body.id == Delivery.body_id)
        .outerjoin(ConversationRef, ConversationRef.id == Delivery.conversation_ref_id)
        .outerjoin(Person, Person.id == Delivery.person_id)
        .where(Delivery.status.in_(PROBLEM_STATUSES), Delivery.due_at >= since)
        .order_by(Delivery.due_at.desc(), Delivery.id.desc())
        .limit(limit)
    ).all()
    found = []
    for row, body, ref, person in rows:
        if person is not None:
            who = person.name or person.email or f"person {person.id}"
        elif ref is not None:
            who = f"{ref.conversation_type} {ref.conversation_id}"
        else:
            who = row.recipient
        label = (body.abbreviation or body.name) if body is not None else "?"
        found.append(ProblemRecord(delivery_record(row, body.key if body else None), label, who))
    return found
