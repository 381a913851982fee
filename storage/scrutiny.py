"""Reading and writing scrutiny requests and recommendations (as :class:`ScrutinyItem`)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, aliased

from bot.plan.scrutiny import ANSWERED, OPEN, RequestRefused, Response, ScrutinyItem
from storage import audit
from storage.models import REQUEST_KINDS, REQUEST_STATUSES, Body, Meeting, ScrutinyRequest

MAX_RESPONSE = 4000


def _items(session: Session, *where: Any) -> list[ScrutinyItem]:
    asked, owner, due_body = aliased(Body), aliased(Body), aliased(Body)
    query = (
        select(ScrutinyRequest, asked, owner, Meeting, due_body)
        .join(asked, asked.id == ScrutinyRequest.asked_by_body_id)
        .join(owner, owner.id == ScrutinyRequest.owner_body_id)
        .outerjoin(Meeting, Meeting.id == ScrutinyRequest.due_meeting_id)
        .outerjoin(due_body, due_body.id == Meeting.body_id)
        .where(*where)
        .order_by(ScrutinyRequest.asked_on, ScrutinyRequest.ref)
    )
    return [
        ScrutinyItem(
            id=row.id,
            ref=row.ref,
            kind=row.kind,
            text=row.text,
            asked_by_key=a.key,
            asked_by_label=a.abbreviation or a.name,
            owner_key=o.key,
            owner_label=o.abbreviation or o.name,
            asked_on=row.asked_on,
            due_meeting_id=row.due_meeting_id,
            due_body_key=d.key if d is not None else None,
            due_body_label=(d.abbreviation or d.name) if d is not None else None,
            due_day=m.starts_local.date() if m is not None else None,
            due_text=row.due_text,
            status=row.status,
            response=row.response,
            responded_on=row.responded_on,
            responded_by=row.responded_by,
            source=row.source,
        )
        for row, a, o, m, d in session.execute(query).all()
    ]


def _with_parts(session: Session, keys: Iterable[str]) -> list[str]:
    """The bodies and every body that is part of (reports to) them, all the way down."""
    wanted = set(keys)
    rows = session.execute(select(Body.id, Body.key, Body.reports_to_id)).all()
    key_of = {i: k for i, k, _ in rows}
    changed = True
    while changed:
        changed = False
        for _, key, parent in rows:
            if parent is not None and key_of.get(parent) in wanted and key not in wanted:
                wanted.add(key)
                changed = True
    return sorted(wanted)


def scrutiny_items(
    session: Session,
    *,
    owner_keys: Iterable[str] | None = None,
    asked_by_keys: Iterable[str] | None = None,
    open_only: bool = False,
) -> list[ScrutinyItem]:
    """Requests and recommendations, oldest first, filtered by who owes and who asked.

    ``owner_keys`` also takes in the bodies that are part of those named (a request owed by the
    NCCSP Community Safety Team is owed by the OPCCN, which it sits in).
    """
    where: list[Any] = []
    if owner_keys is not None:
        owners = _with_parts(session, owner_keys)
        where.append(ScrutinyRequest.owner_body_id.in_(select(Body.id).where(Body.key.in_(owners))))
    if asked_by_keys is not None:
        asked = list(asked_by_keys)
        where.append(
            ScrutinyRequest.asked_by_body_id.in_(select(Body.id).where(Body.key.in_(asked)))
        )
    if open_only:
        where.append(ScrutinyRequest.status == OPEN)
    return _items(session, *where)


def scrutiny_item(session: Session, request_id: int) -> ScrutinyItem | None:
    """One request by id, or None."""
    found = _items(session, ScrutinyRequest.id == request_id)
    return found[0] if found else None


def record_response(
    session: Session, request_id: int, response: Response, *, actor: audit.Actor, now: datetime
) -> ScrutinyItem:
    """Record the response to a request (audited); a later response replaces the earlier one.

    Raises:
        RequestRefused: when the request is unknown or the response is empty or too long.
    """
    row = session.get(ScrutinyRequest, request_id)
    if row is None:
        raise RequestRefused("That request is not on record (perhaps an older card).")
    text = response.text.strip()
    if response.status not in REQUEST_STATUSES:
        raise RequestRefused(f"Status must be one of {', '.join(REQUEST_STATUSES)}.")
    if response.status == ANSWERED and not text:
        raise RequestRefused("Write the response before saving.")
    if len(text) > MAX_RESPONSE:
        raise RequestRefused(
            f"The response is {len(text)} characters; the limit is {MAX_RESPONSE}."
        )
    before = {
        "status": row.status,
        "response": row.response,
        "responded_on": row.responded_on.isoformat() if row.responded_on else None,
    }
    row.status, row.response = response.status, text
    row.responded_on = response.responded_on if response.status != OPEN else None
    row.responded_by = response.responded_by[:200]
    audit.record(
        session,
        actor,
        "scrutiny.responded",
        "scrutiny_request",
        row.ref,
        now=now,
        before=before,
        after={
            "status": row.status,
            "response": row.response,
            "responded_on": row.responded_on.isoformat() if row.responded_on else None,
            "responded_by": row.responded_by,
        },
    )
    session.flush()
    item = scrutiny_item(session, request_id)
    assert item is not None
    return item


def _meeting_on(session: Session, body: Body, day: date) -> int | None:
    start = datetime.combine(day, time.min)
    return session.scalar(
        select(Meeting.id)
        .where(
            Meeting.body_id == body.id,
            Meeting.confirmed.is_(True),
            Meeting.starts_local >= start,
            Meeting.starts_local < start + timedelta(days=1),
        )
        .limit(1)
    )


def load_scrutiny_seed(session: Session, data: dict[str, Any]) -> int:
    """Add the requests of a seed mapping (``requests:``) that are not yet on record.

    Returns:
        How many were added.

    Raises:
        ValueError: when an entry names an unknown body or meeting, or is malformed.
    """
    bodies = {b.key: b for b in session.scalars(select(Body))}
    have = set(session.scalars(select(ScrutinyRequest.ref)))
    added = 0
    for item in data.get("requests") or []:
        ref = str(item.get("ref") or "")
        if not ref or ref in have:
            continue
        kind = str(item.get("kind") or "request")
        if kind not in REQUEST_KINDS:
            raise ValueError(f"request {ref}: kind {kind!r} is not one of {REQUEST_KINDS}")
        asked, owner = bodies.get(str(item.get("asked_by"))), bodies.get(str(item.get("owner")))
        if asked is None or owner is None:
            raise ValueError(f"request {ref}: unknown asked_by or owner body")
        due_meeting = None
        if item.get("due_meeting"):
            body_key, day = str(item["due_meeting"]).split()
            if body_key not in bodies:
                raise ValueError(f"request {ref}: unknown body {body_key}")
            due_meeting = _meeting_on(session, bodies[body_key], date.fromisoformat(day))
            if due_meeting is None:
                raise ValueError(f"request {ref}: no {body_key} meeting on {day} on record")
        responded = item.get("responded_on")
        session.add(
            ScrutinyRequest(
                ref=ref,
                kind=kind,
                text=" ".join(str(item.get("text") or "").split()),
                asked_by_body_id=asked.id,
                owner_body_id=owner.id,
                asked_on=date.fromisoformat(str(item["asked_on"]))
                if item.get("asked_on")
                else None,
                due_meeting_id=due_meeting,
                due_text=str(item.get("due_text") or ""),
                status=str(item.get("status") or OPEN),
                response=" ".join(str(item.get("response") or "").split()),
                responded_on=date.fromisoformat(str(responded)) if responded else None,
                responded_by=str(item.get("responded_by") or ""),
                source=" ".join(str(item.get("source") or "").split()),
            )
        )
        added += 1
    session.flush()
    return added
