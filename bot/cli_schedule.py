"""``python -m bot jobs run`` (for cron) and ``python -m bot meetings import FILE.ics``."""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bot.clock import LONDON
from bot.config import Settings


def add_parsers(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """The ``jobs`` and ``meetings`` sub-commands."""
    jobs = sub.add_parser("jobs", help="run the scheduled jobs once (prompts, reminders)")
    jobs_sub = jobs.add_subparsers(dest="jobs_command", required=True)
    run = jobs_sub.add_parser("run", help="plan and send what is due now")
    run.add_argument(
        "--now",
        type=_instant,
        help="run as of this past time (ISO 8601; without an offset: UK time); default now",
    )

    meetings = sub.add_parser("meetings", help="manage meetings")
    meetings_sub = meetings.add_subparsers(dest="meetings_command", required=True)
    imp = meetings_sub.add_parser("import", help="import a body's meetings from an .ics file")
    imp.add_argument("file", type=Path)
    imp.add_argument("--body", required=True, help="the body's key, e.g. DASVG")
    imp.add_argument("--dry-run", action="store_true", help="check and report, change nothing")


def _instant(text: str) -> datetime:
    try:
        value = datetime.fromisoformat(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"{text!r} is not an ISO 8601 time") from exc
    return value if value.tzinfo else value.replace(tzinfo=LONDON)


def run_jobs_once(settings: Settings, args: argparse.Namespace) -> int:
    """Run the jobs once and print the summary as JSON; exit 1 when a delivery failed."""
    from bot.app import job_context, services_for
    from bot.jobs.runner import run_jobs
    from bot.teams.adapter import make_adapter

    real_now = datetime.now(UTC)
    now = args.now or real_now
    if now > real_now:
        print("refusing --now in the future: nothing is ever sent early", file=sys.stderr)
        return 2
    engine, services = services_for(settings)
    adapter = make_adapter(settings)

    async def once() -> Any:
        try:
            return await run_jobs(now.astimezone(UTC), job_context(settings, services, adapter))
        finally:
            await adapter.close()  # the kept connector sessions

    try:
        summary = asyncio.run(once())
    finally:
        engine.dispose()
    print(json.dumps({"now": now.isoformat(), **summary.as_dict()}))
    return 1 if summary.failed or summary.unknown else 0


def import_meetings(settings: Settings, args: argparse.Namespace) -> int:
    """Import an .ics file for one body; print one line per event."""
    from bot.app import services_for
    from storage.ics_import import import_ics

    engine, services = services_for(settings)
    try:
        report = import_ics(services.db, args.file, args.body, dry_run=args.dry_run)
    except KeyError:
        print(f"error: no body has the key {args.body!r}", file=sys.stderr)
        return 2
    except (OSError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    finally:
        engine.dispose()
    for line in report.lines():
        print(line)
    return 0
