"""Narrowing a plan's actions: by owner, number, theme, section and words (pure)."""

from __future__ import annotations

from collections.abc import Iterable

from bot.plan.types import ActionRecord


def mentions(record: ActionRecord, words: Iterable[str]) -> bool:
    """True when the text, success measure, owners or section mention every word."""
    haystack = " ".join(
        (record.text, record.success_measure, record.owner_text, record.section_title)
    ).lower()
    return all(word.lower() in haystack for word in words)


def narrowed(
    found: Iterable[ActionRecord],
    body_keys: Iterable[str] | None = None,
    numbers: Iterable[str] | None = None,
    theme: int | None = None,
    section: str | None = None,
    words: Iterable[str] | None = None,
) -> list[ActionRecord]:
    """The actions owned by any of ``body_keys`` (None: any owner) that match every filter."""
    chosen = list(found)
    if body_keys is not None:
        wanted = set(body_keys)
        chosen = [a for a in chosen if any(o.key in wanted for o in a.owners)]
    if numbers is not None:
        picked = set(numbers)
        chosen = [a for a in chosen if a.number in picked]
    if theme is not None:
        chosen = [a for a in chosen if a.theme_number == theme]
    if section is not None:
        chosen = [a for a in chosen if a.section_title == section]
    if words:
        wanted_words = list(words)
        chosen = [a for a in chosen if mentions(a, wanted_words)]
    return chosen
