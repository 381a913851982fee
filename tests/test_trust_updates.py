"""Issue 13: updates are stored exactly once, atomically, under keys scoped to their source.

Defects 3 (colliding keys), 4 (SQLite committed an update before its audit entry) and 8 (the
console's typed updates always failed), on SQLite and PostgreSQL over real HTTP.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy import func, select, text

from bot.clock import FixedClock
from storage.db import make_engine, make_sessionmaker
from storage.models import AuditEntry, ProgressUpdate
from tests.cli_support import run_bot_cli
from tests.harness import BotServer, message, settings_for, task
from tests.test_updates import MEMBER, OTHER_MEMBER, action_id, add_people

TENANT = "72f988bf-86f1-41af-91ab-2d7cd011db47"


def counts(url: str) -> tuple[int, int]:
    """(progress updates, audit entries about updates)."""
    engine = make_engine(url)
    with make_sessionmaker(engine)() as session:
        stored = session.scalar(select(func.count()).select_from(ProgressUpdate))
        audited = session.scalar(
            select(func.count()).select_from(AuditEntry).where(AuditEntry.action == "update.posted")
        )
    engine.dispose()
    return int(stored or 0), int(audited or 0)


@pytest.fixture
async def server(db_url: str, tmp_path: Path, clock: FixedClock) -> AsyncIterator[BotServer]:
    add_people(db_url)
    async with BotServer(settings_for(db_url, tmp_path), clock) as running:
        yield running


def typed(text_: str, aad: str, conversation: str, activity_id: str) -> dict[str, object]:
    activity = message(text_, aad=aad, conversation_id=conversation)
    activity["id"] = activity_id
    return activity


async def test_same_activity_id_in_two_conversations(server: BotServer, db_url: str) -> None:
    """Defect 3: Teams ids are unique only within a conversation."""
    before, _ = counts(db_url)
    for aad, conversation in ((MEMBER, "a:conv-maria"), (OTHER_MEMBER, "a:conv-owen")):
        status, _ = await server.post(
            typed("update 1.10 on track: from " + aad, aad, conversation, "1700000000001")
        )
        assert status == 201
    arrivals = await server.connector.wait_for(2)
    assert all("Update saved" in str(a.body) for a in arrivals)
    assert counts(db_url)[0] == before + 2
    # The same message delivered again (a Teams retry) stores nothing new.
    await server.post(
        typed("update 1.10 on track: from " + MEMBER, MEMBER, "a:conv-maria", "1700000000001")
    )
    arrivals = await server.connector.wait_for(3)
    assert "already saved" in str(arrivals[-1].body)
    assert counts(db_url)[0] == before + 2


async def test_a_dialog_key_cannot_reserve_anothers_update(server: BotServer, db_url: str) -> None:
    """Defect 3: the dialog's client-supplied key shared the typed updates' key space."""
    aid = action_id(db_url, "1.10")
    before, _ = counts(db_url)
    # The key a typed update with activity id 1700000000002 used to get, and a key another
    # member already used for the same action.
    for aad, key in ((MEMBER, "text-1700000000002"), (OTHER_MEMBER, "text-1700000000002")):
        data = {"dialog": "update", "actionId": aid, "updateKey": key}
        data.update({"status": "On track", "text": f"dialog from {aad}"})
        status, body = await server.post(task("task/submit", data, aad=aad))
        assert status == 200 and "Update saved" in str(body), body
    status, _ = await server.post(
        typed("update 1.10 at risk: typed later", MEMBER, "a:conv-maria", "1700000000002")
    )
    arrivals = await server.connector.wait_for(1)
    assert "Update saved" in str(arrivals[-1].body)
    assert counts(db_url)[0] == before + 3


FAIL_AUDIT = {
    "sqlite": [
        "CREATE TRIGGER fail_audit BEFORE INSERT ON audit_log "
        "BEGIN SELECT RAISE(ABORT, 'forced failure'); END"
    ],
    "postgresql": [
        "CREATE FUNCTION fail_audit() RETURNS trigger AS $$ BEGIN "
        "RAISE EXCEPTION 'forced failure'; END $$ LANGUAGE plpgsql",
        "CREATE TRIGGER fail_audit BEFORE INSERT ON audit_log "
        "FOR EACH ROW EXECUTE FUNCTION fail_audit()",
    ],
}


def set_audit_failing(url: str, failing: bool) -> None:
    engine = make_engine(url)
    with engine.begin() as connection:
        if failing:
            for statement in FAIL_AUDIT[engine.dialect.name]:
                connection.execute(text(statement))
        elif engine.dialect.name == "sqlite":
            connection.execute(text("DROP TRIGGER fail_audit"))
        else:
            connection.execute(text("DROP TRIGGER fail_audit ON audit_log"))
    engine.dispose()


async def test_update_and_audit_commit_together(server: BotServer, db_url: str) -> None:
    """Defect 4: with the audit insert failing, SQLite kept the update (and stored it twice)."""
    before = counts(db_url)
    set_audit_failing(db_url, True)
    activity = typed("update 1.10 at risk: forced failure", MEMBER, "a:conv-maria", "17000003")
    await server.post(activity)
    arrivals = await server.connector.wait_for(1)
    assert "nothing was recorded" in arrivals[-1].text
    assert counts(db_url) == before  # neither the update nor its audit entry
    # The dialog path too.
    data = {"dialog": "update", "actionId": action_id(db_url, "1.10"), "updateKey": "k" * 20}
    data.update({"status": "On track", "text": "via the dialog"})
    status, body = await server.post(task("task/submit", data, aad=MEMBER))
    assert status == 200 and "nothing was recorded" in str(body)
    assert counts(db_url) == before
    set_audit_failing(db_url, False)
    # The retry stores one update with its audit entry.
    await server.post(activity)
    arrivals = await server.connector.wait_for(2)
    assert "Update saved" in str(arrivals[-1].body)
    assert counts(db_url) == (before[0] + 1, before[1] + 1)


def test_console_typed_update_is_saved(tmp_path: Path) -> None:
    """Defect 8: the console's activity id "0" failed the key pattern: "form out of date"."""
    members = tmp_path / "members.csv"
    members.write_text("email,body,role\nmaria@council.example,NCCSP-TEAM,member\n", "utf-8")
    assert run_bot_cli(["members", str(members)], tmp_path).returncode == 0
    for words in ("first progress", "second progress"):
        done = run_bot_cli(
            ["ask", f"update 1.10 on track: {words}", "--user", "maria@council.example"],
            tmp_path,
        )
        assert done.returncode == 0, done.stderr
        assert "Update saved: 1.10 is now On track" in done.stdout, done.stdout
