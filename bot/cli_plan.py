"""``python -m bot extend-plan`` and ``python -m bot next-plan FILE``: a plan's life on the server.

Both are all or nothing and audited as the command line.
"""

from __future__ import annotations

import argparse
import csv
import sys
from datetime import date
from pathlib import Path

from bot.config import Settings


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date (YYYY-MM-DD)") from exc


def add_parsers(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """The ``extend-plan`` and ``next-plan`` sub-commands."""
    extend = sub.add_parser("extend-plan", help="extend the current plan's period (audited)")
    extend.add_argument("--until", type=_day, required=True, help="the new last day, YYYY-MM-DD")
    extend.add_argument("--reason", required=True, help="why (kept in the audit log)")
    extend.add_argument("--plan", help="plan key (default: the current plan)")
    extend.add_argument(
        "--deadlines",
        type=Path,
        help="CSV of revised deadlines: columns 'N' (action number) and 'Date' (YYYY-MM-DD)",
    )
    nxt = sub.add_parser(
        "next-plan", help="load the next plan, make it current, carry over unfinished actions"
    )
    nxt.add_argument("file", type=Path, help="the plan file (YAML, CSV or XLSX)")
    nxt.add_argument("--plan", help="its key (CSV/XLSX; YAML: overrides the file's)")
    nxt.add_argument("--title", help="its title (CSV/XLSX)")
    nxt.add_argument("--starts", type=_day, help="its first day (CSV/XLSX)")
    nxt.add_argument("--ends", type=_day, help="its last day (CSV/XLSX)")
    nxt.add_argument(
        "--carry-unfinished",
        action="store_true",
        help="also carry every unfinished action the file does not map (next free number)",
    )
    nxt.add_argument("--dry-run", action="store_true", help="check and report, change nothing")


def read_deadlines(path: Path) -> dict[str, date]:
    """Revised deadlines from a CSV with 'N' and 'Date' columns.

    Raises:
        ValueError: for an unreadable file or row (the message names the row).
    """
    found: dict[str, date] = {}
    with path.open(encoding="utf-8-sig", newline="") as handle:
        for number, row in enumerate(csv.DictReader(handle), start=2):
            cells = {k.strip().lower(): (v or "").strip() for k, v in row.items() if k}
            action, day = cells.get("n") or cells.get("number"), cells.get("date")
            if not action or not day:
                raise ValueError(f"row {number}: needs an action number (N) and a Date")
            try:
                found[action] = date.fromisoformat(day)
            except ValueError as exc:
                raise ValueError(f"row {number}: {day!r} is not a date (YYYY-MM-DD)") from exc
    return found


def extend_plan_command(settings: Settings, args: argparse.Namespace) -> int:
    """Extend the plan; print what changed, or why nothing did."""
    from bot.app import services_for
    from bot.plan.period import PlanChangeRefused
    from storage import audit
    from storage.db import transaction
    from storage.plan_lifecycle import extend_plan
    from storage.plan_queries import PlanNotFound

    try:
        revised = read_deadlines(args.deadlines) if args.deadlines else {}
    except (OSError, ValueError) as exc:
        print(f"error: {args.deadlines}: {exc}; nothing was changed", file=sys.stderr)
        return 1
    engine, services = services_for(settings)
    try:
        with transaction(services.db) as session:
            done = extend_plan(
                session,
                until=args.until,
                reason=args.reason,
                actor=audit.COMMAND_LINE,
                now=services.clock.now(),
                plan_key=args.plan,
                revised_deadlines=revised,
            )
    except (PlanChangeRefused, PlanNotFound) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    finally:
        engine.dispose()
    print(f"{done.plan_title}: now ends {done.new_end} (was {done.old_end})")
    for number, day in done.revised:
        print(f"  {number}: deadline revised to {day}")
    return 0


def next_plan_command(settings: Settings, args: argparse.Namespace) -> int:
    """Load the next plan; print the per-row report with the old -> new numbers."""
    from bot.app import services_for
    from storage.plan_lifecycle import start_next_plan

    engine, services = services_for(settings)
    try:
        report = start_next_plan(
            services.db,
            args.file,
            now=services.clock.now(),
            plan_key=args.plan,
            title=args.title,
            starts=args.starts,
            ends=args.ends,
            carry_unfinished=args.carry_unfinished,
            dry_run=args.dry_run,
        )
    finally:
        engine.dispose()
    for line in report.lines():
        print(line)
    return 0 if report.applied or (args.dry_run and not report.rejected) else 1
