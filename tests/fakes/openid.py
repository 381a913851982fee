"""A fake Bot Framework token issuer: OpenID metadata and signing keys on loopback.

Tokens it mints look like the Bot Connector's (RS256, issuer https://api.botframework.com,
audience = the bot's app id, a serviceurl claim, a key endorsed for msteams), so the SDK's
real JWT validation runs against them.
"""

from __future__ import annotations

import base64
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

ISSUER = "https://api.botframework.com"


def _b64(number: int) -> str:
    raw = number.to_bytes((number.bit_length() + 7) // 8, "big")
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


class FakeIssuer:
    """Start with ``await issuer.start()``; ``metadata_url`` is for BOT_OPENID_METADATA_URL.

    It serves from its own thread: the SDK fetches the keys with a blocking ``requests.get``
    on the event loop, so a server on that same loop could never answer.
    """

    def __init__(self, kid: str = "test-key") -> None:
        self.kid = kid
        self.key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.other_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.metadata_url = ""
        self._server: ThreadingHTTPServer | None = None

    async def start(self) -> FakeIssuer:
        issuer = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                if self.path.endswith("openidconfiguration"):
                    body = {"issuer": ISSUER, "jwks_uri": f"{issuer.base}/v1/keys"}
                elif self.path.endswith("/keys"):
                    body = issuer.jwks()
                else:
                    self.send_error(404)
                    return
                raw = json.dumps(body).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(raw)))
                self.end_headers()
                self.wfile.write(raw)

            def log_message(self, *args: Any) -> None:
                return

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.base = f"http://127.0.0.1:{self._server.server_address[1]}"
        self.metadata_url = f"{self.base}/v1/.well-known/openidconfiguration"
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    async def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()

    def jwks(self) -> dict[str, Any]:
        numbers = self.key.public_key().public_numbers()
        key = {
            "kty": "RSA",
            "use": "sig",
            "kid": self.kid,
            "n": _b64(numbers.n),
            "e": _b64(numbers.e),
            "endorsements": ["msteams"],
        }
        return {"keys": [key]}

    def mint(self, app_id: str, service_url: str, *, forged: bool = False, **claims: Any) -> str:
        """A token for ``app_id``; ``forged`` signs it with a key the metadata does not publish."""
        now = int(time.time())
        body = {
            "iss": ISSUER,
            "aud": app_id,
            "nbf": now - 10,
            "exp": now + 600,
            "serviceurl": service_url,
        }
        body.update(claims)
        key = self.other_key if forged else self.key
        pem = key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
        return jwt.encode(body, pem, algorithm="RS256", headers={"kid": self.kid})
