"""Checking cards against the official Adaptive Card 1.5 schema and the 28 KB budget.

The official schema rejects Teams' own extensions; exactly these are allowed here: the
card-level ``msteams`` property (``width``, ``entities`` for mentions) and ``Chart.*`` elements.
Everything else stays strict.
"""

from __future__ import annotations

import copy
import json
import re
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml
from jsonschema import Draft6Validator

from cards.base import SIZE_BUDGET_BYTES, size_of
from storage.seed_data import PARTNERSHIP_FILE

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
    return problems + text_problems(card)


# A backslash before markdown punctuation: some Teams clients show it literally.
_BACKSLASH_ESCAPE = re.compile(r"\\[\\`*_{}\[\]()#+!|~<>.\-]")
_SHOWN = ("text", "title", "value", "placeholder", "label", "fallbackText")


@lru_cache(maxsize=1)
def internal_keys() -> re.Pattern[str]:
    """Body keys people never see: keys that are neither the abbreviation nor in the name."""
    data = yaml.safe_load(PARTNERSHIP_FILE.read_text(encoding="utf-8"))
    keys = [
        b["key"]
        for b in data["bodies"]
        if b["key"] != b.get("abbreviation")
        and b["key"] not in b["name"]
        and b["key"] not in (b.get("aliases") or [])
    ]
    return re.compile(r"(?<![\w-])(?:" + "|".join(map(re.escape, keys)) + r")(?![\w-])")


def _shown_texts(node: Any) -> list[str]:
    if isinstance(node, list):
        return [t for item in node for t in _shown_texts(item)]
    if not isinstance(node, dict):
        return []
    # Inputs' values and choices' values are what is submitted, not what is shown.
    hidden = {"value"} if str(node.get("type", "")).startswith("Input.") else set()
    found = [v for k, v in node.items() if k in _SHOWN and k not in hidden and isinstance(v, str)]
    for key, value in node.items():
        if key == "choices" and isinstance(value, list):
            found.extend(c["title"] for c in value if isinstance(c, dict) and "title" in c)
        elif key != "data":  # button data is never shown
            found.extend(_shown_texts(value))
    return found


def text_problems(card: dict[str, Any]) -> list[str]:
    """Literal backslash escapes or internal body keys in what a person reads."""
    problems = []
    for shown in _shown_texts(card):
        if _BACKSLASH_ESCAPE.search(shown):
            problems.append(f"backslash escape shown: {shown[:120]!r}")
        key = internal_keys().search(shown)
        if key:
            problems.append(f"internal key {key.group(0)!r} shown: {shown[:120]!r}")
    return problems


def assert_valid_card(card: dict[str, Any]) -> None:
    """Fail with every problem listed."""
    problems = check_card(card)
    assert not problems, "invalid card:\n" + "\n".join(problems)
