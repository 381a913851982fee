"""Importing a plan file: one transaction, all or nothing (unless asked to skip bad rows)."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from sqlalchemy.orm import Session, sessionmaker

from storage import audit
from storage.plan_document import PlanFileError, read_plan_file
from storage.plan_loader import ImportReport, Progress, apply_plan


class _DryRun(Exception):
    """Raised to roll the transaction back after a successful check."""


def import_plan_file(
    factory: sessionmaker[Session],
    path: Path,
    *,
    now: datetime,
    plan_key: str | None = None,
    skip_invalid: bool = False,
    dry_run: bool = False,
    progress: Progress | None = None,
) -> ImportReport:
    """Read ``path`` and apply it; on any rejected row (or ``dry_run``) nothing is changed.

    Returns:
        The per-row report. A file that cannot be read at all gives a report with one rejected
        pseudo-row (row 0) saying why.
    """
    try:
        document = read_plan_file(path, plan_key)
    except (PlanFileError, OSError) as exc:
        report = ImportReport(plan_key=plan_key or "")
        from storage.plan_loader import RowResult

        report.rows.append(RowResult(0, "", "rejected", [str(exc)]))
        return report
    session = factory()
    try:
        with session.begin():
            report = apply_plan(
                session, document, now=now, skip_invalid=skip_invalid, progress=progress
            )
            if dry_run or not report.applied:
                raise _DryRun
            audit.record(
                session,
                audit.COMMAND_LINE,
                "plan.imported",
                "plan",
                report.plan_key,
                now=now,
                after={
                    "file": path.name,
                    "added": report.count("added"),
                    "updated": report.count("updated"),
                    "unchanged": report.count("unchanged"),
                    "rejected": len(report.rejected),
                    "updates_added": report.updates_added,
                },
            )
    except _DryRun:
        report.applied = False
    except ValueError as exc:
        report = ImportReport(plan_key=plan_key or document.key or "")
        from storage.plan_loader import RowResult

        report.rows.append(RowResult(0, "", "rejected", [str(exc)]))
    finally:
        session.close()
    return report
