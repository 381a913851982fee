"""The command line: ``python -m bot COMMAND ...``.

Commands: serve, ask, import, members, report, migrate, jobs (run), meetings (import),
person (export, erase).
"""

from __future__ import annotations

import argparse
import asyncio
import ipaddress
import logging
import os
import sys
from collections.abc import Sequence
from datetime import date
from pathlib import Path

from sqlalchemy import Engine

from bot import cli_person, cli_plan, cli_schedule, logs
from bot.clock import SystemClock, as_of_problem
from bot.config import ConfigError, Settings, load_settings
from bot.services import Services
from storage.db import DatabaseUnavailable

log = logging.getLogger("bot")

DEV_MODE_WARNING = (
    "DEVELOPMENT MODE: no MicrosoftAppId is set, so requests are NOT authenticated. "
    "This is only allowed on a loopback address; never expose this port."
)


def _date(text: str) -> date:
    try:
        day = date.fromisoformat(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date (YYYY-MM-DD)") from exc
    problem = as_of_problem(day)
    if problem:
        raise argparse.ArgumentTypeError(problem)
    return day


def is_loopback(host: str) -> bool:
    """True for 127.0.0.0/8, ::1 and "localhost"."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def parser() -> argparse.ArgumentParser:
    """The argument parser for every sub-command."""
    main = argparse.ArgumentParser(prog="python -m bot", description="The Safer Partnership bot")
    sub = main.add_subparsers(dest="command")

    serve = sub.add_parser("serve", help="run the bot server (the default)")
    serve.add_argument("--host", help="address to listen on (default HOST or 127.0.0.1)")
    serve.add_argument("--port", type=int, help="port (default PORT or 3978)")

    ask = sub.add_parser("ask", help="send one message to the bot and print the reply")
    ask.add_argument("text", help='what to ask, e.g. "what\'s overdue for OPCCN?"')
    ask.add_argument("--user", help="ask as this person (e-mail or AAD object id)")
    ask.add_argument("--as-of", type=_date, help="treat this date as today (YYYY-MM-DD)")
    ask.add_argument("--json", action="store_true", help="print the reply activities as JSON")

    imp = sub.add_parser("import", help="import a plan from YAML, CSV or XLSX")
    imp.add_argument("file", type=Path)
    imp.add_argument("--plan", help="plan key (CSV/XLSX: default the current plan)")
    imp.add_argument("--skip-invalid", action="store_true", help="import the valid rows anyway")
    imp.add_argument("--dry-run", action="store_true", help="check and report, change nothing")

    members = sub.add_parser("members", help="load memberships from CSV (email, body, role)")
    members.add_argument("file", type=Path)
    members.add_argument("--skip-invalid", action="store_true")
    members.add_argument(
        "--dry-run", action="store_true", help="show what would change, change nothing"
    )

    report = sub.add_parser("report", help="export the plan report (XLSX, DOCX or CSV)")
    report.add_argument("--format", choices=("xlsx", "docx", "csv"), default="xlsx")
    report.add_argument("--as-of", type=_date, help="the plan as of this date (default today)")
    report.add_argument("--output", type=Path, required=True, help="the file to write")
    report.add_argument("--plan", help="plan key (default the current plan)")

    audit_log = sub.add_parser("audit", help="export the audit log as CSV")
    audit_log.add_argument("--subject", help="only this subject (an action number, a body key...)")
    audit_log.add_argument("--since", type=_date, help="only changes on or after this date")
    audit_log.add_argument("--output", type=Path, help="the file to write (default: print)")

    sub.add_parser("migrate", help="create or upgrade the database schema, load default data")
    cli_schedule.add_parsers(sub)
    cli_plan.add_parsers(sub)
    cli_person.add_parsers(sub)
    return main


def main(argv: Sequence[str] | None = None) -> int:
    """Run a sub-command; returns the process exit code."""
    args = parser().parse_args(argv)
    try:
        settings = load_settings()
    except ConfigError as exc:
        print(f"configuration error: {exc}", file=sys.stderr)
        return 2
    command = args.command or "serve"
    # One-shot commands print their own results; only warnings go to the log unless asked.
    quiet = command != "serve" and "LOG_LEVEL" not in os.environ
    logs.configure("WARNING" if quiet else settings.log_level)
    commands = {
        "serve": serve,
        "ask": ask,
        "import": import_plan,
        "members": import_members,
        "report": export_report,
        "audit": export_audit,
        "migrate": migrate,
        "jobs": cli_schedule.run_jobs_once,
        "meetings": cli_schedule.import_meetings,
        "extend-plan": cli_plan.extend_plan_command,
        "next-plan": cli_plan.next_plan_command,
        "person": cli_person.person_command,
    }
    try:
        return commands[command](settings, args)
    except DatabaseUnavailable as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 3


def serve(settings: Settings, args: argparse.Namespace) -> int:
    """Start the web server; refuse an unauthenticated bot on a non-loopback address."""
    from bot.app import build_runtime, run_server

    host = args.host or settings.host
    port = args.port or settings.port
    if settings.is_development and not is_loopback(host):
        print(
            f"refusing to listen on {host} without MicrosoftAppId: set MicrosoftAppId and "
            "MicrosoftAppPassword (see README, 'Register the bot in Azure'), or use 127.0.0.1.",
            file=sys.stderr,
        )
        return 2
    if settings.is_development:
        log.warning(DEV_MODE_WARNING)
        print(DEV_MODE_WARNING, file=sys.stderr)
    runtime = build_runtime(settings, SystemClock())
    print(f"Safer Partnership bot listening on http://{host}:{port}/api/messages", flush=True)
    run_server(runtime, host, port)
    return 0


def services_for(settings: Settings) -> tuple[Engine, Services]:
    """The database, migrated, and the services over it (``bot.app`` is imported late)."""
    from bot.app import services_for as open_for

    return open_for(settings)


def ask(settings: Settings, args: argparse.Namespace) -> int:
    """One turn through the real handler; prints readable text or JSON."""
    from bot.teams.console import as_json, as_text
    from bot.teams.console import ask as run_turn

    engine, services = services_for(settings)
    try:
        replies = asyncio.run(run_turn(services, args.text, user=args.user, as_of=args.as_of))
    finally:
        engine.dispose()
    sys.stdout.write(as_json(replies) + "\n" if args.json else as_text(replies))
    return 0


def import_plan(settings: Settings, args: argparse.Namespace) -> int:
    """Import a plan file in one transaction; print the per-row report."""
    from storage.importing import import_plan_file

    engine, services = services_for(settings)
    try:
        report = import_plan_file(
            services.db,
            args.file,
            plan_key=args.plan,
            now=services.clock.now(),
            skip_invalid=args.skip_invalid,
            dry_run=args.dry_run,
            progress=lambda done, total: print(f"  {done}/{total} rows", file=sys.stderr),
        )
    finally:
        engine.dispose()
    for line in report.lines():
        print(line)
    return 0 if report.applied or (args.dry_run and not report.rejected) else 1


def import_members(settings: Settings, args: argparse.Namespace) -> int:
    """Load memberships from CSV; print the per-row report."""
    from storage.membership_import import import_memberships

    engine, services = services_for(settings)
    try:
        report = import_memberships(
            services.db, args.file, skip_invalid=args.skip_invalid, dry_run=args.dry_run
        )
    finally:
        engine.dispose()
    for line in report.lines():
        print(line)
    ok = report.applied or (
        report.dry_run and not any(r.outcome == "rejected" for r in report.rows)
    )
    return 0 if ok else 1


def export_report(settings: Settings, args: argparse.Namespace) -> int:
    """Write the plan report (one row per action) to ``--output``; print its path."""
    from bot.clock import london_today
    from bot.plan.types import PlanNotFound
    from bot.reports.export import export_report as make_report

    engine, services = services_for(settings)
    as_of = args.as_of or london_today(services.clock.now())
    try:
        with services.db() as session:
            made = make_report(
                session,
                args.format,
                as_of,
                args.plan,
                settings.reporting_interval_days,
                texts_kept_from=settings.retention.texts_kept_from(
                    london_today(services.clock.now())
                ),
            )
    except PlanNotFound as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    finally:
        engine.dispose()
    try:
        args.output.write_bytes(made.data)
    except OSError as exc:
        print(f"error: cannot write {args.output}: {exc.strerror or exc}", file=sys.stderr)
        return 1
    print(args.output)
    return 0


def export_audit(settings: Settings, args: argparse.Namespace) -> int:
    """Write the audit log (newest first) as CSV."""
    from datetime import datetime

    from bot.clock import LONDON
    from storage import audit

    engine, services = services_for(settings)
    since = datetime.combine(args.since, datetime.min.time(), LONDON) if args.since else None
    try:
        with services.db() as session:
            text = audit.as_csv(
                audit.entries(session, subject_key=args.subject, since=since, limit=10**6)
            )
    finally:
        engine.dispose()
    if args.output:
        args.output.write_text(text, encoding="utf-8")
        print(args.output)
    else:
        sys.stdout.write(text)
    return 0


def migrate(settings: Settings, args: argparse.Namespace | None = None) -> int:
    """Create or upgrade the schema and load the default data when empty."""
    engine, _ = services_for(settings)
    engine.dispose()
    print("database ready")
    return 0
