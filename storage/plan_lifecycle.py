"""A plan's life: its period, extending it, and starting the next plan with carry-over.

Every change here is audited in the same transaction; a plan's progress updates are never
changed (revised deadlines are new updates, carried-over actions point at their old rows).
"""

from __future__ import annotations

import hashlib
from dataclasses import replace
from datetime import date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from bot.plan import rules
from bot.plan.period import Extension, PlanChangeRefused, PlanPeriod, long_date
from storage import audit, freshness
from storage.models import Action, Plan, ProgressUpdate
from storage.plan_document import ActionRow, PlanDocument, PlanFileError, read_plan_file
from storage.plan_loader import ImportReport, RowResult, apply_plan, previous_plan
from storage.plan_queries import PlanNotFound, actions


def _current(session: Session) -> Plan:
    plan = session.scalar(select(Plan).where(Plan.is_current.is_(True)).limit(1))
    if plan is None:
        raise PlanNotFound("no current plan is loaded")
    return plan


def _period_of(plan: Plan) -> PlanPeriod:
    extra = plan.extra or {}
    extended_from = extra.get("extended_from")
    return PlanPeriod(
        title=plan.title,
        starts=plan.starts,
        ends=plan.ends,
        extended_from=date.fromisoformat(extended_from) if extended_from else None,
    )


def plan_period(session: Session, plan_key: str | None = None) -> PlanPeriod | None:
    """The period of a plan (the current one by default), or None when there is no such plan."""
    query = select(Plan).where(Plan.key == plan_key if plan_key else Plan.is_current.is_(True))
    plan = session.scalar(query.limit(1))
    return _period_of(plan) if plan is not None else None


def plan_keys_by_title(session: Session) -> dict[str, str]:
    """Every plan's title -> key (for naming a plan in questions and commands)."""
    return {title: key for key, title in session.execute(select(Plan.key, Plan.title)).all()}


def _revise_deadline(
    session: Session, action: Action, new_deadline: date, reason: str, author: str, now: datetime
) -> None:
    """A new update keeping the action's status, with the revised date (history stays)."""
    latest = session.scalar(
        select(ProgressUpdate)
        .where(ProgressUpdate.action_id == action.id)
        .order_by(ProgressUpdate.id.desc())
        .limit(1)
    )
    key = hashlib.sha256(
        f"extend:{action.id}:{new_deadline}:{now.isoformat()}".encode()
    ).hexdigest()
    session.add(
        ProgressUpdate(
            action_id=action.id,
            author_name=author[:200],
            status=latest.status if latest is not None else "Not started",
            text=f"Deadline revised to {long_date(new_deadline)} with the plan's extension: "
            + reason,
            revised_date=new_deadline,
            created_at=now,
            idempotency_key=f"extend:{key[:40]}",
            source="extension",
        )
    )


def extend_plan(
    session: Session,
    *,
    until: date,
    reason: str,
    actor: audit.Actor,
    now: datetime,
    plan_key: str | None = None,
    revised_deadlines: dict[str, date] | None = None,
) -> Extension:
    """Move a plan's end to ``until`` (the current plan by default), optionally revising deadlines.

    Raises:
        PlanNotFound: when there is no such plan.
        PlanChangeRefused: when the reason is empty, the date is not after the current end, or
            a revised deadline names an unknown action (nothing is changed then).
    """
    plan = (
        session.scalar(select(Plan).where(Plan.key == plan_key)) if plan_key else _current(session)
    )
    if plan is None:
        raise PlanNotFound(f"no plan {plan_key!r}")
    reason = " ".join(reason.split())
    if not reason:
        raise PlanChangeRefused("Say why the plan is extended (the reason is kept on record).")
    if plan.ends is not None and until <= plan.ends:
        raise PlanChangeRefused(
            f"The {plan.title} already runs to {long_date(plan.ends)}; "
            "an extension must end after that."
        )
    if plan.starts is not None and until <= plan.starts:
        raise PlanChangeRefused("The new end must be after the plan's start.")
    by_number = {
        a.number: a for a in session.scalars(select(Action).where(Action.plan_id == plan.id))
    }
    revised = dict(revised_deadlines or {})
    unknown = sorted(n for n in revised if n not in by_number)
    if unknown:
        raise PlanChangeRefused(
            f"No action {', '.join(unknown)} in the {plan.title}; nothing was changed."
        )
    old_end = plan.ends
    extra: dict[str, Any] = dict(plan.extra or {})
    if old_end is not None:
        extra.setdefault("extended_from", old_end.isoformat())
    extra["extensions"] = [
        *extra.get("extensions", []),
        {"to": until.isoformat(), "reason": reason, "at": now.isoformat(), "by": actor.label},
    ]
    plan.extra = extra
    plan.ends = until
    for number, deadline in sorted(revised.items()):
        _revise_deadline(session, by_number[number], deadline, reason, actor.label, now)
    plan.revision = (plan.revision or 0) + 1
    audit.record(
        session,
        actor,
        "plan.extended",
        "plan",
        plan.key,
        now=now,
        before={"ends": old_end.isoformat() if old_end else None},
        after={
            "ends": until.isoformat(),
            "reason": reason,
            "revised_deadlines": {n: d.isoformat() for n, d in sorted(revised.items())},
        },
    )
    session.flush()
    freshness.mark_changed(session, "plan")
    return Extension(plan.title, old_end, until, tuple(sorted(revised.items())))


def _next_free(theme: int, taken: set[str]) -> str:
    index = 1
    while f"{theme}.{index}" in taken:
        index += 1
    return f"{theme}.{index}"


def carry_over_rows(session: Session, document: PlanDocument) -> tuple[list[ActionRow], list[str]]:
    """Rows for the previous plan's unfinished actions that the document does not carry itself.

    Each keeps its theme number (the next free number there), text, owners and date, and is
    marked as carried from its old number. Returns the rows and the old numbers left behind
    because the new plan has no such theme.
    """
    previous = previous_plan(session, document.key or "", document.starts)
    if previous is None:
        return [], []
    mapped = {row.carried_from for row in document.actions if row.carried_from}
    taken = {row.number for row in document.actions}
    themes = {t.number for t in document.themes} or {
        r.theme_number or int(r.number.split(".")[0]) for r in document.actions if r.number
    }
    rows: list[ActionRow] = []
    left: list[str] = []
    for record in actions(session, plan_key=previous.key):
        if rules.is_complete(record) or record.number in mapped:
            continue
        if record.theme_number not in themes:
            left.append(record.number)
            continue
        number = _next_free(record.theme_number, taken)
        taken.add(number)
        rows.append(
            ActionRow(
                row=len(document.actions) + len(rows) + 1,
                number=number,
                text=record.text,
                success_measure=record.success_measure,
                owner_text=record.owner_text,
                owner_keys=tuple(o.key for o in record.owners),
                due_text=record.due_text,
                theme_number=record.theme_number,
                section_title=f"Carried over from the {previous.title}",
                carried_from=record.number,
            )
        )
    return rows, left


def _unfinished_left(session: Session, report: ImportReport, previous: Plan | None) -> list[str]:
    if previous is None:
        return []
    carried = {old for old, _ in report.carried}
    return [
        r.number
        for r in actions(session, plan_key=previous.key)
        if not rules.is_complete(r) and r.number not in carried
    ]


class _Rollback(Exception):
    """Raised to undo a checked import (a dry run, or rejected rows)."""


def start_next_plan(
    factory: sessionmaker[Session],
    path: Path,
    *,
    now: datetime,
    actor: audit.Actor = audit.COMMAND_LINE,
    plan_key: str | None = None,
    title: str | None = None,
    starts: date | None = None,
    ends: date | None = None,
    carry_unfinished: bool = False,
    dry_run: bool = False,
) -> ImportReport:
    """Load the next plan from a file, make it current, and carry over unfinished actions.

    All or nothing: any rejected row (including a "carried from" number the previous plan lacks)
    leaves the database as it was. Actions carry over by the file's "carried from" numbers and,
    with ``carry_unfinished``, every other unfinished action gets the next free number in its
    theme. The previous plan stays as it was, queryable.

    Returns:
        The per-row report, with the old -> new numbers.
    """

    def refused(reason: str) -> ImportReport:
        report = ImportReport(plan_key=plan_key or "")
        report.rows.append(RowResult(0, "", "rejected", [reason]))
        return report

    try:
        document = read_plan_file(path, plan_key)
    except (PlanFileError, OSError) as exc:
        return refused(str(exc))
    document = replace(
        document,
        key=plan_key or document.key,
        title=title or document.title,
        starts=starts or document.starts,
        ends=ends or document.ends,
        current=True,
    )
    if not document.key or not document.title or not document.starts or not document.ends:
        return refused(
            "the next plan needs a key, a title, a start and an end (in the YAML 'plan' part, "
            "or --plan, --title, --starts and --ends for CSV/XLSX)"
        )
    session = factory()
    try:
        with session.begin():
            current = session.scalar(select(Plan).where(Plan.is_current.is_(True)))
            if current is not None and current.key == document.key:
                return refused(f"{document.key} is already the current plan; use import")
            if session.scalar(select(Plan.id).where(Plan.key == document.key)) is not None:
                return refused(f"a plan {document.key!r} is already loaded")
            left: list[str] = []
            if carry_unfinished:
                extra_rows, left = carry_over_rows(session, document)
                document.actions = [*document.actions, *extra_rows]
            report = apply_plan(session, document, now=now)
            if dry_run or not report.applied:
                raise _Rollback
            previous = previous_plan(session, document.key, document.starts)
            report.previous_plan = previous.title if previous else ""
            report.not_carried = _unfinished_left(session, report, previous)
            audit.record(
                session,
                actor,
                "plan.started",
                "plan",
                document.key,
                now=now,
                before={"current": current.key if current else None},
                after={
                    "file": path.name,
                    "title": document.title,
                    "starts": document.starts.isoformat(),
                    "ends": document.ends.isoformat(),
                    "added": report.count("added"),
                    "carried": {old: new for old, new in report.carried},
                    "not_carried": report.not_carried,
                    "no_theme_for": left,
                },
            )
    except _Rollback:
        report.applied = False
    except ValueError as exc:
        return refused(str(exc))
    finally:
        session.close()
    return report
