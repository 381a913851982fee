"""Authentication, tenant boundary, faults and bad input, over real HTTP."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import AsyncIterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select, text

from bot.cli import main as cli_main
from bot.clock import FixedClock
from bot.config import Settings
from storage.db import make_engine, make_sessionmaker
from storage.models import ProgressUpdate
from tests.fakes.connector import FakeConnector
from tests.fakes.openid import FakeIssuer
from tests.harness import BotServer, message, settings_for

APP_ID = "11111111-2222-3333-4444-555555555555"
ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
async def issuer() -> AsyncIterator[FakeIssuer]:
    fake = await FakeIssuer().start()
    yield fake
    await fake.stop()


async def test_with_an_app_id_only_valid_tokens_get_in(
    sqlite_url: str, tmp_path: Path, clock: FixedClock, issuer: FakeIssuer
) -> None:
    settings = replace(
        settings_for(sqlite_url, tmp_path),
        app_id=APP_ID,
        app_password="not-used-in-this-test",
        openid_metadata_url=issuer.metadata_url,
    )
    async with BotServer(settings, clock) as server:
        activity = message("help", service_url=server.connector.url)
        good = issuer.mint(APP_ID, server.connector.url)
        assert (await server.post(activity))[0] == 401
        assert (await server.post(activity, headers={"Authorization": "Bearer junk"}))[0] == 401
        forged = issuer.mint(APP_ID, server.connector.url, forged=True)
        assert (await server.post(activity, headers={"Authorization": f"Bearer {forged}"}))[
            0
        ] == 401
        other_bot = issuer.mint("99999999-2222-3333-4444-555555555555", server.connector.url)
        assert (await server.post(activity, headers={"Authorization": f"Bearer {other_bot}"}))[
            0
        ] == 401
        expired = issuer.mint(APP_ID, server.connector.url, exp=1, nbf=0)
        assert (await server.post(activity, headers={"Authorization": f"Bearer {expired}"}))[
            0
        ] == 401
        status, _ = await server.post(activity, headers={"Authorization": f"Bearer {good}"})
        assert status == 201


def test_refuses_to_serve_unauthenticated_beyond_loopback(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.delenv("MicrosoftAppId", raising=False)
    monkeypatch.setenv("DATA_DIR", str(tmp_path))
    assert cli_main(["serve", "--host", "0.0.0.0", "--port", "0"]) == 2
    assert "refusing to listen on 0.0.0.0 without MicrosoftAppId" in capsys.readouterr().err


async def test_other_tenants_are_refused(
    sqlite_url: str, tmp_path: Path, clock: FixedClock, caplog: pytest.LogCaptureFixture
) -> None:
    settings = replace(settings_for(sqlite_url, tmp_path), allowed_tenant_ids=("tenant-a",))
    async with BotServer(settings, clock) as server:
        activity = message("help")
        status, body = await server.post(activity)
        assert status == 403 and "does not serve" in body["error"]
        assert "refused an activity from a tenant" in caplog.text
        activity["channelData"]["tenant"]["id"] = "TENANT-A"
        assert (await server.post(activity))[0] == 201
        await server.connector.wait_for(1)
        assert len(server.connector.sent()) == 1


def test_unreachable_database_at_start_says_so(tmp_path: Path) -> None:
    env = {
        **os.environ,
        "DATABASE_URL": "postgresql://postgres@127.0.0.1:1/none",
        "DATA_DIR": str(tmp_path),
    }
    done = subprocess.run(
        [sys.executable, "-m", "bot", "migrate"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 3
    assert "cannot use the database" in done.stderr and "Traceback" not in done.stderr


async def test_readyz_reports_a_lost_database(
    sqlite_url: str, tmp_path: Path, clock: FixedClock
) -> None:
    async with BotServer(settings_for(sqlite_url, tmp_path), clock) as server:
        assert (await server.get("/readyz"))[0] == 200
        good = server.runtime.engine
        server.runtime.engine = make_engine("postgresql://postgres@127.0.0.1:1/none")
        try:
            status, body = await server.get("/readyz")
            assert status == 503 and body["status"] == "not ready"
            assert (await server.get("/healthz"))[0] == 200
        finally:
            server.runtime.engine.dispose()
            server.runtime.engine = good


async def test_database_error_mid_turn_asks_to_try_again(
    sqlite_url: str, tmp_path: Path, clock: FixedClock, caplog: pytest.LogCaptureFixture
) -> None:
    async with BotServer(settings_for(sqlite_url, tmp_path), clock) as server:
        engine = make_engine(sqlite_url)
        with engine.begin() as conn:
            conn.execute(text("DROP TABLE action_owner"))
        engine.dispose()
        assert (await server.post(message("overdue OPCCN")))[0] == 201
        (arrival,) = await server.connector.wait_for(1)
        assert "try again" in arrival.text and "Traceback" not in arrival.text
        assert "database error" in caplog.text


async def test_connector_failure_never_loses_a_stored_update(
    sqlite_url: str, tmp_path: Path, clock: FixedClock, connector: FakeConnector
) -> None:
    from tests.test_updates import MEMBER, add_people, updates_of

    add_people(sqlite_url)
    async with BotServer(settings_for(sqlite_url, tmp_path), clock) as server:
        connector.fail_next(503, times=20)
        typed = message(
            "update 1.10 at risk: Chair on leave", aad=MEMBER, service_url=connector.url
        )
        assert (await server.post(typed))[0] == 201
    assert updates_of(sqlite_url, "1.10") == [("At risk", "Chair on leave", "Alex Wilber")]
    engine = make_engine(sqlite_url)
    with make_sessionmaker(engine)() as session:
        assert session.scalar(select(func.count()).select_from(ProgressUpdate)) == 7
    engine.dispose()


async def test_a_private_issuer_changes_only_where_the_sdk_fetches_keys(
    issuer: FakeIssuer,
) -> None:
    from microsoft_agents.hosting.core.authorization import _entra_issuers

    from bot.teams.signing_keys import BOT_FRAMEWORK_ISSUER, MICROSOFT_KEYS, use_openid_metadata

    table = _entra_issuers.BOTFRAMEWORK_JWKS_URIS
    try:
        use_openid_metadata(issuer.metadata_url)
        assert table[BOT_FRAMEWORK_ISSUER] == f"{issuer.base}/v1/keys"
    finally:
        use_openid_metadata("")
    assert table[BOT_FRAMEWORK_ISSUER] == MICROSOFT_KEYS


def authenticated(url: str, tmp_path: Path, issuer: FakeIssuer, **overrides: Any) -> Settings:
    """Settings with an app id, checking tokens against the fake issuer's keys."""
    return settings_for(
        url,
        tmp_path,
        app_id=APP_ID,
        app_password="not-used-in-this-test",
        openid_metadata_url=issuer.metadata_url,
        **overrides,
    )


async def test_a_token_for_another_connector_cannot_redirect_the_replies(
    sqlite_url: str, tmp_path: Path, clock: FixedClock, issuer: FakeIssuer
) -> None:
    async with BotServer(authenticated(sqlite_url, tmp_path, issuer), clock) as server:
        token = issuer.mint(APP_ID, "https://smba.trafficmanager.net/emea/")
        activity = message("help", service_url=server.connector.url)
        status, _ = await server.post(activity, headers={"Authorization": f"Bearer {token}"})
        assert status == 401
        assert server.connector.sent() == []


async def test_authentication_comes_before_the_tenant_check(
    sqlite_url: str, tmp_path: Path, clock: FixedClock, issuer: FakeIssuer
) -> None:
    settings = authenticated(sqlite_url, tmp_path, issuer, allowed_tenant_ids=("tenant-a",))
    async with BotServer(settings, clock) as server:
        activity = message("help", service_url=server.connector.url)
        status, body = await server.post(activity)  # no token, tenant not allowed
        assert status == 401 and "does not serve" not in str(body)
        good = issuer.mint(APP_ID, server.connector.url)
        status, body = await server.post(activity, headers={"Authorization": f"Bearer {good}"})
        assert status == 403 and "does not serve" in body["error"]


async def test_activities_without_conversation_or_service_url_are_refused(
    sqlite_url: str, tmp_path: Path, clock: FixedClock
) -> None:
    async with BotServer(settings_for(sqlite_url, tmp_path), clock) as server:
        no_conversation = message("help")
        del no_conversation["conversation"]
        assert (await server.post(no_conversation))[0] == 400
        no_service_url = message("help")
        del no_service_url["serviceUrl"]
        assert (await server.post(no_service_url))[0] == 400
