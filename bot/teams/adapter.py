"""The Agents SDK's CloudAdapter for this bot: kept connector clients and a polite turn error."""

from __future__ import annotations

import logging

from microsoft_agents.activity import Activity, DeliveryModes, ResourceResponse
from microsoft_agents.hosting.aiohttp import CloudAdapter
from microsoft_agents.hosting.core import AgentAuthConfiguration, TurnContext
from microsoft_agents.hosting.core.connector import ConnectorClientBase

from bot.config import Settings
from bot.teams.connection import auth_configuration, connection_manager
from bot.teams.connector import KeptClientFactory, KeptConnectorClient
from bot.teams.outgoing import post_activity, takes_lean_path
from bot.teams.signing_keys import use_openid_metadata
from bot.teams.telemetry import quiet_sdk_logs, quiet_telemetry, tracing_off

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
        lean_sends: whether replies may take the lean path while tracing is off (tests turn
            it off to compare with the SDK's path).
    """

    def __init__(self, clients: KeptClientFactory, auth: AgentAuthConfiguration, app_id: str):
        super().__init__(channel_service_client_factory=clients)
        self.clients = clients
        self.auth = auth
        self.app_id = app_id
        self.lean_sends = True

    async def send_activities(  # type: ignore[override]
        self, context: TurnContext, activities: list[Activity]
    ) -> list[ResourceResponse]:
        """Send ``activities``; replies and messages on the lean path when tracing is off.

        The lean path (:mod:`bot.teams.outgoing`) posts what the SDK's ``send_activities``
        would, to the same URL on the same kept client, without its two spans per send and
        its slow dump of card content. Anything else (invoke responses, traces, buffered
        ``expectReplies`` turns, another connector client, tracing on) is the SDK's.
        """
        connector = context.services.get(ConnectorClientBase)  # type: ignore[type-abstract]
        if (
            not self.lean_sends
            or not activities
            or not isinstance(connector, KeptConnectorClient)
            or context.activity.delivery_mode == DeliveryModes.expect_replies
            or not all(takes_lean_path(activity) for activity in activities)
            or not tracing_off()
        ):
            return await super().send_activities(context, activities)
        responses = []
        for activity in activities:
            activity.id = None  # as the SDK does: the connector assigns the id
            responses.append(await post_activity(connector, activity))
        return responses

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
