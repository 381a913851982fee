"""Checking cards against the official Adaptive Card 1.5 schema and the 28 KB budget.

The official schema rejects Teams' own extensions; exactly these are allowed here: the
card-level ``msteams`` property (``width``, ``entities`` for mentions) and ``Chart.*`` elements.
Everything else stays strict.
"""

from __future__ import annotations

import copy
import json
from functools import lru_cache
from pathlib import Path
from typing import Any

from jsonschema import Draft6Validator

from cards.base import SIZE_BUDGET_BYTES, size_of

SCHEMA_PATH = (
    Path(__file__).resolve().parent.parent / ".cache" / "schemas" / "adaptive-card-1.5.json"
)
MSTEAMS_KEYS = {"width", "entities"}


@lru_cache(maxsize=1)
def validator() -> Draft6Validator:
    """The validator for the official schema (fetched by tests/fetch_assets.py)."""
    if not SCHEMA_PATH.exists():
        raise RuntimeError(f"{SCHEMA_PATH} is missing: run `python tests/fetch_assets.py`")
    return Draft6Validator(json.loads(SCHEMA_PATH.read_text(encoding="utf-8")))


def _strip_charts(node: Any, problems: list[str]) -> Any:
    """Replace Chart.* elements by an empty Container, checking only that they are objects."""
    if isinstance(node, list):
        return [_strip_charts(item, problems) for item in node]
    if not isinstance(node, dict):
        return node
    kind = node.get("type")
    if isinstance(kind, str) and kind.startswith("Chart."):
        if not isinstance(node.get("data", []), list):
            problems.append(f"{kind}: data must be a list")
        return {"type": "Container", "items": []}
    return {key: _strip_charts(value, problems) for key, value in node.items()}


def check_card(card: dict[str, Any]) -> list[str]:
    """Every problem with a card (empty when it is valid and within budget)."""
    problems: list[str] = []
    size = size_of(card)
    if size > SIZE_BUDGET_BYTES:
        problems.append(f"card is {size} bytes, over the {SIZE_BUDGET_BYTES} budget")
    body = copy.deepcopy(card)
    teams = body.pop("msteams", None)
    if teams is not None and (not isinstance(teams, dict) or set(teams) - MSTEAMS_KEYS):
        problems.append(f"msteams may only hold {sorted(MSTEAMS_KEYS)}: {teams!r}")
    body = _strip_charts(body, problems)
    for error in validator().iter_errors(body):
        location = "/".join(str(p) for p in error.absolute_path)
        problems.append(f"{location}: {error.message[:300]}")
    return problems


def assert_valid_card(card: dict[str, Any]) -> None:
    """Fail with every problem listed."""
    problems = check_card(card)
    assert not problems, "invalid card:\n" + "\n".join(problems)
