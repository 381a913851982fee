"""What the app package is filled in with: ids, domain, names and links, from ``.env``.

Every value is checked before anything is written, and a problem names its variable, so a
Teams admin knows what to fix in ``.env``.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from dotenv import dotenv_values

GUID = re.compile(r"^[0-9a-fA-F]{8}-(?:[0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}$")
HOST = re.compile(r"^(?:\*\.)?(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$")
SEMVER = re.compile(r"^(?:0|[1-9]\d*)\.(?:0|[1-9]\d*)\.(?:0|[1-9]\d*)$")

DEFAULTS = {
    "APP_NAME_SHORT": "Safer Partnership",
    "APP_NAME_FULL": (
        "Safer Partnership bot for the Norfolk Countywide Community Safety Partnership"
    ),
    "APP_DEVELOPER_NAME": "NCCSP",
    "APP_VERSION": "1.0.0",
}
# The Teams manifest's own length limits for the names we fill in.
MAX_LENGTHS = {"APP_NAME_SHORT": 30, "APP_NAME_FULL": 100, "APP_DEVELOPER_NAME": 32}
URL_VARIABLES = ("APP_WEBSITE_URL", "APP_PRIVACY_URL", "APP_TERMS_URL")


class PackageError(ValueError):
    """A value the package needs is missing or malformed; the message names the variable."""


@dataclass(frozen=True)
class PackageSettings:
    """Checked values for the manifest's placeholders."""

    values: dict[str, str]

    @property
    def bot_id(self) -> str:
        """The Azure Bot's Microsoft App ID."""
        return self.values["MicrosoftAppId"]


def merged_env(env_file: Path) -> dict[str, str]:
    """``.env`` (when present) under the real environment, which wins."""
    merged = {k: v for k, v in dotenv_values(env_file).items() if v is not None}
    merged.update(os.environ)
    return merged


def _guid(env: Mapping[str, str], name: str, default: str = "") -> str:
    value = env.get(name, "").strip() or default
    if not value:
        raise PackageError(
            f"{name} is missing: set it in .env to the Azure Bot's Microsoft App ID (a GUID)"
        )
    if not GUID.match(value):
        raise PackageError(f"{name} must be a GUID such as 00000000-0000-0000-0000-000000000000")
    return value.lower()


def _https_url(env: Mapping[str, str], name: str) -> str:
    value = env.get(name, "").strip()
    if not value:
        raise PackageError(f"{name} is missing: Teams needs an https:// address for it")
    parts = urlsplit(value)
    if parts.scheme != "https" or not parts.hostname:
        raise PackageError(f"{name} must be an https:// address, not {value!r}")
    return value


def _domain(env: Mapping[str, str]) -> str:
    value = env.get("BOT_DOMAIN", "").strip().lower()
    if not value:
        value = (urlsplit(env.get("PUBLIC_BASE_URL", "").strip()).hostname or "").lower()
    if not value:
        raise PackageError(
            "BOT_DOMAIN is missing: set it to the bot's public host name, e.g. bot.example.org"
        )
    if not HOST.match(value):
        raise PackageError(
            f"BOT_DOMAIN must be a host name such as bot.example.org (no https://, port or "
            f"path), not {value!r}"
        )
    return value


def _text(env: Mapping[str, str], name: str) -> str:
    value = " ".join(env.get(name, "").split()) or DEFAULTS[name]
    limit = MAX_LENGTHS.get(name)
    if limit is not None and len(value) > limit:
        raise PackageError(f"{name} is {len(value)} characters long; Teams allows {limit}")
    return value


def package_settings(env: Mapping[str, str]) -> PackageSettings:
    """Check and collect every placeholder value.

    Raises:
        PackageError: naming the first variable that is missing or malformed.
    """
    bot_id = _guid(env, "MicrosoftAppId")
    values = {
        "MicrosoftAppId": bot_id,
        "TEAMS_APP_ID": _guid(env, "TEAMS_APP_ID", default=bot_id),
        "BOT_DOMAIN": _domain(env),
        **{name: _https_url(env, name) for name in URL_VARIABLES},
        **{name: _text(env, name) for name in DEFAULTS},
    }
    if not SEMVER.match(values["APP_VERSION"]):
        raise PackageError(f"APP_VERSION must look like 1.0.0, not {values['APP_VERSION']!r}")
    return PackageSettings(values)
