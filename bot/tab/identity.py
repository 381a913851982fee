"""Teams tab single sign-on: check the Microsoft Entra ID token from TeamsJS ``getAuthToken``.

Teams gives the tab an access token for the app's own API (Application ID URI
``api://<domain>/<MicrosoftAppId>``, scope ``access_as_user``). It is checked here as
Microsoft documents for such tokens: RS256, signed by a key from the issuer's OpenID
metadata (``jwks_uri``), our audience, an Entra issuer for the token's own tenant, not
expired, the ``access_as_user`` scope, and a tenant this bot serves. Its ``oid`` is the same
object id Teams puts in a chat activity's ``from.aadObjectId``, so the tab's person is the
chat's person (``bot.dispatch.identify`` finds them the same way).

The keys are fetched with blocking I/O: call :meth:`EntraTokenValidator.validate` on a worker
thread.
"""

from __future__ import annotations

import json
import threading
import urllib.request
from collections.abc import Iterable
from typing import Any

import jwt

from bot.tab.session import TabUser

ENTRA_METADATA_URL = (
    "https://login.microsoftonline.com/common/v2.0/.well-known/openid-configuration"
)
SCOPE = "access_as_user"
LEEWAY_SECONDS = 60
FETCH_TIMEOUT = 10.0
ISSUERS = ("https://login.microsoftonline.com/{tid}/v2.0", "https://sts.windows.net/{tid}/")


class TokenRejected(Exception):
    """The token must not sign anyone in; the message says why (for the log, not the page)."""


class KeysUnavailable(Exception):
    """The signing keys could not be fetched: our problem, not the person's."""


def audiences(app_id: str, public_base_url: str = "") -> tuple[str, ...]:
    """The audiences a tab token for this bot may carry: the app id and its Application ID URI.

    The URI is ``api://<host>/<app id>``, the host being ``BOT_DOMAIN`` in the manifest; any
    ``api://.../<app id>`` is accepted (:func:`audience_ok`), since Entra ID issues tokens for
    an app's URIs only to that app's own API. ``public_base_url``'s form is listed explicitly.
    """
    if not app_id:
        return ()
    found = [app_id]
    host = public_base_url.split("://", 1)[-1].split("/", 1)[0]
    if host:
        found.append(f"api://{host}/{app_id}")
    return tuple(found)


def audience_ok(audience: object, allowed: tuple[str, ...]) -> bool:
    """True for one of ``allowed``, or another Application ID URI of the same app."""
    if not isinstance(audience, str) or not allowed:
        return False
    app_id = allowed[0]
    return audience in allowed or (
        audience.startswith("api://") and audience.endswith(f"/{app_id}") and " " not in audience
    )


class EntraTokenValidator:
    """Validates tab SSO tokens; keys are fetched once and again for an unknown key id."""

    def __init__(
        self,
        audiences: Iterable[str],
        tenants: Iterable[str] = (),
        metadata_url: str = ENTRA_METADATA_URL,
    ) -> None:
        self.audiences = tuple(audiences)
        self.tenants = tuple(t.lower() for t in tenants)
        self.metadata_url = metadata_url
        self._keys: jwt.PyJWKClient | None = None
        self._lock = threading.Lock()

    def _key_client(self) -> jwt.PyJWKClient:
        with self._lock:
            if self._keys is None:
                try:
                    with urllib.request.urlopen(self.metadata_url, timeout=FETCH_TIMEOUT) as got:
                        document: Any = json.load(got)
                except (OSError, ValueError) as exc:
                    raise KeysUnavailable(f"OpenID metadata: {exc}") from exc
                uri = document.get("jwks_uri") if isinstance(document, dict) else None
                if not isinstance(uri, str):
                    raise KeysUnavailable(f"{self.metadata_url} names no jwks_uri")
                self._keys = jwt.PyJWKClient(uri, cache_keys=True, timeout=int(FETCH_TIMEOUT))
            return self._keys

    def _signing_key(self, token: str) -> Any:
        try:
            return self._key_client().get_signing_key_from_jwt(token).key
        except jwt.PyJWKClientConnectionError as exc:
            raise KeysUnavailable(str(exc)) from exc
        except (jwt.PyJWKClientError, jwt.DecodeError) as exc:
            raise TokenRejected(f"no signing key for the token: {exc}") from exc

    def validate(self, token: str) -> TabUser:
        """The person a token signs in.

        Raises:
            TokenRejected: the token is not one this bot accepts (the reason in the message).
            KeysUnavailable: the signing keys could not be fetched.
        """
        if not self.audiences:
            raise TokenRejected("single sign-on needs MicrosoftAppId")
        if not isinstance(token, str) or not 0 < len(token) <= 16_384:
            raise TokenRejected("no token")
        key = self._signing_key(token)
        try:
            claims = jwt.decode(
                token,
                key,
                algorithms=["RS256"],
                leeway=LEEWAY_SECONDS,
                options={
                    "require": ["exp", "iat", "aud", "iss", "tid", "oid"],
                    "verify_aud": False,  # checked below: any Application ID URI of this app
                },
            )
        except jwt.InvalidTokenError as exc:
            raise TokenRejected(f"{type(exc).__name__}: {exc}") from exc
        if not audience_ok(claims.get("aud"), self.audiences):
            raise TokenRejected("the token is for another application")
        return self._user(claims)

    def _user(self, claims: dict[str, Any]) -> TabUser:
        tenant = str(claims["tid"]).lower()
        if claims["iss"] not in {pattern.format(tid=claims["tid"]) for pattern in ISSUERS}:
            raise TokenRejected("the issuer is not Microsoft Entra ID for the token's tenant")
        if self.tenants and tenant not in self.tenants:
            raise TokenRejected(f"tenant {tenant[:64]} is not served by this bot")
        if SCOPE not in str(claims.get("scp", "")).split():
            raise TokenRejected(f"the token lacks the {SCOPE} scope")
        oid = claims["oid"]
        if not isinstance(oid, str) or not 0 < len(oid) <= 64:
            raise TokenRejected("the token's oid is not an object id")
        email = claims.get("email") or claims.get("preferred_username") or claims.get("upn")
        name = claims.get("name")
        return TabUser(
            aad_object_id=oid,
            name=name if isinstance(name, str) else "",
            email=email.strip().lower() if isinstance(email, str) and "@" in email else None,
        )
