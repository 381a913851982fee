"""Self-service memberships: a person asks to join a body; a chair of it (or an admin) decides.

A request is a ``pending`` membership row (role member, source ``self``). It lets "what's
overdue for me?" include the body and grants nothing. Approval makes it ``active`` (source
``approved``); refusal deletes it. Roles above member never come from here, and an approved
membership never counts for ``ADMIN_BODY`` (see ``storage.people``). Every request, approval,
refusal and withdrawal is audited in the same transaction.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.plan.schedule import APPROVAL, PlannedDelivery, person_recipient
from bot.plan.types import ChoiceResult, PendingRequest
from storage import audit, freshness
from storage.deliveries import record_planned
from storage.models import Body, Membership, Person
from storage.people import SELF_SERVICE_SOURCES

OCCURRENCE_PREFIX = "request:"


def _bodies(session: Session, keys: Iterable[str]) -> dict[str, Body]:
    wanted = list(dict.fromkeys(k.upper() for k in keys))
    return {b.key: b for b in session.scalars(select(Body).where(Body.key.in_(wanted))).all()}


def _log(
    session: Session, actor: audit.Actor, action: str, person_id: int, body: str, now: datetime
) -> None:
    audit.record(
        session,
        actor,
        action,
        "person",
        str(person_id),
        now=now,
        after={"body": body, "role": "member"},
    )


def request_bodies(
    session: Session, person_id: int, keys: Iterable[str], actor: audit.Actor, now: datetime
) -> ChoiceResult:
    """Ask to join these bodies (adds a pending request for each body not yet held)."""
    wanted = list(dict.fromkeys(k.upper() for k in keys))
    bodies = _bodies(session, wanted)
    result = ChoiceResult(unknown=[k for k in wanted if k not in bodies])
    for key in wanted:
        body = bodies.get(key)
        if body is None:
            continue
        existing = session.get(Membership, (person_id, body.id))
        if existing is not None:
            result.already.append(key)
            continue
        session.add(
            Membership(
                person_id=person_id,
                body_id=body.id,
                role="member",
                source="self",
                status="pending",
                created_at=now,
            )
        )
        result.requested.append(key)
        _log(session, actor, "membership.requested", person_id, key, now)
    session.flush()
    return result


def choose_bodies(
    session: Session, person_id: int, keys: Iterable[str], actor: audit.Actor, now: datetime
) -> ChoiceResult:
    """Make the person's own choice exactly these bodies.

    New bodies become pending requests; unticked requests are withdrawn; unticked self-service
    memberships are left. Memberships from the operator's list or a domain rule, and roles
    above member, are kept (only an operator changes those).

    Raises:
        KeyError: when a key names no body (nothing is changed).
    """
    wanted = list(dict.fromkeys(k.upper() for k in keys))
    bodies = _bodies(session, wanted)
    unknown = [k for k in wanted if k not in bodies]
    if unknown:
        raise KeyError(", ".join(sorted(unknown)))
    rows = session.execute(
        select(Membership, Body.key)
        .join(Body, Body.id == Membership.body_id)
        .where(Membership.person_id == person_id)
    ).all()
    result = ChoiceResult()
    for membership, key in rows:
        if key in wanted:
            continue
        if membership.status == "pending":
            session.delete(membership)
            result.withdrawn.append(key)
            _log(session, actor, "membership.withdrawn", person_id, key, now)
        elif membership.source in SELF_SERVICE_SOURCES and membership.role == "member":
            session.delete(membership)
            result.left.append(key)
            _log(session, actor, "membership.left", person_id, key, now)
        else:
            result.kept.append(key)
    asked = request_bodies(session, person_id, wanted, actor, now)
    result.requested, result.already = asked.requested, asked.already
    session.flush()
    return result


def pending_requests(session: Session, body_keys: Iterable[str] | None) -> list[PendingRequest]:
    """Requests waiting for a decision, oldest first: for these bodies, or all (None)."""
    query = (
        select(Person.id, Person.name, Person.email, Body.key, Body.name, Membership.created_at)
        .join(Membership, Membership.person_id == Person.id)
        .join(Body, Body.id == Membership.body_id)
        .where(Membership.status == "pending")
        .order_by(Membership.created_at, Person.id, Body.key)
    )
    if body_keys is not None:
        query = query.where(Body.key.in_(list(body_keys)))
    return [PendingRequest(*row) for row in session.execute(query).all()]


def decide_request(
    session: Session,
    person_id: int,
    body_key: str,
    *,
    approve: bool,
    actor: audit.Actor,
    now: datetime,
) -> bool:
    """Approve (membership active, as member) or refuse (request deleted) one request.

    Returns:
        False when there is no such pending request (already decided, or withdrawn).
    """
    row = session.execute(
        select(Membership)
        .join(Body, Body.id == Membership.body_id)
        .where(
            Membership.person_id == person_id,
            Body.key == body_key,
            Membership.status == "pending",
        )
    ).scalar_one_or_none()
    if row is None:
        return False
    if approve:
        row.status, row.source, row.role = "active", "approved", "member"
    else:
        session.delete(row)
    _log(
        session,
        actor,
        "membership.approved" if approve else "membership.refused",
        person_id,
        body_key,
        now,
    )
    session.flush()
    freshness.mark_changed(session, "people")
    return True


def approvers_of(session: Session, body_key: str) -> list[int]:
    """Who decides requests to join a body: its chairs, or else everyone with the admin role."""
    chairs = session.scalars(
        select(Membership.person_id)
        .join(Body, Body.id == Membership.body_id)
        .where(
            Body.key == body_key,
            Membership.role.in_(("chair", "admin")),
            Membership.status == "active",
        )
        .order_by(Membership.person_id)
    ).all()
    if chairs:
        return list(chairs)
    admins = session.scalars(
        select(Membership.person_id)
        .where(Membership.role == "admin", Membership.status == "active")
        .distinct()
        .order_by(Membership.person_id)
    ).all()
    return list(admins)


def plan_approver_notices(
    session: Session, person_id: int, body_keys: Iterable[str], now: datetime
) -> int:
    """Plan a 1:1 message to each approver of each body that the person asked to join.

    They travel as deliveries (rule ``approval``): exactly once, within the rate limits.

    Returns:
        How many were planned.
    """
    planned = []
    for key in body_keys:
        occurrence = f"{OCCURRENCE_PREFIX}{person_id}:{key}:{now:%Y%m%dT%H%M%S}"
        for approver in approvers_of(session, key):
            if approver == person_id:
                continue
            delivery = PlannedDelivery(
                rule=APPROVAL,
                occurrence_key=occurrence,
                recipient=person_recipient(approver),
                body_key=key,
                meeting_id=None,
                occurrence_starts=now,
                due_at=now,
                person_id=approver,
            )
            planned.append((delivery, ""))
    return len(record_planned(session, planned, now)) if planned else 0


def request_of(session: Session, occurrence_key: str) -> PendingRequest | None:
    """The request an approver's message is about, while it is still pending."""
    if not occurrence_key.startswith(OCCURRENCE_PREFIX):
        return None
    parts = occurrence_key[len(OCCURRENCE_PREFIX) :].split(":")
    if len(parts) != 3 or not parts[0].isdigit():
        return None
    person_id, body_key = int(parts[0]), parts[1]
    return next(
        (r for r in pending_requests(session, [body_key]) if r.person_id == person_id), None
    )
