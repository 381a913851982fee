"""Issue 13: the edge and the reports under hostile or careless input (defects 5-7, 9, 10)."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager
from dataclasses import replace
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest
from docx import Document
from openpyxl import load_workbook
from sqlalchemy import Engine, event, select
from sqlalchemy.exc import OperationalError

from bot.clock import FixedClock
from bot.reports.export import export_report
from cards import verbs
from storage.db import make_engine, make_sessionmaker, transaction
from storage.models import Person, ProgressUpdate
from storage.plan_queries import action_by_number
from storage.updates import NewUpdate, record_update
from tests.cli_support import run_bot_cli
from tests.fakes.connector import FakeConnector
from tests.fakes.openid import FakeIssuer
from tests.harness import BotServer, execute, message, settings_for, task
from tests.test_report_links import NOW, download, links_over_http, person_with_role
from tests.test_report_links import server as report_server  # noqa: F401 (a fixture)
from tests.test_security import APP_ID
from tests.test_updates import MEMBER, add_people

CONTROL_TEXT = "Bell\x07 and start-of-heading\x01 and form feed\x0c: done"


def store_update(url: str, number: str, text: str) -> None:
    engine = make_engine(url)
    with transaction(make_sessionmaker(engine)) as session:
        action = action_by_number(session, number)
        assert action is not None
        new = NewUpdate(action.id, "On track", text, None, None, None, "Tess", f"k-{number}")
        record_update(session, new, datetime(2022, 5, 1, 9, 0).astimezone())
    engine.dispose()


@pytest.mark.parametrize("fmt", ["xlsx", "docx", "csv"])
def test_reports_survive_control_characters(db_url: str, fmt: str) -> None:
    """Defect 5: one control character in an update broke the XLSX and DOCX reports."""
    store_update(db_url, "1.18", CONTROL_TEXT)
    engine = make_engine(db_url)
    with make_sessionmaker(engine)() as session:
        made = export_report(session, fmt, date(2022, 6, 1))
    engine.dispose()
    clean = "Bell and start-of-heading and form feed: done"
    if fmt == "xlsx":
        sheet = load_workbook(io.BytesIO(made.data))["Theme 1"]
        assert clean in [c for row in sheet.iter_rows(values_only=True) for c in row]
    elif fmt == "docx":
        cells = [
            c.text for t in Document(io.BytesIO(made.data)).tables for r in t.rows for c in r.cells
        ]
        assert clean in cells
    else:
        assert clean in made.data.decode("utf-8-sig")


def test_report_command_with_nul_on_sqlite(sqlite_url: str, tmp_path: Path) -> None:
    """Defect 5: NUL (storable on SQLite) made ``python -m bot report`` exit with a traceback."""
    store_update(sqlite_url, "1.18", "before\x00after\x07")
    for fmt in ("xlsx", "docx"):
        out = tmp_path / f"plan.{fmt}"
        env_dir = tmp_path / fmt
        env_dir.mkdir()
        args = ["report", "--format", fmt, "--output", str(out)]
        done = run_bot_cli(args, env_dir, sqlite_url)
        assert done.returncode == 0 and "Traceback" not in done.stderr, done.stderr
        assert out.stat().st_size > 1000


async def test_head_never_uses_a_link(
    report_server: BotServer,  # noqa: F811
    connector: FakeConnector,
) -> None:
    """Defect 6: a link checker's HEAD used up a single-use report link."""
    person_with_role(report_server.runtime.settings, "aad-chair", "chair")
    xlsx, _, _ = await links_over_http(report_server, connector, 1)
    assert report_server.session is not None
    url = f"{report_server.url}/api/reports/{xlsx}"
    for _ in range(3):
        async with report_server.session.head(url) as response:
            assert response.status == 200
    status, _, data = await download(report_server, xlsx)
    assert status == 200 and data[:2] == b"PK"
    async with report_server.session.head(url) as response:
        assert response.status == 403  # used now
    status, _, data = await download(report_server, xlsx)
    assert status == 403 and b"already been used" in data


@contextmanager
def database_down(engine: Engine) -> Iterator[None]:
    """Every statement on ``engine`` fails as if the server had gone away."""

    def fail(*_: Any) -> None:
        raise OperationalError("SELECT 1", {}, Exception("the database server is down"))

    engine.pool.dispose()
    event.listen(engine, "before_cursor_execute", fail)
    try:
        yield
    finally:
        event.remove(engine, "before_cursor_execute", fail)


async def test_database_down_gives_503(
    report_server: BotServer,  # noqa: F811
    connector: FakeConnector,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Defect 7: ``/api/jobs/run`` and report downloads answered 500 with the database down."""
    person_with_role(report_server.runtime.settings, "aad-chair", "chair")
    xlsx, _, _ = await links_over_http(report_server, connector, 1)
    assert report_server.session is not None
    with caplog.at_level(logging.ERROR), database_down(report_server.runtime.engine):
        status, _, data = await download(report_server, xlsx)
        assert status == 503 and b"Try again" in data
    assert "database error" in caplog.text
    # The link was not used up by the failed try.
    status, _, data = await download(report_server, xlsx)
    assert status == 200


async def test_jobs_with_the_database_down(sqlite_url: str, tmp_path: Path) -> None:
    settings = settings_for(sqlite_url, tmp_path, jobs_token="t" * 32)
    async with BotServer(settings, FixedClock(NOW)) as server:
        assert server.session is not None
        headers = {"Authorization": "Bearer " + "t" * 32}
        with database_down(server.runtime.engine):
            async with server.session.post(f"{server.url}/api/jobs/run", headers=headers) as r:
                assert r.status == 503 and "nothing was sent" in (await r.json())["error"]
        async with server.session.post(f"{server.url}/api/jobs/run", headers=headers) as r:
            assert r.status == 200


@pytest.fixture
async def server(sqlite_url: str, tmp_path: Path, clock: FixedClock) -> AsyncIterator[BotServer]:
    add_people(sqlite_url)
    async with BotServer(settings_for(sqlite_url, tmp_path), clock) as running:
        yield running


async def test_bad_input_gets_a_clear_answer(server: BotServer) -> None:
    """Defect 7: deep JSON, far dates and huge ids answered 500, 501 or "something went wrong"."""
    deep = b'{"type": "message", "value": ' + b"[" * 100_000 + b"]" * 100_000 + b"}"
    status, body = await server.post(deep)
    assert status == 400 and "nested" in body["error"]
    for words in ("status as of 31 December 9999", "report as of 31 December 9999"):
        await server.post(message(words, aad=MEMBER))
    arrivals = await server.connector.wait_for(2)
    for arrival in arrivals:  # a plain answer (the range, or the plan as it reads the words)
        assert "went wrong" not in json.dumps(arrival.body)
        assert arrival.text or arrival.cards
    data = {"dialog": "update", "actionId": 10**30, "updateKey": "k" * 20}
    data.update({"status": "On track", "text": "huge id"})
    status, body = await server.post(task("task/submit", data, aad=MEMBER))
    assert status == 200 and "no longer exists" in json.dumps(body)
    scope = {"scope": {"asof": "9999-12-31"}}
    status, body = await server.post(execute(verbs.REFRESH_STATUS, scope, aad=MEMBER))
    assert status == 200 and "between 1990 and 2199" in json.dumps(body)


async def test_activities_without_conversation_or_service_url(server: BotServer) -> None:
    """Defect 10: such activities were acted on (an update saved, no reply possible)."""
    for missing in ("conversation", "serviceUrl"):
        activity = message("update 1.10 on track: nobody will hear of this", aad=MEMBER)
        activity.pop(missing)
        status, body = await server.post(activity)
        assert status == 400 and ("conversation" in body["error"] or "serviceUrl" in body["error"])
    engine = make_engine(server.runtime.settings.database_url)
    with make_sessionmaker(engine)() as session:
        texts = session.scalars(select(ProgressUpdate.text)).all()
    engine.dispose()
    assert not any("nobody will hear" in t for t in texts)


async def test_authentication_comes_before_the_tenant_check(
    sqlite_url: str,
    tmp_path: Path,
    clock: FixedClock,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Defect 10: 403 vs 401 told a prober which tenants are served; each probe logged."""
    issuer = await FakeIssuer().start()
    try:
        settings = replace(
            settings_for(sqlite_url, tmp_path),
            app_id=APP_ID,
            app_password="not-used-in-this-test",
            openid_metadata_url=issuer.metadata_url,
            allowed_tenant_ids=("tenant-a",),
        )
        async with BotServer(settings, clock) as server:
            served = message("help", service_url=server.connector.url)
            served["channelData"]["tenant"]["id"] = "tenant-a"
            foreign = message("help", service_url=server.connector.url)
            with caplog.at_level(logging.INFO):
                for activity in (served, foreign):
                    status, _ = await server.post(activity)
                    assert status == 401
            assert "tenant" not in caplog.text
            good = issuer.mint(APP_ID, server.connector.url)
            auth = {"Authorization": f"Bearer {good}"}
            assert (await server.post(foreign, headers=auth))[0] == 403
            assert (await server.post(served, headers=auth))[0] == 201
    finally:
        await issuer.stop()


def test_unsupported_database_url_says_so(tmp_path: Path) -> None:
    done = run_bot_cli(["migrate"], tmp_path, "mysql://root@127.0.0.1/bot")
    assert done.returncode == 3 and "Traceback" not in done.stderr
    assert "DATABASE_URL uses 'mysql'" in done.stderr


async def test_long_names_and_nul_text(db_url: str, tmp_path: Path, clock: FixedClock) -> None:
    """Defect 9: a 257+ character name locked the person out on PostgreSQL; NUL gave "try again"."""
    add_people(db_url)
    async with BotServer(settings_for(db_url, tmp_path), clock) as server:
        long_name = "Dr " + "Anne-Marie " * 40
        for words in ("update 1.10 on track: with a NUL\x00 inside", "my actions"):
            await server.post(message(words, aad=MEMBER, name=long_name))
        arrivals = await server.connector.wait_for(2)
        assert "Update saved" in json.dumps(arrivals[0].body)
        assert "couldn't reach" not in json.dumps([a.body for a in arrivals])
        engine = make_engine(db_url)
        with make_sessionmaker(engine)() as session:
            name = session.scalar(select(Person.name).where(Person.aad_object_id == MEMBER))
            texts = session.scalars(select(ProgressUpdate.text)).all()
            authors = session.scalars(select(ProgressUpdate.author_name)).all()
        engine.dispose()
        assert name is not None and len(name) == 256 and name == long_name[:256]
        assert "with a NUL inside" in texts and max(len(a) for a in authors) == 256
