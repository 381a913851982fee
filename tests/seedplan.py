"""The 2021-24 seed plan read straight from its YAML, independently of the bot's code.

Tests compare what the bot shows or exports with this: the plan as written, and each action's
status "as of" a date worked out from the dated updates in the file.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import lru_cache

import yaml

from storage.seed_data import PLAN_FILES

STATUS_ORDER = (
    "Not started",
    "On track",
    "At risk",
    "Off track",
    "Complete",
    "Ongoing",
    "No update yet",
)


@dataclass(frozen=True)
class SeedAction:
    theme: int
    theme_title: str
    section: str
    number: str
    action: str
    success_measure: str
    owner: str
    owners: tuple[str, ...]
    date: str


@dataclass(frozen=True)
class SeedUpdate:
    number: str
    day: date
    status: str
    text: str
    author: str


def _text(value: object) -> str:
    return "" if value is None else str(value).strip()


@lru_cache(maxsize=1)
def _data() -> dict:
    with open(PLAN_FILES[1], encoding="utf-8") as handle:
        return yaml.safe_load(handle)


def seed_actions() -> list[SeedAction]:
    """Every action in plan order (theme, section, action)."""
    out = []
    for theme in _data()["themes"]:
        for section in theme["sections"]:
            for item in section["actions"]:
                out.append(
                    SeedAction(
                        theme=int(theme["number"]),
                        theme_title=_text(theme["title"]),
                        section=_text(section["title"]),
                        number=_text(item["number"]),
                        action=_text(item["action"]),
                        success_measure=_text(item.get("success_measure")),
                        owner=_text(item.get("owner")),
                        owners=tuple(k.upper() for k in item.get("owners") or ()),
                        date=_text(item.get("date")),
                    )
                )
    return out


def seed_updates() -> list[SeedUpdate]:
    return [
        SeedUpdate(
            number=_text(u["action"]),
            day=date.fromisoformat(_text(u["date"])),
            status=_text(u["status"]),
            text=_text(u["text"]),
            author=_text(u.get("author")),
        )
        for u in _data()["updates"]
    ]


def status_on(number: str, day: date) -> str:
    """The seed status of an action at the end of ``day``."""
    found = [u for u in seed_updates() if u.number == number and u.day <= day]
    return found[-1].status if found else "No update yet"


def expected_counts(numbers: list[str], day: date) -> dict[str, int]:
    counts = dict.fromkeys(STATUS_ORDER, 0)
    for number in numbers:
        counts[status_on(number, day)] += 1
    return counts


def numbers_where(*, theme: int | None = None, body: str | None = None) -> list[str]:
    return [
        a.number
        for a in seed_actions()
        if (theme is None or a.theme == theme) and (body is None or body in a.owners)
    ]
