"""The Bot Framework adapter, with workarounds for known defects of botbuilder 4.17.1."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from botbuilder.core import InvokeResponse, TurnContext
from botbuilder.integration.aiohttp import (
    CloudAdapter,
    ConfigurationBotFrameworkAuthentication,
    ConfigurationServiceClientCredentialFactory,
)
from botbuilder.schema import Activity, ActivityTypes, ResourceResponse
from botframework.connector import Channels
from botframework.connector.auth import (
    AuthenticateRequestResult,
    AuthenticationConstants,
    ChannelValidation,
    ClaimsIdentity,
)

from bot.config import Settings
from bot.teams.outbound import CachedToken, ConnectorSession
from bot.teams.wire import to_json

log = logging.getLogger(__name__)
TURN_ERROR_TEXT = (
    "Sorry, something went wrong on my side and nothing was changed. Please try again."
)


@dataclass(frozen=True)
class _SdkConfiguration:
    """The attribute names botbuilder's configuration classes read (as in Microsoft's samples)."""

    APP_ID: str
    APP_PASSWORD: str
    APP_TYPE: str
    APP_TENANTID: str


def apply_sdk_fixes() -> None:
    """Work around msrest's retry policy cost (about 5 ms of CPU per client construction).

    ``ClientRetryPolicy.__init__`` builds its retry list by testing 999 codes against a
    500-item list; CloudAdapter builds two clients per turn. A frozenset gives the identical
    list in a fraction of the time.
    """
    from msrest.universal_http.requests import ClientRetryPolicy

    if not isinstance(ClientRetryPolicy.safe_codes, frozenset):
        before = [i for i in range(999) if i not in ClientRetryPolicy.safe_codes]
        ClientRetryPolicy.safe_codes = frozenset(ClientRetryPolicy.safe_codes)  # type: ignore[assignment]
        after = [i for i in range(999) if i not in ClientRetryPolicy.safe_codes]
        assert before == after, "msrest retry codes changed"


class PartnershipAdapter(CloudAdapter):
    """CloudAdapter whose calls to the Bot Connector go through one aiohttp session.

    Authentication of incoming requests and the turn pipeline are botbuilder's own. What
    changes is the outbound side: no msrest connector and user-token clients are built per
    turn (a conversationUpdate still gets them, for TeamsActivityHandler's roster look-ups),
    and replies, updates and proactive messages are sent by :class:`ConnectorSession`.
    """

    def __init__(
        self, auth: ConfigurationBotFrameworkAuthentication, connector: ConnectorSession
    ) -> None:
        super().__init__(auth)
        self.connector = connector

    async def process_activity(
        self,
        auth_header_or_authenticate_request_result: Any,
        activity: Activity,
        logic: Callable[[TurnContext], Awaitable],
    ) -> InvokeResponse | None:
        """Authenticate (unless done already), then run the turn without msrest clients."""
        if activity.type == ActivityTypes.conversation_update:
            return await super().process_activity(
                auth_header_or_authenticate_request_result, activity, logic
            )
        result = auth_header_or_authenticate_request_result
        if isinstance(result, str):
            result = await self.authenticate(result, activity)
        activity.caller_id = result.caller_id
        context = self._create_turn_context(
            activity,
            result.claims_identity,
            result.audience,
            None,
            None,
            logic,
            result.connector_factory,
        )
        await self.run_pipeline(context, logic)
        return self._process_turn_results(context)

    async def authenticate(self, auth_header: str, activity: Activity) -> AuthenticateRequestResult:
        """Validate the request's token for this activity (botbuilder's own validation).

        Raises:
            PermissionError: (among others) when the token is missing or not valid.
        """
        return await self.bot_framework_authentication.authenticate_request(activity, auth_header)

    async def process_proactive(
        self,
        claims_identity: ClaimsIdentity,
        continuation_activity: Activity,
        audience: str,
        logic: Callable[[TurnContext], Awaitable],
    ) -> None:
        """A proactive turn (``continue_conversation``), without building msrest clients."""
        factory = self.bot_framework_authentication.create_connector_factory(claims_identity)
        context = self._create_turn_context(
            continuation_activity, claims_identity, audience, None, None, logic, factory
        )
        await self.run_pipeline(context, logic)

    async def send_activities(
        self, context: TurnContext, activities: list[Activity]
    ) -> list[ResourceResponse]:
        """Send each activity (as a reply when it has ``reply_to_id``), as the base class does.

        Raises:
            ConnectorError: the connector answered with an error status.
        """
        responses = []
        for activity in activities:
            activity.id = None
            if activity.type == "delay":
                await asyncio.sleep(int((activity.value or 1000) / 1000))
            elif activity.type == ActivityTypes.invoke_response:
                context.turn_state[self._INVOKE_RESPONSE_KEY] = activity
            elif activity.type == ActivityTypes.trace and activity.channel_id != Channels.emulator:
                pass
            else:
                new_id = await self.connector.send(
                    activity.service_url or "",
                    activity.conversation.id if activity.conversation else "",
                    to_json(activity),
                    activity.reply_to_id,
                )
                responses.append(ResourceResponse(id=new_id or ""))
                continue
            responses.append(ResourceResponse(id=""))
        return responses

    async def update_activity(
        self, context: TurnContext, activity: Activity
    ) -> ResourceResponse | None:
        """Replace a message the bot sent (cards kept current)."""
        new_id = await self.connector.update(
            activity.service_url or "",
            activity.conversation.id if activity.conversation else "",
            activity.id or "",
            to_json(activity),
        )
        return ResourceResponse(id=new_id) if new_id else None


def _credentials(
    settings: Settings, configuration: _SdkConfiguration
) -> Callable[[], Awaitable[Any]]:
    factory = ConfigurationServiceClientCredentialFactory(configuration)

    async def create() -> Any:
        return await factory.create_credentials(
            settings.app_id,
            AuthenticationConstants.TO_CHANNEL_FROM_BOT_OAUTH_SCOPE,
            AuthenticationConstants.TO_CHANNEL_FROM_BOT_LOGIN_URL,
            True,
        )

    return create


def make_adapter(settings: Settings) -> PartnershipAdapter:
    """The adapter authenticated as the configured Azure Bot.

    JWTs are validated when an app id is set; in development mode (no app id) nothing is
    validated, which ``bot.cli`` allows on loopback only.
    """
    apply_sdk_fixes()
    if settings.openid_metadata_url:
        # Where the keys that sign Bot Connector tokens are published (tests, private clouds).
        ChannelValidation.open_id_metadata_endpoint = settings.openid_metadata_url
    configuration = _SdkConfiguration(
        APP_ID=settings.app_id,
        APP_PASSWORD=settings.app_password,
        APP_TYPE=settings.app_type,
        APP_TENANTID=settings.app_tenant_id,
    )
    token = CachedToken(_credentials(settings, configuration) if settings.app_id else None)
    adapter = PartnershipAdapter(
        ConfigurationBotFrameworkAuthentication(configuration), ConnectorSession(token)
    )

    async def on_turn_error(turn_context: TurnContext, error: Exception) -> None:
        log.error(
            "unhandled error in a turn",
            exc_info=error,
            extra={"activity_id": turn_context.activity.id},
        )
        if turn_context.activity.type == "message":
            try:
                await turn_context.send_activity(TURN_ERROR_TEXT)
            except Exception:  # the connector may be what failed; the log has the details
                log.warning("could not tell the person about the error", exc_info=True)

    adapter.on_turn_error = on_turn_error
    return adapter
