"""Activities to JSON without msrest's validating serializer (a hot path: every reply).

It walks each model's ``_attribute_map`` exactly as msrest does, without its per-field
validation; ``tests/test_wire.py`` checks the output equals ``Activity.serialize()``.
"""

from __future__ import annotations

from datetime import datetime
from enum import Enum
from typing import Any

import botbuilder.schema as schema
import isodate
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
        return (
            [_value(item) for item in value] if any(isinstance(i, Model) for i in value) else value
        )
    if isinstance(value, dict):
        # Plain JSON (card content, channel data) goes out as it is; only models are converted.
        if any(isinstance(item, Model) for item in value.values()):
            return {key: _value(item) for key, item in value.items()}
        return value
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


class _Unsupported(Exception):
    """A field this reader does not handle: let msrest read the whole activity."""


def _model(name: str) -> type[Model]:
    found = getattr(schema, name, None)
    if not (isinstance(found, type) and issubclass(found, Model)) or getattr(
        found, "_subtype_map", None
    ):
        raise _Unsupported(name)
    return found


def _read(value: Any, kind: str) -> Any:
    if value is None:
        return None
    if kind.startswith("["):
        if not isinstance(value, list):
            raise _Unsupported(kind)
        return [_read(item, kind[1:-1]) for item in value]
    if kind.startswith("{"):
        if not isinstance(value, dict):
            raise _Unsupported(kind)
        return {key: _read(item, kind[1:-1]) for key, item in value.items()}
    if kind == "object":
        return value
    if kind == "str":
        if not isinstance(value, str):
            raise _Unsupported(kind)
        return value
    if kind == "bool":
        if not isinstance(value, bool):
            raise _Unsupported(kind)
        return value
    if kind == "int":
        if not isinstance(value, int) or isinstance(value, bool):
            raise _Unsupported(kind)
        return value
    if kind == "iso-8601":
        if not isinstance(value, str):
            raise _Unsupported(kind)
        return isodate.parse_datetime(value)
    if isinstance(value, dict):
        return _from_dict(_model(kind), value)
    raise _Unsupported(kind)


def _from_dict(cls: type[Model], data: dict[str, Any]) -> Model:
    attribute_map = cls._attribute_map
    known = {spec["key"] for spec in attribute_map.values()}
    fields = {
        attribute: _read(data[spec["key"]], spec["type"])
        for attribute, spec in attribute_map.items()
        if spec["key"] in data
    }
    model = cls(**fields)
    model.additional_properties = {k: v for k, v in data.items() if k not in known}
    return model


def activity_from_json(data: dict[str, Any]) -> schema.Activity:
    """An activity from its JSON, as ``Activity().deserialize`` reads it, several times faster.

    Only well-formed, plainly typed fields are read here; anything else (a wrong type, a
    polymorphic model) goes to msrest, whose answer (or error) is then the answer.
    """
    try:
        activity = _from_dict(schema.Activity, data)
    except (_Unsupported, ValueError, TypeError, isodate.ISO8601Error):
        return schema.Activity().deserialize(data)
    assert isinstance(activity, schema.Activity)
    return activity
