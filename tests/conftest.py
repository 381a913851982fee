"""Shared fixtures: real SQLite and PostgreSQL databases, the bot over HTTP, a fake connector."""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, text

from bot.clock import FixedClock
from storage import migrate
from storage.db import make_engine, make_sessionmaker
from storage.seed_data import ensure_default_data
from tests.fakes.connector import FakeConnector

PG_BASE = os.environ.get("TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
REQUIRE_POSTGRES = os.environ.get("REQUIRE_POSTGRES") == "1"
SEED_TIME = datetime(2022, 2, 24, 9, 0, tzinfo=UTC)

_pg_state: dict[str, str] = {}


def postgres_reachable() -> bool:
    """Whether the PostgreSQL test server answers (checked once)."""
    if "ok" not in _pg_state:
        try:
            engine = create_engine(PG_BASE, connect_args={"connect_timeout": 3})
            with engine.connect() as conn:
                conn.execute(text("SELECT 1"))
            engine.dispose()
            _pg_state["ok"] = "yes"
        except Exception as exc:  # any failure means "not reachable"; say why in the summary
            _pg_state["ok"] = ""
            _pg_state["why"] = str(exc).splitlines()[0]
    return bool(_pg_state["ok"])


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """Say clearly whether the storage tests ran against PostgreSQL."""
    if "ok" not in _pg_state:
        return
    if _pg_state["ok"]:
        terminalreporter.write_line(f"PostgreSQL: storage tests ran against {PG_BASE}", green=True)
    else:
        terminalreporter.write_line(
            f"PostgreSQL NOT reachable at {PG_BASE} ({_pg_state.get('why')}): "
            "the PostgreSQL variants of the storage tests were SKIPPED",
            red=True,
        )


def _seed(url: str) -> None:
    engine = make_engine(url)
    migrate.upgrade(engine)
    ensure_default_data(make_sessionmaker(engine), SEED_TIME)
    engine.dispose()


@pytest.fixture(scope="session")
def seeded_sqlite_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated SQLite file with the default data, copied by each test that needs one."""
    path = tmp_path_factory.mktemp("template") / "seeded.sqlite3"
    _seed(f"sqlite:///{path}")
    return path


@pytest.fixture
def sqlite_url(tmp_path: Path, seeded_sqlite_file: Path) -> str:
    """A fresh seeded SQLite database for one test."""
    path = tmp_path / "bot.sqlite3"
    shutil.copyfile(seeded_sqlite_file, path)
    return f"sqlite:///{path}"


@pytest.fixture
def postgres_url() -> Iterator[str]:
    """A fresh seeded PostgreSQL schema for one test (dropped afterwards)."""
    if not postgres_reachable():
        if REQUIRE_POSTGRES:
            pytest.fail(f"PostgreSQL is required (REQUIRE_POSTGRES=1) but {_pg_state.get('why')}")
        pytest.skip(f"PostgreSQL not reachable at {PG_BASE}")
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(PG_BASE)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    url = f"{PG_BASE}?options=-csearch_path%3D{schema}"
    try:
        _seed(url)
        yield url
    finally:
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture(params=["sqlite", "postgres"])
def db_url(request: pytest.FixtureRequest) -> str:
    """Each storage test runs on SQLite and on PostgreSQL."""
    name = "sqlite_url" if request.param == "sqlite" else "postgres_url"
    return str(request.getfixturevalue(name))


@pytest.fixture
def engine(db_url: str) -> Iterator[Engine]:
    """An engine on the parametrised, seeded database."""
    engine = make_engine(db_url)
    yield engine
    engine.dispose()


@pytest.fixture
def clock() -> FixedClock:
    """A clock stopped at noon on 1 June 2022 (London)."""
    return FixedClock(datetime(2022, 6, 1, 11, 0, tzinfo=UTC))


@pytest.fixture
async def connector() -> AsyncIterator[FakeConnector]:
    """A fake Bot Connector on loopback; every card it receives must be valid."""
    fake = await FakeConnector().start()
    yield fake
    await fake.stop()
    assert not fake.card_errors, "invalid cards were sent:\n" + "\n".join(fake.card_errors)
