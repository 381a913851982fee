"""The tab's sign-in session: a signed cookie naming the person, and the forms' CSRF token.

After the Entra ID token from Teams SSO has been checked once (``bot.tab.identity``), the
person is carried by a short-lived cookie signed with HMAC-SHA256, so that plain links and
forms (the table's filters, "Post update") work without JavaScript. The cookie names who the
person is, never what they may do: memberships and roles are read afresh on every request,
exactly as a chat turn reads them.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

COOKIE = "spb_tab"
LIFETIME = timedelta(hours=8)


@dataclass(frozen=True)
class TabUser:
    """Who is signed in to the tab: the same identity a chat turn carries."""

    aad_object_id: str | None
    name: str
    email: str | None
    development: bool = False  # chosen in the loopback user picker, not signed in by Teams

    def is_known(self) -> bool:
        """True when there is something to find the person by."""
        return bool(self.aad_object_id or self.email)


class SessionSigner:
    """Signs and reads session cookies and CSRF tokens with one secret."""

    def __init__(self, secret: str = "") -> None:
        # Without a configured secret, a random one: sessions end when the process does,
        # and Teams signs the person in again without a word.
        raw = secret.encode() if secret else secrets.token_bytes(32)
        self._key = hashlib.sha256(b"tab-session:" + raw).digest()

    def _mac(self, message: bytes) -> str:
        digest = hmac.new(self._key, message, hashlib.sha256).digest()
        return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()

    def issue(self, user: TabUser, now: datetime) -> str:
        """A cookie value for ``user``, valid for :data:`LIFETIME` from ``now``."""
        body: dict[str, Any] = {
            "o": user.aad_object_id,
            "n": user.name[:200],
            "e": user.email,
            "d": int(user.development),
            "x": int((now + LIFETIME).timestamp()),
        }
        payload = base64.urlsafe_b64encode(json.dumps(body).encode()).rstrip(b"=")
        return f"{payload.decode()}.{self._mac(payload)}"

    def read(self, value: str, now: datetime) -> TabUser | None:
        """The user a cookie names, or None when it is forged, malformed or expired."""
        payload, _, mac = value.partition(".")
        if (
            not payload
            or len(value) > 4096
            or not hmac.compare_digest(mac, self._mac(payload.encode()))
        ):
            return None
        try:
            body = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
        except ValueError:
            return None
        if not isinstance(body, dict) or not isinstance(body.get("x"), int):
            return None
        if body["x"] <= now.timestamp():
            return None
        oid, name, email = body.get("o"), body.get("n"), body.get("e")
        if not (oid is None or isinstance(oid, str)) or not (
            email is None or isinstance(email, str)
        ):
            return None
        label = name if isinstance(name, str) else ""
        user = TabUser(oid or None, label, email or None, development=bool(body.get("d")))
        return user if user.is_known() else None

    def csrf(self, cookie_value: str) -> str:
        """The token a form posted by this session must carry."""
        return self._mac(b"csrf:" + cookie_value.encode())

    def csrf_ok(self, cookie_value: str, token: object) -> bool:
        """True when ``token`` is this session's CSRF token."""
        return isinstance(token, str) and hmac.compare_digest(token, self.csrf(cookie_value))
