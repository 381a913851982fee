"""Activities to JSON without msrest's validating serializer (a hot path: every reply).

It walks each model's ``_attribute_map`` exactly as msrest does, without its per-field
validation; ``tests/test_wire.py`` checks the output equals ``Activity.serialize()``.
"""

from __future__ import annotations

from datetime import datetime
from enum import Enum
from typing import Any

from msrest.serialization import Model


def to_json(model: Model) -> dict[str, Any]:
    """A Bot Framework model as the JSON the connector expects."""
    out: dict[str, Any] = {}
    for attribute, spec in type(model)._attribute_map.items():
        value = getattr(model, attribute, None)
        if value is not None:
            out[spec["key"]] = _value(value)
    return out  # like msrest, properties outside the attribute map are not sent


def _value(value: Any) -> Any:
    if isinstance(value, Model):
        return to_json(value)
    if isinstance(value, list):
        return [_value(item) for item in value]
    if isinstance(value, dict):
        return {key: _value(item) for key, item in value.items()}
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, datetime):
        return _iso(value)
    return value


def _iso(value: datetime) -> str:
    """ISO 8601 in UTC with milliseconds, as msrest writes it."""
    utc = value.utctimetuple()
    fraction = str(value.microsecond).rjust(6, "0").rstrip("0").ljust(3, "0")
    return (
        f"{utc.tm_year:04}-{utc.tm_mon:02}-{utc.tm_mday:02}"
        f"T{utc.tm_hour:02}:{utc.tm_min:02}:{utc.tm_sec:02}.{fraction}Z"
    )
