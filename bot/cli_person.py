"""``python -m bot person export|erase EMAIL``: subject access and erasure requests (UK GDPR).

Run by the operator on the server, like every command: whoever can run it can read the
database anyway. Both are audited (as "command line (<account>)"). See DATA-PROTECTION.md.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from bot.config import Settings


def add_parsers(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """The ``person`` sub-command with ``export`` and ``erase``."""
    person = sub.add_parser("person", help="subject access (export) and erasure of one person")
    verbs = person.add_subparsers(dest="person_command", required=True)
    export = verbs.add_parser("export", help="everything held about a person, as JSON")
    export.add_argument("who", metavar="EMAIL", help="their e-mail address (or AAD object id)")
    export.add_argument("--out", type=Path, help="write to this file (default: print)")
    erase = verbs.add_parser(
        "erase", help="forget a person; their updates stay as 'a former member of <body>'"
    )
    erase.add_argument("who", metavar="EMAIL", help="their e-mail address (or AAD object id)")
    erase.add_argument(
        "--dry-run", action="store_true", help="say what would change; change nothing"
    )


def person_command(settings: Settings, args: argparse.Namespace) -> int:
    """Run ``person export`` or ``person erase``; exit 1 when nobody has that address."""
    from bot.app import services_for
    from storage import subject_access

    engine, services = services_for(settings)
    try:
        with services.db() as session:
            person = subject_access.find(session, args.who)
            if person is None:
                print(f"error: nobody with {args.who!r} is known to the bot", file=sys.stderr)
                return 1
            now = services.clock.now()
            if args.person_command == "export":
                held = subject_access.export_person(session, person, now)
                session.commit()
                return _write(json.dumps(held, indent=2, ensure_ascii=False) + "\n", args.out)
            erasure = subject_access.erase_person(session, person, now)
            if args.dry_run:
                session.rollback()
                print("dry run: nothing was changed")
            else:
                session.commit()
            print("\n".join(erasure.lines()))
            return 0
    finally:
        engine.dispose()


def _write(text: str, out: Path | None) -> int:
    if out is None:
        sys.stdout.write(text)
        return 0
    try:
        out.write_text(text, encoding="utf-8")
    except OSError as exc:
        print(f"error: cannot write {out}: {exc.strerror or exc}", file=sys.stderr)
        return 1
    print(out)
    return 0
