"""What the partnership's documents say beyond the plan: chairs, remits, oversight, glossary.

Read from the partnership data (``chairs``, ``remit`` and ``oversees`` on bodies, and the
``glossary`` list). Pure: :func:`knowledge_from_data` turns the parsed mapping into plain data.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from bot.plan.body_names import normalise


@dataclass(frozen=True)
class Term:
    """An abbreviation of the documents and what it stands for."""

    term: str
    meaning: str
    source: str = ""


@dataclass(frozen=True)
class Person:
    """Someone the terms of reference name in a role ("Gavin Thompson", DASVG co-chair)."""

    name: str
    role: str
    body_key: str


@dataclass(frozen=True)
class BodyFacts:
    """What the documents say about one body, beyond its names."""

    key: str
    chairs: tuple[str, ...] = ()
    remit: str = ""
    note: str = ""
    oversees_plan: bool = False


@dataclass(frozen=True)
class Knowledge:
    """Everything :mod:`bot.understand` and the fact answers need from the documents."""

    bodies: Mapping[str, BodyFacts] = field(default_factory=dict)
    terms: Mapping[str, Term] = field(default_factory=dict)
    people: tuple[Person, ...] = ()

    def term(self, text: str) -> Term | None:
        """The glossary entry for ``text`` ("dhr", "DHRs"), if any."""
        wanted = normalise(text)
        return self.terms.get(wanted) or self.terms.get(wanted.rstrip("s"))

    def overseers(self) -> frozenset[str]:
        """Keys of the bodies that scrutinise or run the whole plan."""
        return frozenset(key for key, facts in self.bodies.items() if facts.oversees_plan)

    def facts(self, key: str) -> BodyFacts:
        """The facts about one body (empty when the documents say nothing)."""
        return self.bodies.get(key, BodyFacts(key))


def _strings(value: Any) -> tuple[str, ...]:
    if not isinstance(value, list):
        return ()
    return tuple(" ".join(str(v).split()) for v in value if str(v).strip())


def _person(chair: str, body_key: str) -> Person:
    name = chair.partition(",")[0]
    name = re.sub(r"^(?:cllr|dr|mr|mrs|ms)\.?\s+", "", name.strip(), flags=re.IGNORECASE)
    return Person(name=name, role=chair, body_key=body_key)


def knowledge_from_data(data: Mapping[str, Any]) -> Knowledge:
    """Read chairs, remits, oversight and the glossary from the partnership mapping."""
    bodies: dict[str, BodyFacts] = {}
    people: list[Person] = []
    for item in data.get("bodies") or []:
        key = str(item.get("key") or "").strip().upper()
        if not key:
            continue
        chairs = _strings(item.get("chairs"))
        bodies[key] = BodyFacts(
            key=key,
            chairs=chairs,
            remit=" ".join(str(item.get("remit") or "").split()),
            note=" ".join(str(item.get("note") or "").split()),
            oversees_plan=str(item.get("oversees") or "").strip().lower() == "plan",
        )
        people.extend(_person(chair, key) for chair in chairs)
    terms: dict[str, Term] = {}
    for item in data.get("glossary") or []:
        if isinstance(item, Mapping) and item.get("term") and item.get("meaning"):
            term = Term(str(item["term"]), str(item["meaning"]), str(item.get("source") or ""))
            terms[normalise(term.term)] = term
    return Knowledge(bodies=bodies, terms=terms, people=tuple(people))
