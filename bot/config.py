"""Settings, read once from the environment (and a ``.env`` file) and passed down explicitly."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from dotenv import dotenv_values

from bot.plan.retention import (
    DEFAULT_AUDIT_DAYS,
    DEFAULT_CONVERSATION_DAYS,
    DEFAULT_DELIVERY_DAYS,
    DEFAULT_UPDATE_TEXT_DAYS,
    RetentionPolicy,
)

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATA_DIR = PROJECT_ROOT / "data"


class ConfigError(ValueError):
    """A setting is missing or malformed; the message names the variable."""


def _split(value: str | None) -> tuple[str, ...]:
    if not value:
        return ()
    return tuple(part.strip() for part in value.replace(";", ",").split(",") if part.strip())


def _int(env: Mapping[str, str], name: str, default: int) -> int:
    raw = env.get(name, "").strip()
    if not raw:
        return default
    try:
        return int(raw)
    except ValueError as exc:
        raise ConfigError(f"{name} must be a whole number, not {raw!r}") from exc


def _domain_entries(
    raw: str | None, name: str, example: str, *, values_required: bool = False
) -> dict[str, list[str]]:
    """Parse ``domain=VALUE[+VALUE];domain=VALUE`` (domains lower-cased, a leading @ dropped).

    Raises:
        ConfigError: for an entry without a domain or without anything after ``=`` (with
            ``values_required``, also one whose values are all blank, as in ``domain=+``).
    """
    mapping: dict[str, list[str]] = {}
    for entry in _split(raw):
        domain, sep, values = entry.partition("=")
        parts = [v.strip() for v in values.split("+") if v.strip()]
        blank = not values.strip() or (values_required and not parts)
        if not sep or not domain.strip() or blank:
            raise ConfigError(f"{name} entry {entry!r} must look like {example}")
        mapping[domain.strip().lower().lstrip("@")] = parts
    return mapping


def _domain_map(raw: str | None) -> dict[str, tuple[str, ...]]:
    """Parse ``MEMBERSHIP_DOMAINS``: ``domain=BODY[+BODY];domain=BODY``."""
    found = _domain_entries(raw, "MEMBERSHIP_DOMAINS", "example.gov.uk=BODYKEY")
    return {domain: tuple(b.upper() for b in bodies) for domain, bodies in found.items()}


def _domain_tenants(raw: str | None) -> dict[str, frozenset[str]]:
    """Parse ``MEMBERSHIP_DOMAIN_TENANTS``: ``domain=TENANT-ID[+TENANT-ID];...``."""
    found = _domain_entries(
        raw, "MEMBERSHIP_DOMAIN_TENANTS", "example.gov.uk=<tenant id>", values_required=True
    )
    return {domain: frozenset(t.lower() for t in ids) for domain, ids in found.items()}


# The Microsoft 365 Agents SDK's own names for the bot's credentials (its "service connection").
SDK_PREFIX = "CONNECTIONS__SERVICE_CONNECTION__SETTINGS__"
# The Bot Framework names existing deployments use, mapped onto the SDK's (MicrosoftAppType
# maps onto AUTHTYPE, see ``_auth_type``).
LEGACY_NAMES = {
    "MicrosoftAppId": "CLIENTID",
    "MicrosoftAppPassword": "CLIENTSECRET",
    "MicrosoftAppTenantId": "TENANTID",
}
# MicrosoftAppType values and the SDK's AUTHTYPE they mean.
APP_TYPES = {
    "multitenant": "ClientSecret",
    "singletenant": "ClientSecret",
    "userassignedmsi": "UserManagedIdentity",
}


def _auth_type(env: Mapping[str, str]) -> str:
    explicit = env.get(SDK_PREFIX + "AUTHTYPE", "").strip()
    if explicit:
        return explicit
    app_type = env.get("MicrosoftAppType", "").strip() or "MultiTenant"
    try:
        return APP_TYPES[app_type.lower()]
    except KeyError:
        raise ConfigError(
            f"MicrosoftAppType must be MultiTenant, SingleTenant or UserAssignedMSI, "
            f"not {app_type!r}"
        ) from None


def connection_settings(env: Mapping[str, str]) -> dict[str, str]:
    """The SDK's connection settings: its own ``CONNECTIONS__...`` names, else the old ones.

    Every ``CONNECTIONS__*`` and ``CONNECTIONSMAP__*`` variable is kept as it is (certificate
    and managed-identity credentials are configured that way); ``MicrosoftAppId``,
    ``MicrosoftAppPassword``, ``MicrosoftAppTenantId`` and ``MicrosoftAppType`` fill in the
    service connection's settings the SDK names do not set.

    Raises:
        ConfigError: when ``MicrosoftAppType`` is not one of the three Bot Framework values.
    """
    found = {
        key: value.strip()
        for key, value in env.items()
        if key.startswith(("CONNECTIONS__", "CONNECTIONSMAP__")) and value.strip()
    }
    for legacy, name in LEGACY_NAMES.items():
        value = env.get(legacy, "").strip()
        if value and SDK_PREFIX + name not in found:
            found[SDK_PREFIX + name] = value
    if SDK_PREFIX + "CLIENTID" in found:
        found[SDK_PREFIX + "AUTHTYPE"] = _auth_type(env)
    return found


def default_database_url(data_dir: Path) -> str:
    """The embedded SQLite database under the project's data directory."""
    return f"sqlite:///{data_dir / 'safer_partnership.sqlite3'}"


@dataclass(frozen=True)
class Settings:
    """Everything the bot can be configured with. See ``.env.example`` for each variable."""

    database_url: str
    data_dir: Path = DEFAULT_DATA_DIR
    host: str = "127.0.0.1"
    port: int = 3978
    app_id: str = ""
    app_password: str = ""
    app_type: str = "MultiTenant"
    app_tenant_id: str = ""
    bot_admins: tuple[str, ...] = ()
    allowed_tenant_ids: tuple[str, ...] = ()
    membership_domains: dict[str, tuple[str, ...]] = field(default_factory=dict)
    # E-mail domain -> the tenants whose accounts its domain rules apply to (unlisted: any).
    membership_domain_tenants: dict[str, frozenset[str]] = field(default_factory=dict)
    reporting_interval_days: int = 90
    page_size: int = 8
    jobs_token: str = ""
    jobs_interval_seconds: int = 300
    jobs_grace_hours: int = 12
    jobs_send_attempts: int = 5
    public_base_url: str = ""
    link_secret: str = ""
    update_notices: bool = True
    log_level: str = "INFO"
    load_default_plan: bool = True
    openid_metadata_url: str = ""
    admin_body: str = ""
    tab_openid_metadata_url: str = ""
    connection: dict[str, str] = field(default_factory=dict)
    retention: RetentionPolicy = field(default_factory=RetentionPolicy)

    @property
    def is_development(self) -> bool:
        """True when no Microsoft app id is configured (no JWT validation: loopback only)."""
        return not self.app_id

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> Settings:
        """Build settings from a mapping of environment variables.

        Raises:
            ConfigError: when a variable is malformed.
        """
        data_dir = Path(env.get("DATA_DIR") or DEFAULT_DATA_DIR)
        connection = connection_settings(env)
        return cls(
            database_url=env.get("DATABASE_URL") or default_database_url(data_dir),
            data_dir=data_dir,
            host=env.get("HOST") or "127.0.0.1",
            port=_int(env, "PORT", 3978),
            app_id=connection.get(SDK_PREFIX + "CLIENTID", ""),
            app_password=connection.get(SDK_PREFIX + "CLIENTSECRET", ""),
            app_type=env.get("MicrosoftAppType", "").strip() or "MultiTenant",
            app_tenant_id=connection.get(SDK_PREFIX + "TENANTID", ""),
            bot_admins=tuple(a.lower() for a in _split(env.get("BOT_ADMINS"))),
            allowed_tenant_ids=tuple(t.lower() for t in _split(env.get("ALLOWED_TENANT_IDS"))),
            membership_domains=_domain_map(env.get("MEMBERSHIP_DOMAINS")),
            membership_domain_tenants=_domain_tenants(env.get("MEMBERSHIP_DOMAIN_TENANTS")),
            reporting_interval_days=_int(env, "REPORTING_INTERVAL_DAYS", 90),
            page_size=_int(env, "PAGE_SIZE", 8),
            jobs_token=env.get("JOBS_TOKEN", "").strip(),
            jobs_interval_seconds=_int(env, "JOBS_INTERVAL_SECONDS", 300),
            jobs_grace_hours=_int(env, "JOBS_GRACE_HOURS", 12),
            jobs_send_attempts=_int(env, "JOBS_SEND_ATTEMPTS", 5),
            public_base_url=env.get("PUBLIC_BASE_URL", "").strip().rstrip("/"),
            link_secret=env.get("LINK_SECRET", "").strip(),
            update_notices=env.get("UPDATE_NOTICES", "true").strip().lower()
            not in ("0", "false", "no", "off"),
            log_level=(env.get("LOG_LEVEL") or "INFO").upper(),
            load_default_plan=env.get("LOAD_DEFAULT_PLAN", "true").strip().lower()
            not in ("0", "false", "no", "off"),
            openid_metadata_url=env.get("BOT_OPENID_METADATA_URL", "").strip(),
            admin_body=env.get("ADMIN_BODY", "").strip().upper(),
            tab_openid_metadata_url=env.get("TAB_OPENID_METADATA_URL", "").strip(),
            connection=connection,
            retention=_retention(env),
        )


def _retention(env: Mapping[str, str]) -> RetentionPolicy:
    """The retention periods (``RETENTION_*_DAYS``; see DATA-PROTECTION.md).

    Raises:
        ConfigError: when a period is not a number or too short.
    """
    policy = RetentionPolicy(
        update_text_days=_int(env, "RETENTION_UPDATE_TEXT_DAYS", DEFAULT_UPDATE_TEXT_DAYS),
        audit_days=_int(env, "RETENTION_AUDIT_DAYS", DEFAULT_AUDIT_DAYS),
        conversation_days=_int(env, "RETENTION_CONVERSATION_DAYS", DEFAULT_CONVERSATION_DAYS),
        delivery_days=_int(env, "RETENTION_DELIVERY_DAYS", DEFAULT_DELIVERY_DAYS),
    )
    problems = policy.problems()
    if problems:
        raise ConfigError("; ".join(problems))
    return policy


def load_settings(env_file: Path | None = None) -> Settings:
    """Read ``.env`` (if present) under the real environment, which wins, and build settings."""
    path = env_file or PROJECT_ROOT / ".env"
    merged: dict[str, str] = {k: v for k, v in dotenv_values(path).items() if v is not None}
    merged.update(os.environ)
    return Settings.from_env(merged)
