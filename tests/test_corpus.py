"""The labelled corpus of partners' questions: the bot must understand at least 95% of them."""

from __future__ import annotations

from collections import Counter

import pytest

from benchmarks.understanding_rate import (
    PASS_RATE,
    World,
    load_corpus,
    load_world,
    report,
    score,
)


@pytest.fixture(scope="module")
def world() -> World:
    return load_world()


def test_corpus_is_large_and_varied() -> None:
    corpus = load_corpus()
    assert len(corpus) >= 300
    per_intent = Counter(entry["intent"] for entry in corpus)
    # Several phrasings per intent, and every kind of question the issue names.
    for intent in ("overdue", "due", "search", "fact", "outcome", "actions", "smalltalk"):
        assert per_intent[intent] >= 5, intent
    cats = Counter(entry["cat"] for entry in corpus)
    for cat in ("misspelling", "full_name", "period", "topic", "smalltalk", "did_you_mean"):
        assert cats[cat] >= 5, cat
    assert len({entry["q"].lower() for entry in corpus}) == len(corpus), "duplicate questions"


def test_understanding_rate_at_least_95_percent(world: World) -> None:
    per_category, failures = score(load_corpus(), world)
    understood = sum(ok for ok, _ in per_category.values())
    total = sum(n for _, n in per_category.values())
    print(report(per_category))
    assert understood / total >= PASS_RATE, "\n".join(
        f"{entry['q']!r}: {'; '.join(wrong)}" for entry, wrong in failures
    )


def test_the_scorer_can_fail(world: World) -> None:
    """A reader that always answers "help" is scored as not understanding."""
    from bot.understand import Intent

    per_category, _ = score(load_corpus()[:20], world, lambda q, v, t: Intent("help"))
    assert sum(ok for ok, _ in per_category.values()) < 5
