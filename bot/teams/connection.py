"""The Agents SDK's configuration for this bot: its service connection and token checks.

The SDK reads its settings as ``CONNECTIONS__SERVICE_CONNECTION__SETTINGS__*`` variables;
``bot.config`` collects those and maps the Bot Framework names (``MicrosoftAppId`` and the
rest) onto them, so that existing deployments need no change.
"""

from __future__ import annotations

from typing import Any

from microsoft_agents.activity import load_configuration_from_env
from microsoft_agents.authentication.msal import MsalConnectionManager
from microsoft_agents.hosting.core import AgentAuthConfiguration

from bot.config import SDK_PREFIX, Settings

# A multi-tenant Bot Framework registration gets its tokens from this tenant (as before the move).
MULTI_TENANT_AUTHORITY_TENANT = "botframework.com"


def connection_environment(settings: Settings) -> dict[str, str]:
    """The SDK's ``CONNECTIONS__...`` variables for ``settings`` (empty ones left out).

    Without an app id (development mode) the connection allows anonymous requests, which
    ``bot.cli`` permits on loopback only.
    """
    env = dict(settings.connection)
    for name, value in (
        ("CLIENTID", settings.app_id),
        ("CLIENTSECRET", settings.app_password),
        ("TENANTID", settings.app_tenant_id),
    ):
        if value:
            env[SDK_PREFIX + name] = value
    if not settings.app_id:
        env.pop(SDK_PREFIX + "CLIENTID", None)
        env[SDK_PREFIX + "ANONYMOUS_ALLOWED"] = "true"
        return env
    env.setdefault(SDK_PREFIX + "AUTHTYPE", "ClientSecret")
    if settings.app_type.lower() == "multitenant":
        env.setdefault(SDK_PREFIX + "TENANTID", MULTI_TENANT_AUTHORITY_TENANT)
    return env


def sdk_configuration(settings: Settings) -> dict[str, Any]:
    """The nested configuration ``MsalConnectionManager`` takes (as its quickstart builds it)."""
    return load_configuration_from_env(connection_environment(settings))


def connection_manager(settings: Settings) -> MsalConnectionManager:
    """The SDK's connection manager: tokens for calls to the Bot Connector."""
    return MsalConnectionManager(**sdk_configuration(settings))


def auth_configuration(manager: MsalConnectionManager) -> AgentAuthConfiguration:
    """What the SDK's JWT middleware checks incoming tokens against."""
    return manager.get_default_connection_configuration()
