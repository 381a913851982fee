"""Topic search over the plan: BM25 ranking, abbreviations, near spellings, why it matched."""

from __future__ import annotations

import pytest

from benchmarks.understanding_rate import World, load_world
from bot.plan.search import ActionSearch, stem, tokens
from bot.plan.selection import narrow, rank


@pytest.fixture(scope="module")
def world() -> World:
    return load_world()


def numbers(hits: list) -> list[str]:
    return [h.action.number for h in hits]


def test_stemming_and_tokens() -> None:
    assert stem("blockers") == "blocker"
    assert stem("radicalising") == stem("radicalisation") == "radical"
    assert tokens("What's happening on the county lines?") == ["county", "line"]


def test_topics_rank_the_relevant_actions_first(world: World) -> None:
    assert numbers(world.search.search(["call", "blockers"]))[0] == "1.3"
    assert numbers(world.search.search(["domestic", "homicide", "reviews"]))[0] == "3.12"
    assert "1.17" in numbers(world.search.search(["integrated", "offender", "management"]))[:2]


def test_abbreviations_are_expanded(world: World) -> None:
    found = numbers(world.search.search(["asb"]))
    assert {"1.7", "1.9"} <= set(found[:3])


def test_near_spellings_are_mended(world: World) -> None:
    assert numbers(world.search.search(["contextual", "safegaurding"]))[0] == "2.3"


def test_each_hit_says_why(world: World) -> None:
    (first, *_) = world.search.search(["call", "blockers"])
    assert any(reason.startswith("action: call, blocker") for reason in first.why)


def test_unknown_words_find_nothing(world: World) -> None:
    assert world.search.search(["zzzzqx"]) == []
    assert ActionSearch([]).search(["fraud"]) == []


def test_words_rank_within_the_narrowed_actions_and_never_filter_them_out_blindly(
    world: World,
) -> None:
    fraud = narrow(world.actions, section="Fraud")
    chosen = rank(fraud, ["older", "people"], world.search)
    assert chosen.actions and all(a.section_title == "Fraud" for a in chosen.actions)
    assert chosen.actions[0].number == "1.3"
    assert chosen.why["1.3"]
    everything = rank(fraud, [], world.search)
    assert [a.number for a in everything.actions] == [a.number for a in fraud]


def test_the_index_is_built_once_per_version_of_the_plan(world: World) -> None:
    from dataclasses import replace

    from bot.plan.search import SearchCache

    cache = SearchCache()
    first = cache.index(world.actions, outcomes={}, bodies=(), terms={})
    assert cache.index(list(world.actions), outcomes={}, bodies=(), terms={}) is first
    # Records read again (equal, but other objects): still the same index.
    reread = [replace(a) for a in world.actions]
    assert cache.index(reread, outcomes={}, bodies=(), terms={}) is first
    changed = [replace(world.actions[0], text="new words"), *world.actions[1:]]
    assert cache.index(changed, outcomes={}, bodies=(), terms={}) is not first
    assert cache.index(world.actions[1:], outcomes={}, bodies=(), terms={}) is not first


def test_a_past_period_lists_what_was_due_then_complete_or_not(world: World) -> None:
    from datetime import date

    from bot.plan.selection import due_in
    from bot.timephrases import Window

    october_2021 = Window(date(2021, 10, 1), date(2021, 10, 31), "in October 2021")
    assert [a.number for a in due_in(world.actions, october_2021, date(2022, 6, 1))] == ["1.18"]
    assert due_in(world.actions, october_2021, date(2021, 9, 1)) == []  # 1.18 is complete
