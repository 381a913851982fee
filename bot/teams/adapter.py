"""The Bot Framework adapter, with workarounds for known defects of botbuilder 4.17.1."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from botbuilder.core import TurnContext
from botbuilder.integration.aiohttp import (
    CloudAdapter,
    ConfigurationBotFrameworkAuthentication,
)
from botframework.connector.auth import ChannelValidation

from bot.config import Settings

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


def make_adapter(settings: Settings) -> CloudAdapter:
    """A CloudAdapter authenticated as the configured Azure Bot.

    JWTs are validated when an app id is set; in development mode (no app id) nothing is
    validated, which ``bot.cli`` allows on loopback only.
    """
    apply_sdk_fixes()
    if settings.openid_metadata_url:
        # Where the keys that sign Bot Connector tokens are published (tests, private clouds).
        ChannelValidation.open_id_metadata_endpoint = settings.openid_metadata_url
    auth = ConfigurationBotFrameworkAuthentication(
        _SdkConfiguration(
            APP_ID=settings.app_id,
            APP_PASSWORD=settings.app_password,
            APP_TYPE=settings.app_type,
            APP_TENANTID=settings.app_tenant_id,
        )
    )
    adapter = CloudAdapter(auth)

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
