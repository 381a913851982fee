"""Recognising bodies by name, abbreviation, alias or a near spelling.

Used to read owner cells of imported plans ("OPCCN/NODA", "Norfolk Constabulary and District
Councils local partnerships") and to find the body people mean in what they type ("anything late
for the constabulary?", "overdue OPCCN").
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from rapidfuzz import fuzz, process

from bot.plan.types import BodyInfo

_SEPARATORS = re.compile(r"\s*(?:\n|;|/|,|\s[–—-]\s|\band\b|&|\+)\s*", re.IGNORECASE)
_LEADING = re.compile(r"^(?:all|the)\s+", re.IGNORECASE)
_TRAILING = re.compile(r"\s+(?:partners|partnership members)$", re.IGNORECASE)


def normalise(text: str) -> str:
    """Lower-case, straight quotes, "&" as "and", no punctuation, single spaces."""
    text = text.lower().replace("&", " and ").replace("’", "'").replace("'", "")
    text = re.sub(r"[^a-z0-9]+", " ", text)
    text = re.sub(r"^the\s+", "", text.strip())
    return " ".join(text.split())


@dataclass(frozen=True)
class BodyMatch:
    """A body found in a text, with where it was found."""

    body: BodyInfo
    start: int
    end: int
    exact: bool


class BodyIndex:
    """Every name each body goes by, for exact and fuzzy look-up."""

    def __init__(self, bodies: Iterable[BodyInfo]) -> None:
        self.bodies: tuple[BodyInfo, ...] = tuple(bodies)
        self.by_key = {body.key: body for body in self.bodies}
        self._names: dict[str, BodyInfo] = {}
        for body in self.bodies:
            for name in (body.key, body.name, body.abbreviation, *body.aliases):
                if name and normalise(name):
                    self._names.setdefault(normalise(name), body)
        self._single = {n: b for n, b in self._names.items() if " " not in n and len(n) >= 4}
        # One pattern for every name, longest first, so that "NCCSP team" wins over "NCCSP".
        self._scan_order = sorted(self._names, key=len, reverse=True)
        self._sorted_names = [" ".join(sorted(n.split())) for n in self._scan_order]
        alternatives = "|".join(re.escape(name) for name in self._scan_order)
        self._scan_pattern = (
            re.compile(rf"(?<![a-z0-9])(?:{alternatives})(?![a-z0-9])") if alternatives else None
        )

    def single_words(self) -> dict[str, BodyInfo]:
        """Names of four letters or more that are one word ("dasvg", "probation"), for spelling."""
        return self._single

    def suggest(self, text: str, limit: int = 3) -> tuple[str, ...]:
        """Keys of the bodies whose names are closest to ``text`` ("did you mean")."""
        wanted = normalise(text)
        if len(wanted) < 4:  # too short to be near anything but by chance
            return ()
        found = process.extract(
            wanted, self._scan_order, scorer=fuzz.QRatio, limit=limit * 4, score_cutoff=65
        )
        keys = dict.fromkeys(self._names[name].key for name, _, _ in found)
        return tuple(keys)[:limit]

    def exact(self, text: str) -> BodyInfo | None:
        """The body whose key, name, abbreviation or alias is ``text`` (normalised)."""
        return self._names.get(normalise(text))

    def fuzzy(self, text: str, cutoff: float = 88.0) -> BodyInfo | None:
        """The body with the closest name, when it is close enough (a 0-100 score)."""
        wanted = normalise(text)
        if not wanted:
            return None
        if wanted in self._names:
            return self._names[wanted]
        if len(wanted) < 4:  # short words are abbreviations: only exact matches count
            return None
        # token_sort_ratio, with every name's words sorted once here rather than per call.
        found = process.extractOne(
            " ".join(sorted(wanted.split())),
            self._sorted_names,
            scorer=fuzz.ratio,
            processor=None,
            score_cutoff=cutoff,
        )
        return self._names[self._scan_order[found[2]]] if found else None

    def find(self, text: str) -> BodyInfo | None:
        """Exact first, then fuzzy."""
        return self.exact(text) or self.fuzzy(text)

    def scan(self, text: str) -> list[BodyMatch]:
        """Every body named in free text, left to right, without overlaps (exact names only).

        Positions refer to the normalised form of ``text``.
        """
        if self._scan_pattern is None:
            return []
        return [
            BodyMatch(self._names[match.group(0)], match.start(), match.end(), exact=True)
            for match in self._scan_pattern.finditer(normalise(text))
        ]

    def resolve_owner_cell(self, cell: str) -> tuple[list[BodyInfo], list[str]]:
        """Read an owner cell into bodies.

        The whole cell is tried first, then its parts split on new lines, ";", "/", ",", " - ",
        "and" and "&".

        Returns:
            The bodies found (in order, without repeats) and the parts that matched no body.
        """
        whole = self.exact(cell)
        if whole is not None:
            return [whole], []
        bodies: list[BodyInfo] = []
        unknown: list[str] = []
        for line in re.split(r"\s*(?:\n|;)\s*", cell):
            self._resolve_part(line, bodies, unknown)
        return bodies, unknown

    def _resolve_part(self, part: str, bodies: list[BodyInfo], unknown: list[str]) -> None:
        part = _TRAILING.sub("", _LEADING.sub("", part.strip()))
        if not part:
            return
        # Exact names first; a cell naming several bodies is split before any near spelling is
        # tried, so that "CRPSG, IAG, OPCCN" is never read as one fuzzy name.
        body = self.exact(part)
        pieces = [p for p in _SEPARATORS.split(part) if p.strip()]
        if body is None and len(pieces) > 1:
            for piece in pieces:
                self._resolve_part(piece, bodies, unknown)
            return
        body = body or self.fuzzy(part)
        if body is None:
            unknown.append(part)
        elif body not in bodies:
            bodies.append(body)
