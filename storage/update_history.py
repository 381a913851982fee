"""Reads for the tab's dashboard: every status change of a plan, and the people to pick from.

Updates are append-only, so a plan's whole update history, replayed with the same rules as
everything else (``bot.tab.trend``), tells how the plan stood on any past day.
"""

from __future__ import annotations

from collections import defaultdict
from typing import NamedTuple

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.plan.types import UpdateRecord
from storage.models import Action, Body, Membership, Person, Plan, ProgressUpdate
from storage.plan_queries import PlanNotFound, current_plan_key


class HistoryVersion(NamedTuple):
    """Changes whenever an update is added or a plan re-imported."""

    plan_key: str
    revision: int
    newest_update: int
    updates: int


def history_version(session: Session, plan_key: str | None = None) -> HistoryVersion:
    """The plan's revision and its updates' newest id and count (one small query).

    Raises:
        PlanNotFound: when there is no such plan (or no current plan).
    """
    key = plan_key or current_plan_key(session)
    found = session.execute(select(Plan.id, Plan.revision).where(Plan.key == key).limit(1)).first()
    if found is None:
        raise PlanNotFound(f"no plan {key!r}")
    newest, count = session.execute(
        select(func.max(ProgressUpdate.id), func.count(ProgressUpdate.id))
        .join(Action, Action.id == ProgressUpdate.action_id)
        .where(Action.plan_id == found[0])
    ).one()
    return HistoryVersion(key, found[1] or 0, newest or 0, count)


def status_history(session: Session, plan_key: str | None = None) -> dict[int, list[UpdateRecord]]:
    """Every update of the plan's actions (status, date, revised date; no text), by action id.

    Raises:
        PlanNotFound: when there is no such plan (or no current plan).
    """
    return updates_after(session, plan_key or current_plan_key(session), 0)


def updates_after(session: Session, plan_key: str, after_id: int) -> dict[int, list[UpdateRecord]]:
    """The plan's updates with an id above ``after_id`` (status and dates), by action id."""
    rows = session.execute(
        select(
            ProgressUpdate.action_id,
            ProgressUpdate.id,
            ProgressUpdate.status,
            ProgressUpdate.created_at,
            ProgressUpdate.revised_date,
        )
        .join(Action, Action.id == ProgressUpdate.action_id)
        .join(Plan, Plan.id == Action.plan_id)
        .where(Plan.key == plan_key, ProgressUpdate.id > after_id)
        .order_by(ProgressUpdate.id)
    ).all()
    found: dict[int, list[UpdateRecord]] = defaultdict(list)
    for action_id, update_id, status, created_at, revised in rows:
        found[action_id].append(
            UpdateRecord(
                status=status, text="", created_at=created_at, revised_date=revised, id=update_id
            )
        )
    return dict(found)


class PickablePerson(NamedTuple):
    """A person for the development user picker."""

    id: int
    name: str
    email: str | None
    aad_object_id: str | None
    bodies: str


def people_to_pick(session: Session, limit: int = 200) -> list[PickablePerson]:
    """People with their bodies, members of bodies first, for the loopback user picker."""
    rows = session.execute(
        select(
            Person.id, Person.name, Person.email, Person.aad_object_id, Body.key, Membership.role
        )
        .outerjoin(Membership, Membership.person_id == Person.id)
        .outerjoin(Body, Body.id == Membership.body_id)
        .order_by(Person.name, Person.id, Body.key)
    ).all()
    people: dict[int, PickablePerson] = {}
    for person_id, name, email, aad, body, role in rows:
        known = people.get(person_id)
        label = f"{body} ({role})" if body else ""
        if known is None:
            people[person_id] = PickablePerson(person_id, name or "", email, aad, label)
        elif label:
            bodies = f"{known.bodies}, {label}" if known.bodies else label
            people[person_id] = known._replace(bodies=bodies)
    ordered = sorted(people.values(), key=lambda p: (not p.bodies, p.name.lower(), p.id))
    return ordered[:limit]
