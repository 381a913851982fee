"""Searching the plan for a topic: BM25 ranking (bm25s) plus near-spelling correction.

Each action is one document made of its text, success measure, section and theme titles, the
theme's outcomes, its owners (as written and by name) and the meanings of the abbreviations it
uses. A query word the plan never uses is replaced by the closest word it does use (rapidfuzz),
and abbreviations are expanded, so "asb" finds "anti-social behaviour". Each hit says why it
matched. Pure: build an :class:`ActionSearch` from records, then ask it.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

import bm25s
from rapidfuzz import fuzz, process

from bot.plan.knowledge import Term
from bot.plan.types import ActionRecord, BodyInfo

_WORD = re.compile(r"[a-z0-9]+")
STOPWORDS = frozenset(
    """
    a about an and any anything are as at be by can do does doing done for from going has have
    how i in into is it its me my of on or our over please re show so that the their them
    there these this those to up us was we what whats when where which who will with you
    happening happen work working plan plans action actions thing things stuff
    """.split()  # noqa: SIM905 (a word list reads better as text)
)
# Share of the best score a hit needs to be shown: weak matches are noise, not answers.
RELATIVE_CUTOFF = 0.35


_SUFFIXES = ("isation", "ization", "ising", "izing", "ised", "ized", "ies", "ing", "es", "ed", "s")


def stem(word: str) -> str:
    """A light English stem: plurals, -ing, -ed, -isation ("radicalising" -> "radical")."""
    for suffix in _SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 4:
            if suffix == "s" and word.endswith("ss"):
                return word
            return word[: -len(suffix)] + ("y" if suffix == "ies" else "")
    return word


def tokens(text: str, stems: dict[str, str] | None = None) -> list[str]:
    """Lower-case content words of ``text``, stemmed (stopwords dropped).

    ``stems`` remembers stems already worked out (an index build reads the same words often).
    """
    words = [w for w in _WORD.findall(text.lower().replace("'", "")) if w not in STOPWORDS]
    if stems is None:
        return [stem(w) for w in words]
    found = []
    for word in words:
        stemmed = stems.get(word)
        if stemmed is None:
            stemmed = stems[word] = stem(word)
        found.append(stemmed)
    return found


@dataclass(frozen=True)
class Hit:
    """One action that matched, how well, and where the words were found."""

    action: ActionRecord
    score: float
    why: tuple[str, ...]


def _fields(
    action: ActionRecord,
    outcomes: Mapping[int, str],
    bodies: Mapping[str, BodyInfo],
    terms: Mapping[str, Term],
) -> dict[str, str]:
    owners = " ".join(
        " ".join(filter(None, (b.name, b.abbreviation, *b.aliases)))
        for b in (bodies.get(o.key) for o in action.owners)
        if b is not None
    )
    words = set(_WORD.findall(f"{action.text} {action.success_measure}".lower()))
    meanings = " ".join(terms[w].meaning for w in words if w in terms)
    return {
        "action": action.text,
        "success measure": action.success_measure,
        "section": f"{action.section_title} {action.section_title}",
        "owner": f"{action.owner_text} {owners}",
        "date": action.due_text,
        "abbreviations": meanings,
        "theme": f"{action.theme_title} {outcomes.get(action.theme_number, '')}",
    }


# The theme's title and outcomes are shared by every action of the theme: they break ties
# rather than outweigh what an action itself says.
THEME_WEIGHT = 0.3


class ActionSearch:
    """A BM25 index over the actions of a plan."""

    def __init__(
        self,
        actions: Sequence[ActionRecord],
        *,
        outcomes: Mapping[int, str] | None = None,
        bodies: Iterable[BodyInfo] = (),
        terms: Mapping[str, Term] | None = None,
    ) -> None:
        """Index ``actions``; ``outcomes`` are each theme's outcome texts joined."""
        self.actions = tuple(actions)
        self._terms = dict(terms or {})
        by_key = {b.key: b for b in bodies}
        self._fields = [_fields(a, outcomes or {}, by_key, self._terms) for a in self.actions]
        stems: dict[str, str] = {}
        per_field = [
            {name: tokens(text, stems) for name, text in fields.items()} for fields in self._fields
        ]
        self._field_tokens = [{name: set(t) for name, t in f.items()} for f in per_field]
        own = [[t for name, ts in f.items() if name != "theme" for t in ts] for f in per_field]
        themes = [f["theme"] for f in per_field]
        self._vocabulary = sorted({t for doc in own + themes for t in doc})
        self._known = frozenset(self._vocabulary)
        self._bodies = by_key
        self._index = bm25s.BM25()
        self._theme_index = bm25s.BM25()
        if own:
            self._index.index(own, show_progress=False)
            self._theme_index.index(themes, show_progress=False)

    @property
    def words(self) -> frozenset[str]:
        """Every (stemmed) word the index holds."""
        return self._known

    def knows(self, word: str) -> bool:
        """The plan (or its glossary) uses this word."""
        return stem(word.lower()) in self._known or normalise_term(word) in self._terms

    def query_tokens(self, words: Iterable[str]) -> list[str]:
        """The words as the index knows them: abbreviations expanded, near spellings mended."""
        wanted: list[str] = []
        for word in words:
            word = word.lower()
            if word in STOPWORDS:
                continue
            term = self._terms.get(normalise_term(word))
            if term is not None:
                wanted.extend(tokens(term.meaning))
            body = next(
                (b for b in self._bodies.values() if (b.abbreviation or "").lower() == word), None
            )
            if body is not None:
                wanted.extend(tokens(body.name))
            token = stem(word)
            if token in self._known:
                wanted.append(token)
            elif len(token) >= 5 and self._vocabulary:
                near = process.extractOne(
                    token, self._vocabulary, scorer=fuzz.ratio, score_cutoff=84
                )
                if near is not None:
                    wanted.append(near[0])
        return list(dict.fromkeys(wanted))

    def unmatched(self, words: Iterable[str]) -> list[str]:
        """The words of a topic the plan never uses (not even spelt nearly): said, not hidden."""
        return [w for w in words if w.lower() not in STOPWORDS and not self.query_tokens([w])]

    def search(self, words: Iterable[str], limit: int = 10) -> list[Hit]:
        """The best matching actions, best first, each with why it matched."""
        query = self.query_tokens(words)
        if not query or not self.actions:
            return []
        scores = self._index.get_scores(query) + THEME_WEIGHT * self._theme_index.get_scores(query)
        ranked = sorted(range(len(self.actions)), key=lambda i: (-scores[i], i))
        best = float(scores[ranked[0]])
        if best <= 0:
            return []
        hits = []
        for i in ranked[:limit]:
            score = float(scores[i])
            if score < best * RELATIVE_CUTOFF:
                break
            hits.append(Hit(self.actions[i], score, self._why(i, query)))
        return hits

    def _why(self, i: int, query: list[str]) -> tuple[str, ...]:
        found = []
        for name, field_tokens in self._field_tokens[i].items():
            matched = [t for t in query if t in field_tokens]
            if matched:
                found.append(f"{name}: {', '.join(matched)}")
        return tuple(found)


def normalise_term(word: str) -> str:
    """A glossary key: lower-case letters and digits only."""
    return re.sub(r"[^a-z0-9]", "", word.lower())


class SearchCache:
    """The search index of each plan, built once per version of its actions.

    Owned by the running bot's services (never module-level): building the index of a large
    plan takes a second, asking it a few milliseconds.
    """

    def __init__(self) -> None:
        # plan key -> (the content key, the records last asked about, their index)
        self._entries: dict[str, tuple[int, Sequence[ActionRecord], ActionSearch]] = {}
        self._lock = threading.Lock()

    def index(
        self,
        actions: Sequence[ActionRecord],
        *,
        outcomes: Mapping[int, str],
        bodies: Iterable[BodyInfo],
        terms: Mapping[str, Term],
    ) -> ActionSearch:
        """The index of ``actions``, reused while their texts and owners are unchanged."""
        plan_key = actions[0].plan_key if actions else ""
        with self._lock:
            found = self._entries.get(plan_key)
        if found is not None and _same_records(found[1], actions):
            return found[2]  # most turns: the plan store's very records, unchanged
        key = hash(
            tuple((a.number, a.text, a.success_measure, a.owner_text, a.due_text) for a in actions)
        )
        if found is not None and found[0] == key:
            index = found[2]
        else:
            index = ActionSearch(actions, outcomes=outcomes, bodies=bodies, terms=terms)
        with self._lock:
            self._entries[plan_key] = (key, tuple(actions), index)
        return index


def _same_records(kept: Sequence[ActionRecord], actions: Sequence[ActionRecord]) -> bool:
    """True when ``actions`` are the very records the index was built for.

    Records are frozen, so the same objects mean the same texts and owners.
    """
    return len(kept) == len(actions) and all(a is b for a, b in zip(kept, actions, strict=True))
