"""OpenTelemetry off unless an exporter is configured (the SDK traces every step otherwise).

The Agents SDK opens OpenTelemetry spans (and records metrics) around every step of a turn,
through OpenTelemetry's global providers. With none configured those are proxies, resolved on
every use; OpenTelemetry's public no-op providers make each span and metric the cheapest
path. With an exporter configured (``OTEL_TRACES_EXPORTER``, an OTLP endpoint, Application
Insights), the deployment's own providers are left alone.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping

from opentelemetry import metrics, trace

EXPORTER_VARIABLES = (
    "OTEL_TRACES_EXPORTER",
    "OTEL_METRICS_EXPORTER",
    "OTEL_EXPORTER_OTLP_ENDPOINT",
    "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT",
    "APPLICATIONINSIGHTS_CONNECTION_STRING",
)


def exporter_configured(env: Mapping[str, str] | None = None) -> bool:
    """Whether the environment names somewhere to send traces or metrics."""
    env = os.environ if env is None else env
    return any(env.get(name, "").strip() not in ("", "none") for name in EXPORTER_VARIABLES)


def quiet_telemetry(env: Mapping[str, str] | None = None) -> bool:
    """Install OpenTelemetry's no-op providers when no exporter is configured.

    Returns whether it did. Providers already set by the deployment are never replaced
    (OpenTelemetry allows one set per process).
    """
    if exporter_configured(env):
        return False
    done = False
    if isinstance(trace.get_tracer_provider(), trace.ProxyTracerProvider):
        trace.set_tracer_provider(trace.NoOpTracerProvider())
        done = True
    if type(metrics.get_meter_provider()).__name__ == "_ProxyMeterProvider":
        metrics.set_meter_provider(metrics.NoOpMeterProvider())
        done = True
    return done


SDK_LOGGER = "microsoft_agents"


def quiet_sdk_logs() -> bool:
    """Keep the SDK's INFO lines out of the logs unless the bot logs at DEBUG.

    The SDK's connector client logs two INFO lines for every reply it sends ("Replying to
    activity ...", "Reply to conversation/activity ..."): two JSON log lines per turn, which
    repeat what the bot's own "turn message" line says. Its warnings and errors still show.
    Returns whether the SDK's level was raised (never when it was set explicitly, or when the
    root logger is at DEBUG).
    """
    sdk = logging.getLogger(SDK_LOGGER)
    if sdk.level != logging.NOTSET or logging.getLogger().getEffectiveLevel() < logging.INFO:
        return False
    sdk.setLevel(logging.WARNING)
    return True


def tracing_off() -> bool:
    """Whether spans go nowhere: OpenTelemetry's no-op tracer provider is the global one.

    The adapter's lean send path (``bot.teams.outgoing``) is taken only then; a provider set
    by the deployment (from its environment or in code) keeps the SDK's spans on every send.
    """
    return isinstance(trace.get_tracer_provider(), trace.NoOpTracerProvider)
