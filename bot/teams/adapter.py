"""The Agents SDK's CloudAdapter for this bot: kept connector clients and a polite turn error."""

from __future__ import annotations

import logging

from microsoft_agents.hosting.aiohttp import CloudAdapter
from microsoft_agents.hosting.core import AgentAuthConfiguration, TurnContext

from bot.config import Settings
from bot.teams.connection import auth_configuration, connection_manager
from bot.teams.connector import KeptClientFactory
from bot.teams.signing_keys import use_openid_metadata
from bot.teams.telemetry import quiet_sdk_logs, quiet_telemetry

log = logging.getLogger(__name__)
TURN_ERROR_TEXT = (
    "Sorry, something went wrong on my side and nothing was changed. Please try again."
)


class PartnershipAdapter(CloudAdapter):
    """The SDK's aiohttp ``CloudAdapter`` with the factory that keeps connector clients.

    Attributes:
        clients: the factory (closed at shutdown by :meth:`close`).
        auth: what incoming tokens are checked against (the JWT middleware reads it).
        app_id: the bot's app id ("" in development mode), for proactive sends.
    """

    def __init__(self, clients: KeptClientFactory, auth: AgentAuthConfiguration, app_id: str):
        super().__init__(channel_service_client_factory=clients)
        self.clients = clients
        self.auth = auth
        self.app_id = app_id

    async def close(self) -> None:
        """Close the connector clients and their connections."""
        await self.clients.close()


async def _on_turn_error(turn_context: TurnContext, error: Exception) -> None:
    log.error(
        "unhandled error in a turn", exc_info=error, extra={"activity_id": turn_context.activity.id}
    )
    if turn_context.activity.type == "message":
        try:
            await turn_context.send_activity(TURN_ERROR_TEXT)
        except Exception:  # the connector may be what failed; the log has the details
            log.warning("could not tell the person about the error", exc_info=True)


def make_adapter(settings: Settings) -> PartnershipAdapter:
    """The adapter authenticated as the configured Azure Bot.

    Incoming tokens are checked when an app id is set; in development mode (no app id) the
    connection allows anonymous requests, which ``bot.cli`` permits on loopback only.
    """
    quiet_telemetry()
    quiet_sdk_logs()
    use_openid_metadata(settings.openid_metadata_url)
    manager = connection_manager(settings)
    clients = KeptClientFactory(manager if settings.app_id else None)
    adapter = PartnershipAdapter(clients, auth_configuration(manager), settings.app_id)
    adapter.on_turn_error = _on_turn_error
    return adapter
