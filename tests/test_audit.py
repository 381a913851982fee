"""The audit log: every change recorded with who, when, before and after; admins read it."""

from __future__ import annotations

import csv
import io
from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.cli import main as cli_main
from bot.clock import FixedClock
from cards import verbs
from storage import audit
from storage.db import make_engine, make_sessionmaker
from storage.importing import import_plan_file
from tests.harness import BotServer, card_texts, execute, message, settings_for
from tests.test_updates import MEMBER, OUTSIDER, add_people

ADMIN = "aad-admin"


def entries(url: str, subject: str | None = None) -> list[audit.AuditRecord]:
    engine = make_engine(url)
    with make_sessionmaker(engine)() as session:
        found = audit.entries(session, subject_key=subject)
    engine.dispose()
    return found


@pytest.fixture
async def server(sqlite_url: str, tmp_path: Path, clock: FixedClock) -> AsyncIterator[BotServer]:
    add_people(sqlite_url)
    settings = replace(settings_for(sqlite_url, tmp_path), bot_admins=(ADMIN,))
    async with BotServer(settings, clock) as running:
        yield running


async def test_updates_are_audited_and_admins_read_the_log(
    server: BotServer, sqlite_url: str
) -> None:
    typed = message("update 1.10 at risk: Chair on leave", aad=MEMBER, name="Maria Member")
    assert (await server.post(typed))[0] == 201
    await server.connector.wait_for(1)
    (entry,) = entries(sqlite_url, "1.10")
    assert (entry.actor, entry.action, entry.subject_type) == (
        "Maria Member",
        "update.posted",
        "action",
    )
    assert entry.before == {"status": "No update yet"}
    assert entry.after is not None and entry.after["status"] == "At risk"
    assert entry.after["text"] == "Chair on leave"

    refused = message("audit 1.10", aad=OUTSIDER)
    await server.post(refused)
    arrivals = await server.connector.wait_for(2)
    assert "Only admins can read the audit log" in arrivals[-1].text

    _, body = await server.post(execute(verbs.RUN_COMMAND, {"text": "audit 1.10"}, aad=ADMIN))
    shown = card_texts(body["value"])
    assert "Audit log: 1.10" in shown and "Maria Member" in shown and "update.posted" in shown


async def test_membership_changes_are_audited(server: BotServer, sqlite_url: str) -> None:
    data = {"bodies": "OPCCN,DASVG", "kept": [], "shown": ["OPCCN", "DASVG"]}
    status, body = await server.post(
        execute(verbs.SAVE_BODIES, data, aad=OUTSIDER, name="Olly Outsider")
    )
    assert status == 200 and "pending" in body["value"]
    requests = [e for e in entries(sqlite_url) if e.action == "membership.requested"]
    assert sorted(e.after["body"] for e in requests if e.after) == ["DASVG", "OPCCN"]
    assert {e.actor for e in requests} == {"Olly Outsider"}


def test_imports_are_audited_and_exported(
    sqlite_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    plan = tmp_path / "plan.csv"
    plan.write_text(
        "N,Action,Success measure,Owner,Date\n3.16,New action,Done,OPCCN,2024\n", encoding="utf-8"
    )
    engine = make_engine(sqlite_url)
    report = import_plan_file(make_sessionmaker(engine), plan, now=datetime(2022, 6, 1, tzinfo=UTC))
    engine.dispose()
    assert report.applied
    (entry,) = [e for e in entries(sqlite_url) if e.action == "plan.imported"]
    assert entry.actor == "command line" and entry.after is not None and entry.after["added"] == 1

    monkeypatch.setenv("DATABASE_URL", sqlite_url)
    output = tmp_path / "audit.csv"
    assert cli_main(["audit", "--output", str(output)]) == 0
    rows = list(csv.reader(io.StringIO(output.read_text(encoding="utf-8"))))
    assert rows[0][:3] == ["at (UTC)", "actor", "action"]
    assert any(row[2] == "plan.imported" and row[4] == "safer-norfolk-2021-24" for row in rows[1:])


def test_export_neutralises_formulas() -> None:
    record = audit.AuditRecord(
        datetime(2022, 1, 1, tzinfo=UTC), "=HYPERLINK(x)", "a", "b", "-1", None, None
    )
    row = next(csv.reader(io.StringIO(audit.as_csv([record]).splitlines()[1])))
    assert row[1] == "'=HYPERLINK(x)" and row[4] == "'-1"


async def test_members_of_the_admin_body_are_admins(
    sqlite_url: str, tmp_path: Path, clock: FixedClock
) -> None:
    add_people(sqlite_url)
    settings = replace(settings_for(sqlite_url, tmp_path), admin_body="NCCSP-TEAM")
    async with BotServer(settings, clock) as server:
        _, body = await server.post(execute(verbs.RUN_COMMAND, {"text": "audit"}, aad=MEMBER))
        assert "Audit log" in card_texts(body["value"])
        _, body = await server.post(execute(verbs.RUN_COMMAND, {"text": "audit"}, aad=OUTSIDER))
        assert "Only admins" in body["value"]
