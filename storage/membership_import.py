"""Loading memberships from CSV: one row per person and body (email, body, role)."""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from bot.plan.body_names import BodyIndex
from bot.plan.statuses import ROLES
from storage import audit
from storage.models import Body, Membership, Person, utcnow
from storage.plan_loader import RowResult, body_infos

REMOVE = "remove"
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


@dataclass
class MembershipReport:
    """What happened (or, in a dry run, would happen) to each row."""

    rows: list[RowResult] = field(default_factory=list)
    applied: bool = False
    dry_run: bool = False
    changes: list[str] = field(default_factory=list)

    def lines(self) -> list[str]:
        """One line per rejected row, one per change, then the totals."""
        rejected = [r for r in self.rows if r.outcome == "rejected"]
        out = [f"row {r.row}: rejected: {'; '.join(r.reasons)}" for r in rejected]
        if self.dry_run and self.changes:
            out.append("dry run: these rows would change memberships:")
        out.extend(self.changes)
        count = {o: sum(1 for r in self.rows if r.outcome == o) for o in _OUTCOMES}
        totals = (
            f"{count['added']} added, {count['updated']} role changed, "
            f"{count['removed']} removed, {count['unchanged']} unchanged, {len(rejected)} rejected"
        )
        out.append(("dry run: " if self.dry_run else "") + totals)
        if self.dry_run:
            out.append("nothing was changed (dry run)")
        elif not self.applied:
            out.append("nothing was changed" + (" (rows were rejected)" if rejected else ""))
        return out


_OUTCOMES = ("added", "updated", "removed", "unchanged")


def _rows(path: Path) -> list[list[str]]:
    text = path.read_bytes().decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text)))


def _check(
    table: list[list[str]], header: list[str], index: BodyIndex, report: MembershipReport
) -> list[tuple[int, str, str, str]]:
    """Valid rows as (row number, e-mail, body key, role); the others are reported."""
    checked: list[tuple[int, str, str, str]] = []
    seen: dict[tuple[str, str], int] = {}
    for number, cells in enumerate(table[1:], start=2):
        row = dict(zip(header, (c.strip() for c in cells), strict=False))
        if not any(row.values()):
            continue
        reasons = []
        email = row.get("email", "").lower()
        if not EMAIL.match(email) or len(email) > 320:
            reasons.append(f"{email[:80] or 'missing e-mail'} is not an e-mail address")
        body = index.find(row.get("body", ""))
        if body is None:
            reasons.append(f"unknown body {row.get('body', '')[:80]!r}")
        role = (row.get("role") or "member").lower()
        if role not in (*ROLES, REMOVE):
            reasons.append(f"role {role[:40]!r} is not one of {', '.join((*ROLES, REMOVE))}")
        if body is not None and (email, body.key) in seen:
            reasons.append(f"{email} and {body.key} are already on row {seen[(email, body.key)]}")
        if reasons:
            report.rows.append(RowResult(number, email, "rejected", reasons))
            continue
        assert body is not None
        seen[(email, body.key)] = number
        checked.append((number, email, body.key, role))
    return checked


def import_memberships(
    factory: sessionmaker[Session],
    path: Path,
    *,
    skip_invalid: bool = False,
    dry_run: bool = False,
) -> MembershipReport:
    """Apply a memberships CSV in one transaction (all or nothing unless ``skip_invalid``).

    Each row names a person by e-mail: the person already known by that address (a Teams
    account or an earlier import) is the one changed, so a role change takes effect at once
    (report links already issued to a demoted chair stop working). A person not known yet gets
    a row with that address, which their Teams account adopts on their first message. Role
    ``remove`` ends a membership. A membership from the list replaces a self-service one (or a
    pending request) for the same body. ``dry_run`` reports what would change and rolls back.
    """
    report = MembershipReport(dry_run=dry_run)
    try:
        table = _rows(path)
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        report.rows.append(RowResult(0, "", "rejected", [f"cannot read {path.name}: {exc}"]))
        return report
    header = [c.strip().lower() for c in (table[0] if table else [])]
    if not {"email", "body"} <= set(header):
        report.rows.append(
            RowResult(1, "", "rejected", ["the first row must name email, body, role"])
        )
        return report
    with factory() as session, session.begin():
        checked = _check(table, header, BodyIndex(body_infos(session)), report)
        if any(r.outcome == "rejected" for r in report.rows) and not skip_invalid:
            session.rollback()
            return report
        bodies = {b.key: b for b in session.scalars(select(Body)).all()}
        for number, email, body_key, role in checked:
            outcome, change = _apply(session, email, bodies[body_key], role)
            report.rows.append(RowResult(number, email, outcome))
            if change:
                report.changes.append(f"row {number}: {change}")
        if dry_run:
            session.rollback()
        else:
            report.applied = True
    report.rows.sort(key=lambda r: r.row)
    return report


def _apply(session: Session, email: str, body: Body, role: str) -> tuple[str, str]:
    """Apply one row; return its outcome and a line saying what changed ("" for nothing)."""
    person = session.scalar(select(Person).where(Person.email == email))
    if person is None:
        if role == REMOVE:
            return "unchanged", ""
        person = Person(email=email, name="")
        session.add(person)
        session.flush()
    who = f"{person.name} <{email}>" if person.name else email
    existing = session.get(Membership, (person.id, body.id))
    before = None
    if existing is not None:
        before = existing.role if existing.status == "active" else "pending request"
    if role == REMOVE:
        if existing is None:
            return "unchanged", ""
        session.delete(existing)
        _audit(session, email, body.key, before, None)
        return "removed", f"{who}: removed from {body.key} (was {before})"
    if existing is None:
        session.add(Membership(person_id=person.id, body_id=body.id, role=role, source="csv"))
        _audit(session, email, body.key, None, role)
        return "added", f"{who}: {role} of {body.key}"
    if before == role and existing.source == "csv":
        return "unchanged", ""
    existing.role, existing.source, existing.status = role, "csv", "active"
    _audit(session, email, body.key, before, role)
    if before == role:
        return "unchanged", ""
    return "updated", f"{who}: {before} -> {role} of {body.key}"


def _audit(
    session: Session, email: str, body_key: str, before: str | None, after: str | None
) -> None:
    audit.record(
        session,
        audit.COMMAND_LINE,
        "membership.imported",
        "person",
        email,
        now=utcnow(),
        before={"body": body_key, "role": before} if before else None,
        after={"body": body_key, "role": after} if after else None,
    )
