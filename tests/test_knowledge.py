"""Chairs, remits, oversight and the glossary, read from the partnership data."""

from __future__ import annotations

import yaml

from bot.plan.knowledge import knowledge_from_data
from storage.seed_data import PARTNERSHIP_FILE


def seed() -> dict:
    return yaml.safe_load(PARTNERSHIP_FILE.read_text(encoding="utf-8"))


def test_chairs_come_from_the_terms_of_reference() -> None:
    knowledge = knowledge_from_data(seed())
    dasvg = knowledge.facts("DASVG")
    assert len(dasvg.chairs) == 2
    assert dasvg.chairs[0].startswith("Gavin Thompson")
    assert "Andy Coller" in dasvg.chairs[1]
    people = {p.name: p.body_key for p in knowledge.people}
    assert people["Sue Smith"] == "CHANNEL-PANEL"
    assert people["Mark Kiddle-Morris"] == "SSP"


def test_overseers_are_in_the_partnership_data() -> None:
    assert knowledge_from_data(seed()).overseers() == {"SSP", "NCCSP", "NCCSP-TEAM"}


def test_glossary_terms() -> None:
    knowledge = knowledge_from_data(seed())
    term = knowledge.term("DHRs")
    assert term is not None and term.meaning == "Domestic Homicide Review"
    assert knowledge.term("nothing") is None


def test_missing_or_odd_data_is_tolerated() -> None:
    knowledge = knowledge_from_data({"bodies": [{"key": "X", "chairs": "not a list"}, {}]})
    assert knowledge.facts("X").chairs == ()
    assert knowledge.facts("UNKNOWN").remit == ""
    assert knowledge_from_data({"glossary": [{"term": "A"}, "junk"]}).terms == {}
