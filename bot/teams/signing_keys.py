"""Where the SDK fetches the keys that sign Bot Connector tokens, for a private issuer.

The Agents SDK's JWT validation (``JwtTokenValidator``, run by its aiohttp middleware) takes
the signing keys of a Bot Framework token from a fixed table: issuer -> key set address
(``login.botframework.com`` and the US Government twin). It has no setting for another
issuer's keys. With ``BOT_OPENID_METADATA_URL`` set (the tests' loopback issuer, private
clouds), :func:`use_openid_metadata` points that table's entry for the Bot Framework issuer at
the ``jwks_uri`` the metadata names. Every check on a token (signature, audience, expiry,
tenant binding) stays the SDK's own. Without the setting the entry is Microsoft's address.

The table lives in a private SDK module; the SDK is pinned to an exact version, and
``tests/test_security.py`` fails if the table moves.
"""

from __future__ import annotations

import json
import logging
import urllib.request
from typing import Any

from microsoft_agents.hosting.core import AuthenticationConstants
from microsoft_agents.hosting.core.authorization import _entra_issuers

log = logging.getLogger(__name__)
METADATA_TIMEOUT = 10.0
BOT_FRAMEWORK_ISSUER = AuthenticationConstants.AGENTS_SDK_TOKEN_ISSUER
MICROSOFT_KEYS = AuthenticationConstants.PUBLIC_ABS_JWKS_URL


def keys_url(metadata_url: str) -> str:
    """The ``jwks_uri`` an OpenID metadata document names.

    Raises:
        OSError: the document could not be fetched.
        ValueError: it is not JSON with a ``jwks_uri``.
    """
    with urllib.request.urlopen(metadata_url, timeout=METADATA_TIMEOUT) as answer:
        document: Any = json.load(answer)
    if not isinstance(document, dict) or not isinstance(document.get("jwks_uri"), str):
        raise ValueError(f"{metadata_url} names no jwks_uri")
    return str(document["jwks_uri"])


def use_openid_metadata(metadata_url: str) -> None:
    """Validate Bot Framework tokens with the keys ``metadata_url``'s issuer publishes.

    Raises:
        OSError: the metadata could not be fetched.
        ValueError: the metadata names no key set.
    """
    table: dict[str, str] = _entra_issuers.BOTFRAMEWORK_JWKS_URIS
    assert BOT_FRAMEWORK_ISSUER in table, "the SDK's key table changed"
    if not metadata_url:
        table[BOT_FRAMEWORK_ISSUER] = MICROSOFT_KEYS  # Microsoft's own (again)
        return
    table[BOT_FRAMEWORK_ISSUER] = keys_url(metadata_url)
    log.warning("token signing keys come from %s, not from Microsoft", table[BOT_FRAMEWORK_ISSUER])
