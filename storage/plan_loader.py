"""Putting plan files into the database: validated per row, in one transaction, idempotent.

An import never deletes: actions missing from the file are kept (and reported), progress
updates are append-only and keyed so that loading the same file twice adds nothing.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time

from sqlalchemy import select
from sqlalchemy import update as sql_update
from sqlalchemy.orm import Session

from bot.clock import LONDON
from bot.plan.body_names import BodyIndex, normalise
from bot.plan.due_dates import interpret_due_text
from bot.plan.statuses import ON_TRACK, STATUSES
from bot.plan.types import BodyInfo
from storage import freshness
from storage.models import (
    Action,
    Body,
    BodyAlias,
    BodyEmailDomain,
    Meeting,
    Outcome,
    Plan,
    ProgressUpdate,
    Section,
    Theme,
)
from storage.plan_document import ActionRow, PartnershipDocument, PlanDocument, ThemeSpec

ACTION_NUMBER = re.compile(r"^\d{1,3}(?:\.\d{1,3}){1,2}[a-z]?$")
Progress = Callable[[int, int], None]


@dataclass
class RowResult:
    """What happened to one row of the file."""

    row: int
    number: str
    outcome: str  # added | updated | unchanged | rejected
    reasons: list[str] = field(default_factory=list)


@dataclass
class ImportReport:
    """The outcome of an import, row by row."""

    plan_key: str
    rows: list[RowResult] = field(default_factory=list)
    applied: bool = False
    updates_added: int = 0
    kept_not_in_file: list[str] = field(default_factory=list)
    # Carry-over from the previous plan: (old number, new number), and unfinished actions of
    # the previous plan that were not carried over.
    carried: list[tuple[str, str]] = field(default_factory=list)
    previous_plan: str = ""
    not_carried: list[str] = field(default_factory=list)

    @property
    def rejected(self) -> list[RowResult]:
        """The rows that were not imported, with their reasons."""
        return [r for r in self.rows if r.outcome == "rejected"]

    def count(self, outcome: str) -> int:
        """How many rows had ``outcome``."""
        return sum(1 for r in self.rows if r.outcome == outcome)

    def lines(self) -> list[str]:
        """A readable report: one line per rejected row, then the totals."""
        out = [
            f"row {r.row} ({r.number or 'no number'}): rejected: {'; '.join(r.reasons)}"
            for r in self.rejected
        ]
        out.append(
            f"{self.count('added')} added, {self.count('updated')} updated, "
            f"{self.count('unchanged')} unchanged, {len(self.rejected)} rejected, "
            f"{self.updates_added} progress updates added"
        )
        if self.kept_not_in_file:
            out.append(f"kept, not in the file: {', '.join(self.kept_not_in_file)}")
        if self.carried:
            pairs = ", ".join(f"{old} -> {new}" for old, new in self.carried)
            out.append(f"carried over from {self.previous_plan}: {pairs}")
        if self.not_carried:
            out.append(
                f"unfinished in {self.previous_plan}, not carried over: "
                + ", ".join(self.not_carried)
            )
        if not self.applied:
            out.append("nothing was changed" + (" (rows were rejected)" if self.rejected else ""))
        return out


def body_infos(session: Session) -> list[BodyInfo]:
    """Every body with its aliases, as plain records."""
    bodies = session.scalars(select(Body).order_by(Body.key)).all()
    by_id = {b.id: b.key for b in bodies}
    return [
        BodyInfo(
            key=b.key,
            name=b.name,
            abbreviation=b.abbreviation,
            kind=b.kind,
            aliases=tuple(a.alias for a in b.aliases),
            reports_to=by_id.get(b.reports_to_id) if b.reports_to_id else None,
        )
        for b in bodies
    ]


def _apply_email_domains(
    session: Session, document: PartnershipDocument, bodies: dict[str, Body]
) -> None:
    """Make the e-mail domain rules exactly those of the document."""
    wanted = {
        (domain, bodies[spec.key].id) for spec in document.bodies for domain in spec.email_domains
    }
    have = {(r.domain, r.body_id): r for r in session.scalars(select(BodyEmailDomain)).all()}
    for key, row in have.items():
        if key not in wanted:
            session.delete(row)
    for domain, body_id in sorted(wanted - set(have)):
        session.add(BodyEmailDomain(domain=domain, body_id=body_id))


def apply_partnership(session: Session, document: PartnershipDocument) -> None:
    """Create or update bodies (by key) and seed meetings (by a stable uid).

    Raises:
        ValueError: when a body refers to an unknown body or an alias names two bodies.
    """
    existing = {b.key: b for b in session.scalars(select(Body)).all()}
    for spec in document.bodies:
        body = existing.get(spec.key) or Body(key=spec.key)
        body.name, body.abbreviation, body.kind = spec.name, spec.abbreviation, spec.kind
        body.meets, body.note = spec.meets, spec.note
        wanted = {normalise(a): a for a in spec.aliases if normalise(a)}
        body.aliases = [a for a in body.aliases if a.normalised in wanted]
        have = {a.normalised for a in body.aliases}
        body.aliases.extend(
            BodyAlias(alias=alias, normalised=norm)
            for norm, alias in wanted.items()
            if norm not in have
        )
        session.add(body)
        existing[spec.key] = body
    session.flush()
    _apply_email_domains(session, document, existing)
    for spec in document.bodies:
        if spec.reports_to:
            if spec.reports_to not in existing:
                raise ValueError(f"body {spec.key} reports to unknown body {spec.reports_to}")
            existing[spec.key].reports_to_id = existing[spec.reports_to].id
    for meeting in document.meetings:
        if meeting.body not in existing:
            raise ValueError(f"meeting {meeting.title!r} is for unknown body {meeting.body}")
        uid = f"seed:{meeting.body}:{meeting.start:%Y%m%dT%H%M}:{normalise(meeting.title)}"
        row = session.scalar(select(Meeting).where(Meeting.uid == uid)) or Meeting(uid=uid)
        row.body_id = existing[meeting.body].id
        row.title, row.starts_local = meeting.title, meeting.start
        row.duration_minutes, row.location, row.link = (
            meeting.duration_minutes,
            meeting.location,
            meeting.link,
        )
        row.rrule, row.until, row.source = meeting.rrule, meeting.until, meeting.source
        row.confirmed, row.time_stated = True, meeting.time_stated
        session.add(row)
    # Body names appear in every plan's actions: cached copies of the plans are now stale.
    session.execute(sql_update(Plan).values(revision=Plan.revision + 1))
    session.flush()
    freshness.mark_changed(session, "plan")


class _PlanImport:
    """One import of one plan document into one session."""

    def __init__(self, session: Session, document: PlanDocument, now: datetime) -> None:
        self.session = session
        self.document = document
        self.now = now
        self.index = BodyIndex(body_infos(session))
        self.bodies = {b.key: b for b in session.scalars(select(Body)).all()}
        self.plan = self._find_plan()
        self.report = ImportReport(plan_key=self.plan.key if self.plan else document.key or "")
        self.previous = previous_plan(session, document.key or "", document.starts)
        self._previous_actions: dict[str, Action] | None = None
        self._carried_seen: dict[str, int] = {}

    def previous_actions(self) -> dict[str, Action]:
        """The previous plan's actions by number (read once)."""
        if self._previous_actions is None:
            found = _plan_actions(self.session, self.previous) if self.previous else []
            self._previous_actions = {a.number: a for a in found}
        return self._previous_actions

    def validate_carried(self, row: ActionRow, reasons: list[str]) -> None:
        """A "carried from" number must name one action of the previous plan, once."""
        if not row.carried_from:
            return
        if self.previous is None:
            reasons.append("carried from: there is no previous plan")
        elif row.carried_from not in self.previous_actions():
            reasons.append(
                f"carried from {row.carried_from}: no such action in {self.previous.title}"
            )
        elif row.carried_from in self._carried_seen:
            reasons.append(
                f"carried from {row.carried_from}: "
                f"also on row {self._carried_seen[row.carried_from]}"
            )
        else:
            self._carried_seen[row.carried_from] = row.row

    def link_carried(self, row: ActionRow) -> None:
        """Point the new action at the previous plan's one (its history stays attached)."""
        if not row.carried_from or self.plan is None or self.previous is None:
            return
        old = self.previous_actions()[row.carried_from]
        action = self.session.scalar(
            select(Action).where(Action.plan_id == self.plan.id, Action.number == row.number)
        )
        if action is not None:
            action.carried_from_id = old.id
            self.report.previous_plan = self.previous.title
            self.report.carried.append((old.number, row.number))

    def _find_plan(self) -> Plan | None:
        if self.document.key:
            return self.session.scalar(select(Plan).where(Plan.key == self.document.key))
        return self.session.scalar(select(Plan).where(Plan.is_current.is_(True)))

    def theme_numbers(self) -> set[int]:
        numbers = {t.number for t in self.document.themes}
        if self.plan is not None:
            numbers |= {t.number for t in self.plan.themes}
        return numbers

    def validate(self, row: ActionRow, seen: dict[str, int]) -> tuple[list[str], list[Body]]:
        reasons: list[str] = []
        if not row.number:
            reasons.append("missing action number")
        elif not ACTION_NUMBER.match(row.number):
            reasons.append(f"action number {row.number!r} is not like 1.18")
        elif row.number in seen:
            reasons.append(f"action number {row.number} is also on row {seen[row.number]}")
        if not row.text:
            reasons.append("missing action text")
        owners = self._owners(row, reasons)
        self.validate_carried(row, reasons)
        if not row.due_text:
            reasons.append("missing date")
        elif not interpret_due_text(row.due_text).readable:
            reasons.append(
                f"date {row.due_text!r} cannot be read "
                "(write e.g. 'March 2023', 'Ongoing', '2022-23' or 'April 2022 then ongoing')"
            )
        if row.update_status and row.update_status not in STATUSES:
            reasons.append(f"status {row.update_status!r} is not one of {', '.join(STATUSES)}")
        theme = self._theme_number(row)
        numbered = bool(row.number) and ACTION_NUMBER.match(row.number) is not None
        if numbered and theme not in self.theme_numbers() and self.document.title is None:
            reasons.append(f"no theme {theme} in this plan (the number's first part is the theme)")
        return reasons, owners

    def _owners(self, row: ActionRow, reasons: list[str]) -> list[Body]:
        if row.owner_keys is not None:
            unknown = [k for k in row.owner_keys if k not in self.bodies]
            reasons.extend(f"unknown owner key {k!r}" for k in unknown)
            if not row.owner_keys:
                reasons.append("missing owner")
            return [self.bodies[k] for k in row.owner_keys if k in self.bodies]
        if not row.owner_text:
            reasons.append("missing owner")
            return []
        found, unknown_parts = self.index.resolve_owner_cell(row.owner_text)
        reasons.extend(f"unknown owner {part!r}" for part in unknown_parts)
        return [self.bodies[b.key] for b in found]

    @staticmethod
    def _theme_number(row: ActionRow) -> int | None:
        if row.theme_number is not None:
            return row.theme_number
        head = row.number.split(".", 1)[0]
        return int(head) if head.isdigit() else None

    def ensure_plan(self) -> Plan:
        doc = self.document
        plan = self.plan
        if plan is None:
            if not doc.key:
                raise ValueError("there is no current plan to import into; name one with --plan")
            plan = Plan(key=doc.key, title=doc.title or doc.key)
            self.session.add(plan)
        for name in ("title", "starts", "ends", "source", "description"):
            value = getattr(doc, name)
            if value:
                setattr(plan, name, value)
        plan.kind = doc.kind or plan.kind
        if doc.extra:
            plan.extra = {**(plan.extra or {}), **doc.extra}
        if doc.current:
            for other in self.session.scalars(select(Plan).where(Plan.id != plan.id)).all():
                other.is_current = False
            plan.is_current = True
        elif doc.current is False:
            plan.is_current = False
        self.session.flush()
        self.plan = plan
        for spec in doc.themes:
            self._ensure_theme(plan, spec)
        return plan

    def _ensure_theme(self, plan: Plan, spec: ThemeSpec) -> Theme:
        theme = next((t for t in plan.themes if t.number == spec.number), None)
        if theme is None:
            theme = Theme(number=spec.number, title=spec.title or f"Theme {spec.number}")
            plan.themes.append(theme)
        theme.title = spec.title or theme.title
        for name, value in spec.details.items():
            setattr(theme, name, value)
        if spec.sponsor_key and spec.sponsor_key in self.bodies:
            theme.sponsor_body_id = self.bodies[spec.sponsor_key].id
        for number, text in spec.outcomes:
            outcome = next((o for o in theme.outcomes if o.number == number), None)
            if outcome is None:
                theme.outcomes.append(Outcome(number=number, text=text))
            else:
                outcome.text = text
        for position, title in enumerate(spec.sections):
            self._ensure_section(theme, title).position = position
        self.session.flush()
        return theme

    def _ensure_section(self, theme: Theme, title: str) -> Section:
        section = next((s for s in theme.sections if s.title == title), None)
        if section is None:
            section = Section(title=title, position=len(theme.sections))
            theme.sections.append(section)
            self.session.flush()
        return section

    def section_for(self, row: ActionRow, existing: Action | None) -> Section:
        assert self.plan is not None
        number = self._theme_number(row) or 0
        theme = next((t for t in self.plan.themes if t.number == number), None)
        if theme is None:
            theme = self._ensure_theme(self.plan, ThemeSpec(number=number, title=""))
        if row.section_title:
            return self._ensure_section(theme, row.section_title)
        if existing is not None:
            return existing.section
        if theme.sections:
            return theme.sections[-1]
        return self._ensure_section(theme, "Actions")

    def upsert_action(self, row: ActionRow, owners: list[Body], position: int) -> str:
        assert self.plan is not None
        action = self.session.scalar(
            select(Action).where(Action.plan_id == self.plan.id, Action.number == row.number)
        )
        due = interpret_due_text(row.due_text)
        section = self.section_for(row, action)
        values = {
            "section_id": section.id,
            "text": row.text,
            "success_measure": row.success_measure,
            "owner_text": row.owner_text,
            "due_text": row.due_text,
            "deadline": due.deadline,
            "ongoing": due.ongoing,
            "due_readable": due.readable,
        }
        if action is None:
            action = Action(plan_id=self.plan.id, number=row.number, position=position, **values)
            action.owners = owners
            self.session.add(action)
            outcome = "added"
        else:
            changed = any(getattr(action, k) != v for k, v in values.items())
            changed |= {b.id for b in action.owners} != {b.id for b in owners}
            for name, value in values.items():
                setattr(action, name, value)
            action.owners = owners
            outcome = "updated" if changed else "unchanged"
        self.session.flush()
        if row.update_text and row.update_text not in ("-", "–"):
            self._add_update(action, row)
        return outcome

    def _add_update(self, action: Action, row: ActionRow) -> None:
        latest = self.session.scalar(
            select(ProgressUpdate)
            .where(ProgressUpdate.action_id == action.id)
            .order_by(ProgressUpdate.id.desc())
            .limit(1)
        )
        status = row.update_status or (latest.status if latest else ON_TRACK)
        key = _key("import", self.report.plan_key, row.number, status, row.update_text)
        self._append(action, key, status, row.update_text, "Plan import", "import", self.now)

    def _append(
        self,
        action: Action,
        key: str,
        status: str,
        text: str,
        author: str,
        source: str,
        created_at: datetime,
    ) -> None:
        if self.session.scalar(
            select(ProgressUpdate.id).where(ProgressUpdate.idempotency_key == key)
        ):
            return
        self.session.add(
            ProgressUpdate(
                action_id=action.id,
                author_name=author,
                status=status,
                text=text,
                created_at=created_at,
                idempotency_key=key,
                source=source,
            )
        )
        self.report.updates_added += 1

    def add_document_updates(self) -> None:
        assert self.plan is not None
        for update in self.document.updates:
            action = self.session.scalar(
                select(Action).where(
                    Action.plan_id == self.plan.id, Action.number == update.action_number
                )
            )
            if action is None:
                raise ValueError(f"an update names action {update.action_number}, not in the plan")
            if update.status not in STATUSES:
                raise ValueError(f"update for {update.action_number}: bad status {update.status!r}")
            created = datetime.combine(update.day, time(12, 0), tzinfo=LONDON).astimezone(UTC)
            key = _key(
                "seed", self.plan.key, update.action_number, update.day.isoformat(), update.text
            )
            self._append(action, key, update.status, update.text, update.author, "seed", created)


def _key(*parts: str) -> str:
    digest = hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()
    return f"{parts[0]}:{digest[:40]}"


def apply_plan(
    session: Session,
    document: PlanDocument,
    *,
    now: datetime,
    skip_invalid: bool = False,
    progress: Progress | None = None,
) -> ImportReport:
    """Validate every row, then apply the document unless rows were rejected.

    Args:
        session: a session inside a transaction; on rejection nothing is flushed.
        document: the plan file's contents.
        now: the import time (for progress updates from an Update column).
        skip_invalid: import the valid rows even when others were rejected.
        progress: called with (rows done, rows in all) while applying.

    Returns:
        The per-row report; ``applied`` says whether the database was changed.
    """
    job = _PlanImport(session, document, now)
    seen: dict[str, int] = {}
    checked: list[tuple[ActionRow, list[Body]]] = []
    for row in document.actions:
        reasons, owners = job.validate(row, seen)
        if row.number and row.number not in seen:
            seen[row.number] = row.row
        if reasons:
            job.report.rows.append(RowResult(row.row, row.number, "rejected", reasons))
        else:
            checked.append((row, owners))
    if job.report.rejected and not skip_invalid:
        return job.report
    plan = job.ensure_plan()
    job.report.plan_key = plan.key
    results = {r.row: r for r in job.report.rows}
    total = len(checked)
    base = max((a.position for a in _plan_actions(session, plan)), default=0)
    for done, (row, owners) in enumerate(checked, start=1):
        outcome = job.upsert_action(row, owners, base + done)
        job.link_carried(row)
        results[row.row] = RowResult(row.row, row.number, outcome)
        if progress is not None and (done % 50 == 0 or done == total):
            progress(done, total)
    job.add_document_updates()
    in_file = {row.number for row in document.actions}
    job.report.kept_not_in_file = (
        [a.number for a in _plan_actions(session, plan) if a.number not in in_file]
        if document.actions
        else []
    )
    job.report.rows = [results[k] for k in sorted(results)]
    job.report.applied = True
    plan.revision = (plan.revision or 0) + 1  # cached copies of this plan are now stale
    session.flush()
    return job.report


def previous_plan(session: Session, plan_key: str, starts: date | None = None) -> Plan | None:
    """The plan before ``plan_key``: the latest-starting other plan (before ``starts``)."""
    query = select(Plan).where(Plan.key != plan_key)
    if starts is not None:
        query = query.where(Plan.starts < starts)
    return session.scalar(query.order_by(Plan.starts.desc(), Plan.id.desc()).limit(1))


def _plan_actions(session: Session, plan: Plan) -> list[Action]:
    return list(
        session.scalars(select(Action).where(Action.plan_id == plan.id).order_by(Action.position))
    )
