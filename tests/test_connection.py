"""The Agents SDK's configuration: its own setting names, the Bot Framework ones mapped."""

from __future__ import annotations

import logging
from dataclasses import replace
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from microsoft_agents.activity import Activity, ConversationAccount
from microsoft_agents.hosting.core import ClaimsIdentity

from bot.config import ConfigError, Settings
from bot.teams import telemetry
from bot.teams.connection import auth_configuration, connection_manager, sdk_configuration
from bot.teams.connector import CachedToken, KeptClientFactory

APP = "5f1c2a9e-0b7d-4c1e-9a43-2e6f8d0c7b11"
TENANT = "0b8f2f6e-1d1c-4f7e-9f1e-3c2d1a0b9e88"
SDK = "CONNECTIONS__SERVICE_CONNECTION__SETTINGS__"


def settings(env: dict[str, str], tmp_path: Path) -> Settings:
    return Settings.from_env({"DATA_DIR": str(tmp_path), **env})


def service_connection(s: Settings) -> dict[str, str]:
    config = sdk_configuration(s)
    return dict(config["CONNECTIONS"]["SERVICE_CONNECTION"]["SETTINGS"])


def test_bot_framework_names_are_mapped(tmp_path: Path) -> None:
    s = settings(
        {
            "MicrosoftAppId": APP,
            "MicrosoftAppPassword": "secret",
            "MicrosoftAppType": "SingleTenant",
            "MicrosoftAppTenantId": TENANT,
        },
        tmp_path,
    )
    assert s.app_id == APP and s.app_password == "secret" and s.app_tenant_id == TENANT
    assert service_connection(s) == {
        "CLIENTID": APP,
        "CLIENTSECRET": "secret",
        "TENANTID": TENANT,
        "AUTHTYPE": "ClientSecret",
    }
    auth = auth_configuration(connection_manager(s))
    assert auth.CLIENT_ID == APP and auth.TENANT_ID == TENANT and not auth.ANONYMOUS_ALLOWED


def test_a_multi_tenant_registration_gets_tokens_from_the_bot_framework_tenant(
    tmp_path: Path,
) -> None:
    s = settings({"MicrosoftAppId": APP, "MicrosoftAppPassword": "secret"}, tmp_path)
    assert service_connection(s)["TENANTID"] == "botframework.com"


def test_the_sdks_own_names_work_and_win(tmp_path: Path) -> None:
    s = settings(
        {
            f"{SDK}CLIENTID": APP,
            f"{SDK}CLIENTSECRET": "sdk-secret",
            f"{SDK}TENANTID": TENANT,
            "MicrosoftAppPassword": "old-secret",
        },
        tmp_path,
    )
    assert s.app_id == APP and s.app_password == "sdk-secret"
    assert service_connection(s)["CLIENTSECRET"] == "sdk-secret"
    assert not s.is_development


def test_certificate_and_managed_identity_settings_reach_the_sdk(tmp_path: Path) -> None:
    pfx = tmp_path / "bot.pfx"
    s = settings(
        {
            f"{SDK}CLIENTID": APP,
            f"{SDK}TENANTID": TENANT,
            f"{SDK}AUTHTYPE": "certificate",
            f"{SDK}CERTPFXFILE": str(pfx),
            f"{SDK}SENDX5C": "true",
        },
        tmp_path,
    )
    auth = auth_configuration(connection_manager(s))
    assert auth.AUTH_TYPE == "certificate" and str(pfx) == auth.CERT_PFX_FILE and auth.SEND_X5C
    msi = settings({"MicrosoftAppId": APP, "MicrosoftAppType": "UserAssignedMSI"}, tmp_path)
    assert service_connection(msi)["AUTHTYPE"] == "UserManagedIdentity"


def test_a_wrong_app_type_is_named(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="MicrosoftAppType"):
        settings({"MicrosoftAppId": APP, "MicrosoftAppType": "Multi"}, tmp_path)


def test_development_mode_allows_anonymous_requests_only_without_an_app_id(
    tmp_path: Path,
) -> None:
    dev = settings({}, tmp_path)
    assert dev.is_development
    assert auth_configuration(connection_manager(dev)).ANONYMOUS_ALLOWED
    real = replace(dev, app_id=APP, app_password="x")  # as the tests' servers are configured
    assert not auth_configuration(connection_manager(real)).ANONYMOUS_ALLOWED


def test_telemetry_is_left_alone_when_an_exporter_is_configured() -> None:
    assert telemetry.exporter_configured({"OTEL_EXPORTER_OTLP_ENDPOINT": "http://collector:4318"})
    assert not telemetry.exporter_configured({"OTEL_TRACES_EXPORTER": "none"})
    assert not telemetry.quiet_telemetry({"APPLICATIONINSIGHTS_CONNECTION_STRING": "x"})


def test_sdk_info_lines_are_quiet_unless_the_bot_logs_at_debug() -> None:
    sdk, root = logging.getLogger(telemetry.SDK_LOGGER), logging.getLogger()
    saved = sdk.level, root.level
    try:
        sdk.setLevel(logging.NOTSET)
        root.setLevel(logging.DEBUG)
        assert not telemetry.quiet_sdk_logs()
        assert sdk.getEffectiveLevel() == logging.DEBUG
        root.setLevel(logging.INFO)
        assert telemetry.quiet_sdk_logs()
        reply_log = logging.getLogger("microsoft_agents.hosting.core.connector.client")
        assert not reply_log.isEnabledFor(logging.INFO)
        assert reply_log.isEnabledFor(logging.WARNING)
        sdk.setLevel(logging.INFO)  # a deployment's explicit choice is kept
        assert not telemetry.quiet_sdk_logs()
        assert sdk.level == logging.INFO
    finally:
        sdk.setLevel(saved[0])
        root.setLevel(saved[1])


async def test_one_client_per_service_url_kept_across_turns() -> None:
    factory = KeptClientFactory(None)
    anonymous = ClaimsIdentity()
    try:
        first = await factory.create_connector_client(
            None, anonymous, "http://127.0.0.1:9/a", "aud", use_anonymous=True
        )
        await first.close()  # what the adapter does after each turn: a no-op here
        again = await factory.create_connector_client(
            None, anonymous, "http://127.0.0.1:9/a/", "aud", use_anonymous=True
        )
        other = await factory.create_connector_client(
            None, anonymous, "http://127.0.0.1:9/b", "aud", use_anonymous=True
        )
        assert again is first and other is not first
        assert not first.client.closed
        assert first.client.connector is other.client.connector  # one connection pool
    finally:
        await factory.close()
    assert first.client.closed


async def test_a_token_is_fetched_once_until_it_expires(monkeypatch: pytest.MonkeyPatch) -> None:
    fetched: list[int] = []

    async def source() -> str:
        fetched.append(1)
        return f"token-{len(fetched)}"

    token = CachedToken(source)
    assert [await token(), await token()] == ["token-1", "token-1"]
    monkeypatch.setattr("bot.teams.connector.TOKEN_SECONDS", -1.0)
    token = CachedToken(source)
    assert [await token(), await token()] == ["token-2", "token-3"]


async def test_a_refused_connection_is_tried_three_times(monkeypatch: pytest.MonkeyPatch) -> None:
    import socket

    from bot.teams import connector

    pauses: list[float] = []

    async def no_sleep(seconds: float) -> None:
        pauses.append(seconds)

    monkeypatch.setattr(connector.asyncio, "sleep", no_sleep)
    with socket.socket() as sock:  # a port that refuses: bound, never listening
        sock.bind(("127.0.0.1", 0))
        url = f"http://127.0.0.1:{sock.getsockname()[1]}/"
        factory = KeptClientFactory(None)
        try:
            client = await factory.create_connector_client(
                None, ClaimsIdentity(), url, "aud", use_anonymous=True
            )
            with pytest.raises(aiohttp.ClientConnectorError):
                await client.conversations.get_conversation_members("a:1")
        finally:
            await factory.close()
    assert len(pauses) == connector.CONNECT_ATTEMPTS - 1
    assert all(0.2 <= p <= connector.BACKOFF_MAX for p in pauses)


async def test_an_error_answer_is_not_retried(connector: Any) -> None:
    fake = connector
    fake.fail_next(503)
    factory = KeptClientFactory(None)
    try:
        client = await factory.create_connector_client(
            None, ClaimsIdentity(), fake.url, "aud", use_anonymous=True
        )
        activity = Activity(type="message", text="hi", conversation=ConversationAccount(id="a:1"))
        with pytest.raises(aiohttp.ClientResponseError) as failed:
            await client.conversations.send_to_conversation("a:1", activity)
        assert failed.value.status == 503
    finally:
        await factory.close()
    assert fake.sent() == []
