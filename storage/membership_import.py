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
from bot.plan.statuses import MEMBER, ROLES
from storage import audit
from storage.models import Body, Membership, utcnow
from storage.people import ensure_person
from storage.plan_loader import RowResult, body_infos

EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


@dataclass
class MembershipReport:
    """What happened to each row."""

    rows: list[RowResult] = field(default_factory=list)
    applied: bool = False

    def lines(self) -> list[str]:
        """One line per rejected row, then the totals."""
        rejected = [r for r in self.rows if r.outcome == "rejected"]
        out = [f"row {r.row}: rejected: {'; '.join(r.reasons)}" for r in rejected]
        added = sum(1 for r in self.rows if r.outcome == "added")
        changed = sum(1 for r in self.rows if r.outcome == "updated")
        out.append(f"{added} added, {changed} role changed, {len(rejected)} rejected")
        if not self.applied:
            out.append("nothing was changed" + (" (rows were rejected)" if rejected else ""))
        return out


def _rows(path: Path) -> list[list[str]]:
    text = path.read_bytes().decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text)))


def import_memberships(
    factory: sessionmaker[Session], path: Path, *, skip_invalid: bool = False
) -> MembershipReport:
    """Apply a memberships CSV in one transaction (all or nothing unless ``skip_invalid``)."""
    report = MembershipReport()
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
        index = BodyIndex(body_infos(session))
        bodies = {b.key: b for b in session.scalars(select(Body)).all()}
        checked = []
        for number, cells in enumerate(table[1:], start=2):
            row = dict(zip(header, (c.strip() for c in cells), strict=False))
            if not any(row.values()):
                continue
            reasons = []
            email = row.get("email", "").lower()
            if not EMAIL.match(email):
                reasons.append(f"{email or 'missing e-mail'} is not an e-mail address")
            body = index.find(row.get("body", ""))
            if body is None:
                reasons.append(f"unknown body {row.get('body', '')!r}")
            role = (row.get("role") or MEMBER).lower()
            if role not in ROLES:
                reasons.append(f"role {role!r} is not one of {', '.join(ROLES)}")
            if reasons:
                report.rows.append(RowResult(number, email, "rejected", reasons))
            else:
                assert body is not None
                checked.append((number, email, bodies[body.key], role))
        if any(r.outcome == "rejected" for r in report.rows) and not skip_invalid:
            session.rollback()
            return report
        for number, email, body_row, role in checked:
            person = ensure_person(session, aad_object_id=None, email=email)
            existing = session.get(Membership, (person.id, body_row.id))
            if existing is None:
                session.add(
                    Membership(person_id=person.id, body_id=body_row.id, role=role, source="csv")
                )
                report.rows.append(RowResult(number, email, "added"))
                _audit(session, email, body_row.key, None, role)
            elif existing.role != role:
                _audit(session, email, body_row.key, existing.role, role)
                existing.role = role
                report.rows.append(RowResult(number, email, "updated"))
            else:
                report.rows.append(RowResult(number, email, "unchanged"))
        report.applied = True
    report.rows.sort(key=lambda r: r.row)
    return report


def _audit(session: Session, email: str, body_key: str, before: str | None, after: str) -> None:
    audit.record(
        session,
        audit.COMMAND_LINE,
        "membership.imported",
        "person",
        email,
        now=utcnow(),
        before={"body": body_key, "role": before} if before else None,
        after={"body": body_key, "role": after},
    )
