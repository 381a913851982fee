"""People and their memberships of bodies."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from sqlalchemy import Column, bindparam, delete, select
from sqlalchemy.orm import Session

from bot.plan.statuses import MEMBER
from bot.plan.types import PersonRecord
from storage import audit, freshness
from storage.models import (
    Base,
    Body,
    BodyEmailDomain,
    Membership,
    Person,
    ReminderSubscription,
    utcnow,
)

__all__ = ["PersonRecord"]

# Sources of memberships the person asked for themselves (never enough for ADMIN_BODY).
SELF_SERVICE_SOURCES = ("self", "approved")
MAX_NAME = 256
# AAD object ids are GUIDs; other channels and tests use short opaque ids. Anything else
# (over-long, spaces, control characters) identifies nobody.
AAD_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$")


def valid_aad_id(value: str | None) -> str | None:
    """The AAD object id when it is one the bot can store, else None."""
    return value if value and AAD_ID.match(value) else None


def clean_name(name: str) -> str:
    """A display name as stored: control characters dropped, at most 256 characters."""
    return "".join(c for c in name if c.isprintable())[:MAX_NAME]


def _split(
    rows: Iterable[tuple[Any, ...]],
) -> tuple[tuple[tuple[str, str], ...], tuple[str, ...], tuple[str, ...]]:
    """(key, role, source, status) rows -> active memberships, pending claims, vouched keys."""
    active, claimed, vouched = [], [], []
    for key, role, source, status in rows:
        if key is None:
            continue
        if status == "pending":
            claimed.append(key)
            continue
        active.append((key, role))
        if source not in SELF_SERVICE_SOURCES:
            vouched.append(key)
    return tuple(active), tuple(claimed), tuple(vouched)


def _record(session: Session, person: Person) -> PersonRecord:
    rows = session.execute(
        select(Body.key, Membership.role, Membership.source, Membership.status)
        .join(Membership, Membership.body_id == Body.id)
        .where(Membership.person_id == person.id)
        .order_by(Body.key)
    ).all()
    active, claimed, vouched = _split(rows)
    return PersonRecord(
        id=person.id,
        aad_object_id=person.aad_object_id,
        name=person.name,
        email=person.email,
        memberships=active,
        claimed=claimed,
        vouched=vouched,
    )


_KNOWN_PERSON = (
    select(
        Person.id,
        Person.name,
        Person.email,
        Body.key,
        Membership.role,
        Membership.source,
        Membership.status,
        Person.tenant_id,
    )
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
    tenant_id: str = "",
) -> PersonRecord | None:
    """The person with this AAD id when nothing about them needs writing (the common case).

    Returns None when the person is new, their name or e-mail changed, or their tenant is
    not on record yet; then :func:`ensure_person` does the write (or refuses another
    tenant's account).
    """
    rows = person_rows(session, aad_object_id)
    if not rows:
        return None
    person_id, stored_name, stored_email = rows[0][0], rows[0][1], rows[0][2]
    if tenant_id and rows[0][7] != tenant_id:
        return None
    if name and stored_name != clean_name(name):
        return None
    if email and stored_email != email.strip().lower():
        # A changed address needs a write, unless another account holds it (then it never will).
        held = session.scalar(select(Person.id).where(Person.email == email.strip().lower()))
        if held is None or held == person_id:
            return None
    active, claimed, vouched = _split(row[3:7] for row in rows)
    return PersonRecord(
        id=person_id,
        aad_object_id=aad_object_id,
        name=stored_name,
        email=stored_email,
        memberships=active,
        claimed=claimed,
        vouched=vouched,
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


class Unidentifiable(LookupError):
    """Neither a usable AAD object id nor an e-mail address that is free to use."""


def ensure_person(
    session: Session,
    *,
    aad_object_id: str | None,
    name: str = "",
    email: str | None = None,
    domain_bodies: Mapping[str, tuple[str, ...]] | None = None,
    tenant_id: str = "",
    domain_tenants: Mapping[str, frozenset[str]] | None = None,
) -> PersonRecord:
    """Find or create the one person these identities belong to; refresh name and e-mail.

    The Teams identity (AAD object id) and the e-mail address resolve to the same row: a
    person loaded from the memberships CSV (e-mail only) is adopted by the Teams account with
    that address, and two rows found to be one person are merged. An address held by another
    Teams account stays with that account. A person whose e-mail address is newly known gets
    the memberships of the e-mail domain rules (the partnership data's ``email_domains`` and
    ``MEMBERSHIP_DOMAINS``).

    A person is (tenant id, AAD object id): the tenant is recorded the first time it is known
    (``tenant_id``, "" when the turn does not say), and the same object id coming from another
    tenant is refused. The e-mail domain rules work whichever tenant the person is in, unless
    ``domain_tenants`` (``MEMBERSHIP_DOMAIN_TENANTS``) binds the domain to its own tenants;
    then only an account of one of those gets them (checked again once the tenant is known).

    Raises:
        Unidentifiable: without a valid AAD object id, and without an e-mail address that
            belongs to no other Teams account, or for an account of another tenant than the
            one on record (nothing is written then).
    """
    aad = valid_aad_id(aad_object_id)
    tenant = valid_aad_id(tenant_id.lower()) if aad and tenant_id else None
    email = email.strip().lower()[:320] if email and email.strip() else None
    name = clean_name(name)
    person = session.scalar(select(Person).where(Person.aad_object_id == aad)) if aad else None
    if person is not None and tenant and person.tenant_id and person.tenant_id != tenant:
        raise Unidentifiable("that object id belongs to an account of another tenant")
    holder = session.scalar(select(Person).where(Person.email == email)) if email else None
    if holder is not None and holder is not person and holder.aad_object_id is not None:
        holder = None  # another Teams account's address: never taken over
        email = None
    if person is None and aad is None and holder is None and email is None:
        raise Unidentifiable("no AAD object id and no e-mail address to go by")
    if person is not None and holder is not None and holder is not person:
        _merge(session, keep=person, gone=holder)
    person = person or holder
    created = person is None
    if person is None:
        person = Person(aad_object_id=aad, name=name, email=email)
        session.add(person)
    newly_known = email is not None and person.email != email
    person.aad_object_id = person.aad_object_id or aad
    tenant_newly_known = bool(tenant) and person.aad_object_id == aad and not person.tenant_id
    if tenant_newly_known:
        person.tenant_id = tenant
    person.name = name or person.name
    person.email = email or person.email
    session.flush()
    if (created or newly_known or tenant_newly_known) and person.email:
        grant_domain_memberships(
            session,
            person.id,
            person.email,
            domain_bodies or {},
            tenant=person.tenant_id or "",
            domain_tenants=domain_tenants,
            # Only the tenant is new: only a rule that waited for it applies now.
            bound_only=not (created or newly_known),
        )
    return _record(session, person)


def _merge(session: Session, *, keep: Person, gone: Person) -> None:
    """Move everything of ``gone`` (e.g. a CSV row) onto ``keep`` and delete it.

    Memberships from the operator's list or a domain rule win over self-service ones.
    """
    theirs = session.scalars(select(Membership).where(Membership.person_id == gone.id)).all()
    mine = {
        m.body_id: m
        for m in session.scalars(select(Membership).where(Membership.person_id == keep.id))
    }
    for membership in theirs:
        current = mine.get(membership.body_id)
        if current is not None and current.source not in SELF_SERVICE_SOURCES:
            continue
        if current is not None:
            session.delete(current)
        session.add(
            Membership(
                person_id=keep.id,
                body_id=membership.body_id,
                role=membership.role,
                source=membership.source,
                status=membership.status,
                created_at=membership.created_at,
            )
        )
    session.execute(delete(Membership).where(Membership.person_id == gone.id))
    subscribed = session.get(ReminderSubscription, keep.id) is not None
    if subscribed:
        session.execute(
            delete(ReminderSubscription).where(ReminderSubscription.person_id == gone.id)
        )
    for column in _person_columns():
        if column.table.name in ("membership", "person"):
            continue
        session.execute(column.table.update().where(column == gone.id).values({column: keep.id}))
    session.flush()
    email = gone.email
    session.delete(gone)
    session.flush()
    keep.email = keep.email or email
    freshness.mark_changed(session, "people")


def _person_columns() -> list[Column[Any]]:
    """Every column that refers to a person (so a merge misses none)."""
    return [
        column
        for table in Base.metadata.tables.values()
        for column in table.columns
        if any(fk.column.table.name == "person" for fk in column.foreign_keys)
    ]


def domain_rules(session: Session) -> dict[str, tuple[str, ...]]:
    """E-mail domain -> body keys, from the partnership data."""
    rules: dict[str, list[str]] = {}
    rows = session.execute(
        select(BodyEmailDomain.domain, Body.key).join(Body, Body.id == BodyEmailDomain.body_id)
    ).all()
    for domain, key in rows:
        rules.setdefault(domain, []).append(key)
    return {domain: tuple(keys) for domain, keys in rules.items()}


def grant_domain_memberships(
    session: Session,
    person_id: int,
    email: str,
    configured: Mapping[str, tuple[str, ...]],
    *,
    tenant: str = "",
    domain_tenants: Mapping[str, frozenset[str]] | None = None,
    bound_only: bool = False,
) -> list[str]:
    """Make the person a member of the bodies whose e-mail domain rule matches the address.

    A pending request for such a body becomes an active membership. Every grant is audited.

    Args:
        session: the open session.
        person_id: the person.
        email: their address (from the Teams roster or the operator's CSV).
        configured: ``MEMBERSHIP_DOMAINS`` (the partnership data's rules are read here).
        tenant: the tenant of the person's Teams account ("" when not known).
        domain_tenants: domains bound to their own tenants (``MEMBERSHIP_DOMAIN_TENANTS``):
            their rules apply only to accounts of those tenants.
        bound_only: apply only rules of such bound domains (the account's tenant just became
            known; the other rules were applied when the address did).

    Returns:
        The keys of the bodies granted.
    """
    domain = email.rsplit("@", 1)[-1].lower()
    keys = [*domain_rules(session).get(domain, ()), *configured.get(domain, ())]
    bound = (domain_tenants or {}).get(domain)
    if not keys or (bound is None and bound_only):
        return []
    if bound is not None and tenant.lower() not in bound:
        return []
    wanted = list(dict.fromkeys(k.upper() for k in keys))
    bodies = session.execute(select(Body.id, Body.key).where(Body.key.in_(wanted))).all()
    granted = []
    for body_id, key in bodies:
        existing = session.get(Membership, (person_id, body_id))
        if existing is not None and existing.status == "active":
            continue
        if existing is None:
            existing = Membership(person_id=person_id, body_id=body_id, role=MEMBER)
            session.add(existing)
        existing.source, existing.status = "domain", "active"
        granted.append(key)
        audit.record(
            session,
            audit.Actor(None, "e-mail domain rule"),
            "membership.granted",
            "person",
            str(person_id),
            now=utcnow(),
            after={"body": key, "role": "member", "source": "domain", "domain": domain},
        )
    session.flush()
    freshness.mark_changed(session, "people")
    return granted


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


def remove_all_memberships(session: Session, person_id: int) -> None:
    """Forget every membership of a person."""
    session.execute(delete(Membership).where(Membership.person_id == person_id))


def chairs_of(session: Session, body_key: str) -> list[str]:
    """Names (or e-mails) of the chairs of a body, for telling others whom to ask."""
    rows = session.execute(
        select(Person.name, Person.email)
        .join(Membership, Membership.person_id == Person.id)
        .join(Body, Body.id == Membership.body_id)
        .where(Body.key == body_key, Membership.role == "chair")
        .order_by(Person.name)
    ).all()
    return [name or email or "a chair" for name, email in rows]
