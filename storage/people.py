"""People and their memberships of bodies."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from bot.plan.statuses import CHAIR, MEMBER
from bot.plan.types import PersonRecord
from storage.models import Body, Membership, Person

__all__ = ["PersonRecord"]


def _record(session: Session, person: Person) -> PersonRecord:
    rows = session.execute(
        select(Body.key, Membership.role)
        .join(Membership, Membership.body_id == Body.id)
        .where(Membership.person_id == person.id)
        .order_by(Body.key)
    ).all()
    return PersonRecord(
        id=person.id,
        aad_object_id=person.aad_object_id,
        name=person.name,
        email=person.email,
        memberships=tuple((key, role) for key, role in rows),
    )


_KNOWN_PERSON = (
    select(Person.id, Person.name, Person.email, Body.key, Membership.role)
    .outerjoin(Membership, Membership.person_id == Person.id)
    .outerjoin(Body, Body.id == Membership.body_id)
    .where(Person.aad_object_id == bindparam("aad"))
    .order_by(Body.key)
)


def person_rows(session: Session, aad_object_id: str) -> Sequence[Any]:
    """The person with this AAD id and their memberships, in one query (no rows: unknown)."""
    return session.execute(_KNOWN_PERSON, {"aad": aad_object_id}).all()


def known_person(
    session: Session,
    aad_object_id: str,
    name: str,
    email: str | None,
    rows: Sequence[Any] | None = None,
) -> PersonRecord | None:
    """The person with this AAD id when nothing about them needs writing (the common case).

    ``rows`` are :func:`person_rows` already read (the people store keeps them a second).
    Returns None when the person is new or their name or e-mail changed; then
    :func:`ensure_person` does the write.
    """
    if rows is None:
        rows = person_rows(session, aad_object_id)
    if not rows:
        return None
    person_id, stored_name, stored_email = rows[0][0], rows[0][1], rows[0][2]
    if name and stored_name != name:
        return None
    if email and stored_email != email.strip().lower():
        # A changed address needs a write, unless another account holds it (then it never will).
        held = session.scalar(select(Person.id).where(Person.email == email.strip().lower()))
        if held is None or held == person_id:
            return None
    return PersonRecord(
        id=person_id,
        aad_object_id=aad_object_id,
        name=stored_name,
        email=stored_email,
        memberships=tuple((key, role) for *_, key, role in rows if key is not None),
    )


def find_person(session: Session, identifier: str) -> PersonRecord | None:
    """A person by AAD object id or e-mail address (case-insensitive), or None."""
    ident = identifier.strip()
    column = Person.email if "@" in ident else Person.aad_object_id
    value = ident.lower() if "@" in ident else ident
    person = session.scalar(select(Person).where(column == value))
    return _record(session, person) if person else None


def person_by_id(session: Session, person_id: int) -> PersonRecord | None:
    """A person by database id, or None."""
    person = session.get(Person, person_id)
    return _record(session, person) if person else None


def ensure_person(
    session: Session,
    *,
    aad_object_id: str | None,
    name: str = "",
    email: str | None = None,
    domain_bodies: Mapping[str, tuple[str, ...]] | None = None,
) -> PersonRecord:
    """Find or create the person; refresh name and e-mail; default memberships by domain.

    A new person whose e-mail domain is configured (``MEMBERSHIP_DOMAINS``) starts as a member
    of that domain's bodies; they can change it later.
    """
    email = email.strip().lower() if email else None
    person = None
    if aad_object_id:
        person = session.scalar(select(Person).where(Person.aad_object_id == aad_object_id))
    holder = session.scalar(select(Person).where(Person.email == email)) if email else None
    if person is None and holder is not None and holder.aad_object_id in (None, aad_object_id):
        person = holder  # e.g. loaded from a memberships CSV, now seen in Teams
    # An address already held by another account stays with that account.
    free_email = email if holder is None or holder is person else None
    created = person is None
    if person is None:
        person = Person(aad_object_id=aad_object_id, name=name, email=free_email)
        session.add(person)
    else:
        person.aad_object_id = person.aad_object_id or aad_object_id
        person.name = name or person.name
        person.email = free_email or person.email
    session.flush()
    if created and email and domain_bodies:
        keys = domain_bodies.get(email.rsplit("@", 1)[-1], ())
        if keys:
            add_memberships(session, person.id, keys, role=MEMBER, source="domain")
    return _record(session, person)


def add_memberships(
    session: Session, person_id: int, body_keys: Iterable[str], *, role: str, source: str
) -> list[str]:
    """Add memberships the person does not have yet; return the keys that were unknown."""
    wanted = list(dict.fromkeys(k.upper() for k in body_keys))
    bodies = {b.key: b for b in session.scalars(select(Body).where(Body.key.in_(wanted))).all()}
    have = set(
        session.scalars(select(Membership.body_id).where(Membership.person_id == person_id)).all()
    )
    for key in wanted:
        body = bodies.get(key)
        if body is not None and body.id not in have:
            session.add(Membership(person_id=person_id, body_id=body.id, role=role, source=source))
    session.flush()
    return [k for k in wanted if k not in bodies]


def set_member_bodies(session: Session, person_id: int, body_keys: Iterable[str]) -> None:
    """Make the person a member of exactly these bodies (chair/admin roles elsewhere are kept).

    Raises:
        KeyError: when a key names no body (nothing is changed).
    """
    wanted = set(k.upper() for k in body_keys)
    bodies = {b.key: b for b in session.scalars(select(Body).where(Body.key.in_(wanted))).all()}
    unknown = wanted - set(bodies)
    if unknown:
        raise KeyError(", ".join(sorted(unknown)))
    current = session.scalars(select(Membership).where(Membership.person_id == person_id)).all()
    keep_ids = {bodies[k].id for k in wanted}
    for membership in current:
        if membership.body_id not in keep_ids and membership.role == MEMBER:
            session.delete(membership)
    have = {m.body_id for m in current}
    for key in wanted:
        if bodies[key].id not in have:
            session.add(
                Membership(person_id=person_id, body_id=bodies[key].id, role=MEMBER, source="self")
            )
    session.flush()


def chairs_of(session: Session, body_key: str) -> list[str]:
    """Names (or e-mails) of the chairs of a body, for telling others whom to ask."""
    rows = session.execute(
        select(Person.name, Person.email)
        .join(Membership, Membership.person_id == Person.id)
        .join(Body, Body.id == Membership.body_id)
        .where(Body.key == body_key, Membership.role == CHAIR)
        .order_by(Person.name)
    ).all()
    return [name or email or "a chair" for name, email in rows]
