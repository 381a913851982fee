"""Send slots shared by every instance of the bot: Teams' rate limits counted in the database.

Each limit (one tenant, one conversation) is a row holding the next instant a request may be
sent. Reserving a slot for a send moves both rows on in one short transaction, so two
instances behind a load balancer, sharing the database, together keep to the limits. Rows are
locked in the same order (conversation, then tenant) by every reservation, so they never
deadlock. Instants are seconds since the Unix epoch from the instances' clocks, which must be
kept in step (NTP), as the servers of one deployment are.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, case, update
from sqlalchemy.orm import Session

from storage.db import insert_if_new
from storage.models import RateSlot


def _later(value: float) -> ColumnElement[Any]:
    """``max(next_at, value)`` in SQL both databases understand."""
    return case((RateSlot.next_at > value, RateSlot.next_at), else_=value)


def reserve_send_slot(
    session: Session,
    tenant_scope: str,
    conversation_scope: str,
    now: float,
    *,
    tenant_interval: float,
    conversation_interval: float,
) -> float:
    """Reserve the earliest instant at or after ``now`` that both limits allow; return it.

    The tenant's next slot moves ``tenant_interval`` after the reserved one, the
    conversation's ``conversation_interval`` after it. Commit promptly: the rows stay locked
    until the transaction ends.
    """
    for scope in (conversation_scope, tenant_scope):
        insert_if_new(session, RateSlot, {"scope": scope, "next_at": 0.0}, ["scope"])
    conversation_free = session.execute(
        update(RateSlot)
        .where(RateSlot.scope == conversation_scope)
        .values(next_at=_later(now))
        .returning(RateSlot.next_at)
    ).scalar_one()
    slot = (
        session.execute(
            update(RateSlot)
            .where(RateSlot.scope == tenant_scope)
            .values(next_at=_later(conversation_free) + tenant_interval)
            .returning(RateSlot.next_at)
        ).scalar_one()
        - tenant_interval
    )
    session.execute(
        update(RateSlot)
        .where(RateSlot.scope == conversation_scope)
        .values(next_at=slot + conversation_interval)
    )
    return float(slot)
