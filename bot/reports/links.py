"""Signed, expiring report download links: ``{PUBLIC_BASE_URL}/api/reports/{token}``.

A token is ``base64url(claims JSON) "." base64url(HMAC-SHA256(LINK_SECRET, claims part))``.
The claims name the person it was made for, the format, the plan, the "as of" date, when it
expires and a random nonce (which makes each link single-use, see ``storage.report_links``).
The download checks the signature first, then the expiry, then that the person may still
export; only then is the file made.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from bot.reports.export import FORMATS

LINK_LIFETIME = timedelta(minutes=15)
MAX_TOKEN_LENGTH = 1024


class BadLink(ValueError):
    """A link that must be refused; the message is a plain sentence for the person."""


@dataclass(frozen=True)
class LinkClaims:
    """What a download link allows: one file, for one person, until it expires."""

    person_id: int
    fmt: str
    plan_key: str
    as_of: date
    expires: datetime
    nonce: str


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _mac(secret: str, payload: str) -> str:
    digest = hmac.new(secret.encode("utf-8"), payload.encode("ascii"), hashlib.sha256).digest()
    return _b64(digest)


def new_claims(person_id: int, fmt: str, plan_key: str, as_of: date, now: datetime) -> LinkClaims:
    """Claims for a fresh link that expires :data:`LINK_LIFETIME` after ``now``."""
    return LinkClaims(person_id, fmt, plan_key, as_of, now + LINK_LIFETIME, secrets.token_hex(16))


def sign(claims: LinkClaims, secret: str) -> str:
    """The token for ``claims``."""
    body = {
        "p": claims.person_id,
        "f": claims.fmt,
        "k": claims.plan_key,
        "d": claims.as_of.isoformat(),
        "e": int(claims.expires.timestamp()),
        "n": claims.nonce,
    }
    payload = _b64(json.dumps(body, separators=(",", ":")).encode("utf-8"))
    return f"{payload}.{_mac(secret, payload)}"


def _claims(payload: str) -> LinkClaims:
    try:
        body = json.loads(_unb64(payload))
        claims = LinkClaims(
            person_id=int(body["p"]),
            fmt=str(body["f"]),
            plan_key=str(body["k"]),
            as_of=date.fromisoformat(body["d"]),
            expires=datetime.fromtimestamp(int(body["e"]), tz=UTC),
            nonce=str(body["n"]),
        )
    except (ValueError, KeyError, TypeError) as exc:
        raise BadLink("This download link is not valid. Ask the bot for “report” again.") from exc
    if claims.fmt not in FORMATS:
        raise BadLink("This download link is not valid. Ask the bot for “report” again.")
    return claims


def read(token: str, secret: str, now: datetime) -> LinkClaims:
    """The claims of a genuine, unexpired token.

    Raises:
        BadLink: when the token was not signed with ``secret`` (or was changed), is malformed,
            or has expired.
    """
    payload, dot, mac = token.partition(".")
    genuine = (
        bool(secret)
        and bool(dot)
        and len(token) <= MAX_TOKEN_LENGTH
        and payload.isascii()
        and hmac.compare_digest(mac.encode("ascii", "replace"), _mac(secret, payload).encode())
    )
    if not genuine:
        raise BadLink("This download link is not valid. Ask the bot for “report” again.")
    claims = _claims(payload)
    if now >= claims.expires:
        minutes = int(LINK_LIFETIME.total_seconds() // 60)
        raise BadLink(
            f"This download link has expired (links work for {minutes} minutes). "
            "Ask the bot for “report” again for a fresh one."
        )
    return claims


def url_for(base_url: str, token: str) -> str:
    """The download address of a token."""
    return f"{base_url.rstrip('/')}/api/reports/{token}"
