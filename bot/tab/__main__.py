"""``python -m bot.tab`` (``make tab``): the tab's pages on this machine, without Teams.

Starts the bot in development mode on 127.0.0.1 with its own SQLite database (``data/tab/``;
the default plan loads on first run) and prints the address of each tab page. Sign in with
the development user picker (loopback only, clearly marked): on a first run two demo people
are added to pick from, a chair of the DASVG and the NCCSP and a member of OPCCN. Ctrl+C stops.
"""

from __future__ import annotations

import argparse
import sys
import webbrowser
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

from sqlalchemy.orm import Session, sessionmaker

from bot.cli import DEV_MODE_WARNING
from bot.clock import SystemClock
from bot.config import DEFAULT_DATA_DIR, default_database_url, load_settings
from bot.playground import free_port
from storage.db import transaction
from storage.people import add_memberships, ensure_person
from storage.update_history import people_to_pick

TAB_DATA = DEFAULT_DATA_DIR / "tab"
DEMO_PEOPLE = (
    ("Demo Chair", "chair@example.org", {"DASVG": "chair", "NCCSP": "chair"}),
    ("Demo Member", "member@example.org", {"OPCCN": "member"}),
)
PAGES = (
    ("Sign in (development user picker)", "/tab/signin"),
    ("My actions (personal tab)", "/tab/my"),
    ("Plan dashboard, whole plan (channel tab)", "/tab/plan"),
    ("Plan dashboard for the DASVG", "/tab/plan?body=DASVG"),
    ("Meeting side panel", "/tab/plan?body=DASVG&view=panel"),
    ("Meeting stage", "/tab/plan?body=DASVG&view=stage"),
    ("Configurable tab's settings page", "/tab/config"),
)


def add_demo_people(db: sessionmaker[Session]) -> bool:
    """Two people to pick when the database has nobody yet; True when they were added."""
    with transaction(db) as session:
        if people_to_pick(session, limit=1):
            return False
        for name, email, bodies in DEMO_PEOPLE:
            person = ensure_person(session, aad_object_id=None, name=name, email=email)
            for key, role in bodies.items():
                add_memberships(session, person.id, [key], role=role, source="demo")
    return True


def main(argv: Sequence[str] | None = None) -> int:
    """Start the bot on loopback, print the tab pages' addresses, serve until Ctrl+C."""
    from bot.app import build_runtime, run_server

    parser = argparse.ArgumentParser(prog="python -m bot.tab", description=__doc__)
    parser.add_argument("--port", type=int, default=0, help="port (default: a free one)")
    parser.add_argument("--data-dir", type=Path, default=TAB_DATA)
    parser.add_argument("--open", action="store_true", help="open My actions in a browser")
    options = parser.parse_args(argv)
    options.data_dir.mkdir(parents=True, exist_ok=True)
    # Development mode and its own SQLite, whatever .env says: the picker needs both.
    settings = replace(
        load_settings(),
        app_id="",
        app_password="",
        host="127.0.0.1",
        data_dir=options.data_dir,
        database_url=default_database_url(options.data_dir),
        public_base_url="",
    )
    runtime = build_runtime(settings, SystemClock())
    if add_demo_people(runtime.services.db):
        print("added two demo people: chair@example.org (DASVG, NCCSP), member@example.org")
    port = options.port or free_port()
    base = f"http://127.0.0.1:{port}"
    print(f"The tab's pages (development mode, data in {options.data_dir}); Ctrl+C stops:")
    for label, path in PAGES:
        print(f"  {label:44} {base}{path}")
    print("Themes: add theme=dark or theme=contrast to an address (Teams sets it itself).")
    print(DEV_MODE_WARNING, flush=True)
    if options.open:
        webbrowser.open(f"{base}/tab/my")
    run_server(runtime, "127.0.0.1", port)
    return 0


if __name__ == "__main__":
    sys.exit(main())
