"""What people type, and what the bot takes it to mean (pure, table-driven)."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from bot.plan.body_names import BodyIndex
from bot.plan.types import BodyInfo
from bot.timephrases import read_time
from bot.understand import Intent, Vocabulary, understand

BODIES = BodyIndex(
    [
        BodyInfo(
            "OPCCN",
            "Office of the Police and Crime Commissioner for Norfolk",
            "OPCCN",
            "organisation",
            ("OPCC", "PCC"),
        ),
        BodyInfo(
            "CONSTABULARY",
            "Norfolk Constabulary",
            None,
            "organisation",
            ("constabulary", "police", "Norfolk Police"),
        ),
        BodyInfo("DASVG", "Domestic Abuse and Sexual Violence Group", "DASVG", "group", ()),
        BodyInfo(
            "NCCSP",
            "Norfolk Countywide Community Safety Partnership",
            "NCCSP",
            "partnership",
            ("CSP",),
        ),
        BodyInfo("NCCSP-TEAM", "NCCSP Community Safety Team", None, "team", ("NCCSP team",)),
        BodyInfo("CLSG", "County Lines Strategic Group", "CLSG", "group", ()),
    ]
)
VOCAB = Vocabulary(
    bodies=BODIES,
    sections=(
        "Fraud",
        "Neighbourhood crime",
        "Community Relations and Prevent",
        "County Lines",
        "Modern Slavery",
    ),
    previous_plan_key="cspp-2018-21",
    plan_words=frozenset({"hate", "crime", "fraud", "county", "line", "prevent"}),
)
TODAY = date(2022, 1, 17)


def expect(name: str, **fields: Any) -> tuple[str, dict[str, Any]]:
    return name, fields


CASES: dict[str, tuple[str, dict[str, Any]]] = {
    "": expect("help"),
    "help": expect("help"),
    "Hi!": expect("help"),
    "what can you do?": expect("help"),
    "what's overdue for me?": expect("overdue", me=True, bodies=()),
    "What’s overdue for me": expect("overdue", me=True),
    "overdue": expect("overdue", me=False, bodies=()),
    "anything late for the constabulary?": expect("overdue", bodies=("CONSTABULARY",)),
    "overdue OPCCN": expect("overdue", bodies=("OPCCN",)),
    "overdue for norfolk constabullary": expect("overdue", bodies=("CONSTABULARY",)),
    "all overdue actions": expect("overdue", everyone=True),
    "what has slipped for the NCCSP team": expect("overdue", bodies=("NCCSP-TEAM",)),
    "show me action 3.12": expect("action", number="3.12", me=False),
    "action 1.18": expect("action", number="1.18"),
    "1.18": expect("action", number="1.18"),
    "actions 1.18 and 1.19": expect("actions", numbers=("1.18", "1.19")),
    "actions about fraud": expect("actions", section="Fraud"),
    "show the county lines actions": expect("actions", section="County Lines", bodies=()),
    "actions about hate crime": expect("search", words=("hate", "crime")),
    "modern slavery": expect("actions", section="Modern Slavery"),
    "DASVG": expect("actions", bodies=("DASVG",)),
    "what are the priorities?": expect("priorities", plan=None),
    "priorities of the previous plan": expect("priorities", plan="cspp-2018-21"),
    "2018-21 priorities": expect("priorities", plan="cspp-2018-21"),
    "my actions": expect("my_actions"),
    "show my actions": expect("my_actions"),
    "what do I own?": expect("my_actions"),
    "status": expect("status"),
    "status DASVG": expect("status", bodies=("DASVG",)),
    "status theme 3": expect("status", theme=3),
    "meetings": expect("meetings"),
    "when does the DASVG meet next?": expect("next_meeting", bodies=("DASVG",)),
    "when is the next CLSG meeting?": expect("next_meeting", bodies=("CLSG",)),
    "when did the DASVG last meet?": expect("last_meeting", bodies=("DASVG",)),
    "meetings next month": expect("meetings"),
    "open scrutiny requests": expect("scrutiny"),
    "what does the DASVG want from the NCCSP team?": expect(
        "scrutiny", bodies=("DASVG", "NCCSP-TEAM")
    ),
    "extend plan to 31 March 2025: recommended by the Sub Panel": expect("extend_plan"),
    "what's due before April 2022": expect("due"),
    "what's due next month for DASVG?": expect("due", bodies=("DASVG",)),
    "due this month": expect("due"),
    "history 1.18": expect("history", number="1.18"),
    "show the history of action 2.4": expect("history", number="2.4"),
    "update": expect("update", number=None),
    "update 1.18": expect("update", number="1.18", status=None, text=""),
    "update 1.18 on track: Terms of Reference agreed": expect(
        "update", number="1.18", status="On track", text="Terms of Reference agreed"
    ),
    "Update 2.4 AT RISK - waiting for Data": expect(
        "update", number="2.4", status="At risk", text="waiting for Data"
    ),
    "update 3.1 done": expect("update", number="3.1", status="Complete", text=""),
    "update 3.1: dashboard live": expect(
        "update", number="3.1", status=None, text="dashboard live"
    ),
    "my bodies": expect("my_bodies"),
    "I work for OPCCN": expect("my_bodies", bodies=("OPCCN",)),
    "link this channel to DASVG": expect("link", bodies=("DASVG",)),
    "unlink": expect("unlink"),
    "links": expect("links"),
    "report": expect("report"),
    "reminders on": expect("reminders", on=True),
    "stop reminders": expect("reminders", on=False),
    "audit 1.18": expect("audit"),
    "failed deliveries": expect("failed_deliveries"),
    "show me the failed deliveries": expect("failed_deliveries"),
    "unlink DASVG": expect("unlink", bodies=("DASVG",)),
    "meetings DASVG": expect("meetings", bodies=("DASVG",)),
    "rules DASVG": expect("rules", bodies=("DASVG",)),
    "reminders off": expect("reminders", on=False),
    "blorp": expect("unknown"),
    "overdeu": expect("unknown"),
}


@pytest.mark.parametrize(("text", "expected"), list(CASES.items()))
def test_understanding(text: str, expected: tuple[str, dict[str, Any]]) -> None:
    name, fields = expected
    intent = understand(text, VOCAB, TODAY)
    assert intent.name == name, intent
    for field_name, value in fields.items():
        assert getattr(intent, field_name) == value, (field_name, intent)


def test_unknown_text_gets_suggestions() -> None:
    intent = understand("overdeu", VOCAB, TODAY)
    assert intent.suggestions and intent.suggestions[0] == "overdue"
    assert understand("blorp", VOCAB, TODAY).suggestions


def test_due_windows() -> None:
    before = understand("what's due before April 2022", VOCAB, TODAY).window
    assert before is not None and before.start is None and before.end == date(2022, 3, 31)
    nxt = understand("what's due next month for DASVG?", VOCAB, TODAY).window
    assert nxt is not None and (nxt.start, nxt.end) == (date(2022, 2, 1), date(2022, 2, 28))


def test_as_of() -> None:
    intent = understand("overdue for OPCCN as of 1 June 2022", VOCAB, TODAY)
    assert intent.name == "overdue" and intent.as_of == date(2022, 6, 1)
    assert intent.bodies == ("OPCCN",)


@pytest.mark.parametrize(
    ("text", "start", "end", "as_of"),
    [
        ("due today", date(2022, 1, 17), date(2022, 1, 17), None),
        ("this week", date(2022, 1, 17), date(2022, 1, 23), None),
        ("next week", date(2022, 1, 24), date(2022, 1, 30), None),
        ("this month", date(2022, 1, 1), date(2022, 1, 31), None),
        ("next month", date(2022, 2, 1), date(2022, 2, 28), None),
        ("this year", date(2022, 1, 1), date(2022, 12, 31), None),
        ("next 2 weeks", date(2022, 1, 17), date(2022, 1, 31), None),
        ("before april 2022", None, date(2022, 3, 31), None),
        ("by april 2022", None, date(2022, 4, 30), None),
        ("until 30/06/2022", None, date(2022, 6, 30), None),
        ("after march 2022", date(2022, 4, 1), None, None),
        ("in june 2022", date(2022, 6, 1), date(2022, 6, 30), None),
        ("in 2023", date(2023, 1, 1), date(2023, 12, 31), None),
        ("during 2022-23", date(2022, 4, 1), date(2023, 3, 31), None),
        ("as of 2022-06-01", None, None, date(2022, 6, 1)),
        ("as at 1 june 2022", None, None, date(2022, 6, 1)),
        ("nothing here", None, None, None),
    ],
)
def test_time_phrases(text: str, start: date | None, end: date | None, as_of: date | None) -> None:
    phrase = read_time(text, TODAY)
    if start is None and end is None:
        assert phrase.window is None
    else:
        assert phrase.window is not None
        assert (phrase.window.start, phrase.window.end) == (start, end)
    assert phrase.as_of == as_of


def test_intent_defaults() -> None:
    assert Intent("help").bodies == ()


# ----------------------------------------------------------- the issue's examples, on the seed
@pytest.fixture(scope="module")
def seed_vocabulary() -> Vocabulary:
    from benchmarks.understanding_rate import load_world

    return load_world().vocabulary


@pytest.mark.parametrize(
    ("text", "name", "fields"),
    [
        ("what's happening on county lines?", "actions", {"section": "County Lines"}),
        ("what are we doing about county lines?", "actions", {"me": False}),
        ("anything on fraud against older people?", "search", {"section": "Fraud"}),
        ("what is MASH responsible for?", "fact", {"fact": "remit", "bodies": ("MASH",)}),
        ("what does the prevent work involve?", "search", {"words": ("prevent",)}),
        ("ASB", "search", {"words": ("asb",)}),
        ("call blockers", "search", {}),
        ("overdue DAVSG", "overdue", {"bodies": ("DASVG",), "near": ("davsg",)}),
        ("overdue probaton", "overdue", {"bodies": ("PROBATION",)}),
        ("OPPCN", "actions", {"bodies": ("OPCCN",)}),
        ("overdue NHS", "overdue", {"bodies": (), "unknown_name": "nhs"}),
        ("overdue Norwich City Council", "overdue", {"unknown_name": "norwich city council"}),
        (
            "what's overdue for the Domestic Abuse and Sexual Violence Group?",
            "overdue",
            {"bodies": ("DASVG",), "section": None},
        ),
        ("what's behind schedule in theme 2?", "overdue", {"theme": 2}),
        ("actions theme 2", "actions", {"theme": 2}),
        ("Theme 2 actions", "actions", {"theme": 2}),
        ("what is outcome 7?", "outcome", {"outcome": 7}),
        ("who chairs the DASVG?", "fact", {"fact": "chair", "bodies": ("DASVG",)}),
        ("who owns 2.3?", "fact", {"fact": "owner", "number": "2.3"}),
        ("what is the success measure for 1.18?", "fact", {"fact": "measure"}),
        ("what does DHR stand for?", "fact", {"fact": "stands_for", "term": "dhr"}),
        ("thanks!", "smalltalk", {}),
    ],
)
def test_issue_examples(
    seed_vocabulary: Vocabulary, text: str, name: str, fields: dict[str, Any]
) -> None:
    intent = understand(text, seed_vocabulary, date(2022, 6, 1))
    assert intent.name == name, intent
    for field_name, value in fields.items():
        assert getattr(intent, field_name) == value, (field_name, intent)


def test_unknown_names_get_suggestions_not_the_whole_plan(seed_vocabulary: Vocabulary) -> None:
    intent = understand("overdue Norwich City Council", seed_vocabulary, date(2022, 6, 1))
    assert intent.maybe[:2] == ("NCC", "DISTRICTS")


def test_periods_in_questions(seed_vocabulary: Vocabulary) -> None:
    intent = understand("what's due in the next 3 months?", seed_vocabulary, date(2022, 8, 1))
    assert intent.name == "due" and intent.window is not None
    assert (intent.window.start, intent.window.end) == (date(2022, 8, 1), date(2022, 10, 31))


def test_kept_intents_are_the_same_as_understanding_afresh() -> None:
    from dataclasses import replace

    from bot.understood import LONGEST_KEPT, UnderstoodTexts

    kept = UnderstoodTexts(size=2)
    texts = ["what's overdue for me?", "what's due next month for DASVG?", "overdeu"]
    for text in texts * 2:
        assert kept.understand(text, VOCAB, TODAY) == understand(text, VOCAB, TODAY)
    assert len(kept) == 2  # bounded
    first = kept.understand(texts[1], VOCAB, TODAY)
    assert kept.understand(texts[1], VOCAB, TODAY) is first  # kept, not understood again
    # Another day reads "next month" afresh; so does another vocabulary (which starts afresh).
    later = date(2022, 9, 1)
    assert kept.understand(texts[1], VOCAB, later) == understand(texts[1], VOCAB, later)
    assert kept.understand(texts[1], VOCAB, later).window != first.window
    other = replace(VOCAB, sections=())
    assert kept.understand(texts[1], other, TODAY) == understand(texts[1], other, TODAY)
    assert len(kept) == 1
    long_text = "what's overdue for OPCCN " + "and " * LONGEST_KEPT + "me?"
    assert kept.understand(long_text, other, TODAY) == understand(long_text, other, TODAY)
    assert len(kept) == 1  # long texts (updates, notes) are never kept


@pytest.mark.parametrize(
    ("text", "status"),
    [
        ("which actions are complete", "Complete"),
        ("what has been done", "Complete"),
        ("actions finished this year", "Complete"),
        ("which are not started", "Not started"),
        ("actions never updated", "No update yet"),
        ("actions without any update", "No update yet"),
        ("what's at risk", "At risk"),
        ("what is off track", "Off track"),
        ("what's not done yet", None),
        ("which actions are not complete", None),
        ("what's incomplete", None),
        ("what's due to be completed next month", None),
        ("what is being done about scams", None),
        ("what's done about scams", None),
    ],
)
def test_the_status_a_list_is_narrowed_to(text: str, status: str | None) -> None:
    from bot.understand import status_asked

    assert status_asked(text)[0] == status
