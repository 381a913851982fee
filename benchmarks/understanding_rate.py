"""How well the bot understands partners' questions: the labelled corpus, scored per category.

Usage: python benchmarks/understanding_rate.py [--failures] [--corpus PATH]

Each question of tests/corpus/questions.yaml has the expected intent, entities and, where the
answer is a set of actions, the action numbers. A question counts as understood when the intent
and every labelled entity match, and the actions answered include every expected number (for a
topic search: among the first max(5, n) results; for a list: exactly). The vocabulary and the
plan are the bot's seed data, read without a database.
"""

from __future__ import annotations

import argparse
import sys
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bot.plan.body_names import BodyIndex  # noqa: E402
from bot.plan.due_dates import interpret_due_text  # noqa: E402
from bot.plan.knowledge import knowledge_from_data  # noqa: E402
from bot.plan.rules import current_status  # noqa: E402
from bot.plan.search import ActionSearch  # noqa: E402
from bot.plan.selection import by_deadline, narrow, rank  # noqa: E402
from bot.plan.types import ActionRecord, BodyInfo, BodyRef, UpdateRecord  # noqa: E402
from bot.understand import Vocabulary, understand  # noqa: E402
from storage.seed_data import PARTNERSHIP_FILE, PLAN_FILES  # noqa: E402

CORPUS = ROOT / "tests" / "corpus" / "questions.yaml"
DEFAULT_TODAY = date(2022, 6, 1)
PASS_RATE = 0.95
ENTITY_FIELDS = (
    "bodies",
    "section",
    "theme",
    "outcome",
    "number",
    "numbers",
    "fact",
    "term",
    "me",
    "everyone",
    "plan",
    "as_of",
    "maybe",
    "words",
    "status",
)


@dataclass(frozen=True)
class World:
    """The seed partnership and plan, as the bot would see them."""

    vocabulary: Vocabulary
    actions: tuple[ActionRecord, ...]
    search: ActionSearch


def load_world() -> World:
    """Bodies, knowledge and the current plan from the seed files."""
    partnership = yaml.safe_load(PARTNERSHIP_FILE.read_text(encoding="utf-8"))
    plan = yaml.safe_load(PLAN_FILES[1].read_text(encoding="utf-8"))
    return world_from(partnership, plan)


def world_from(partnership: dict[str, Any], plan: dict[str, Any]) -> World:
    """Bodies, knowledge and a plan from the mappings of a partnership and a plan file."""
    bodies = [
        BodyInfo(
            key=b["key"],
            name=str(b["name"]),
            abbreviation=b.get("abbreviation"),
            kind=b.get("kind", "organisation"),
            aliases=tuple(str(a) for a in b.get("aliases") or ()),
            reports_to=b.get("reports_to"),
        )
        for b in partnership["bodies"]
    ]
    by_key = {b.key: b for b in bodies}
    latest: dict[str, UpdateRecord] = {}
    for u in plan.get("updates") or []:
        day = date.fromisoformat(str(u["date"]))
        latest[str(u["action"])] = UpdateRecord(
            status=u["status"], text=u["text"], created_at=datetime(day.year, day.month, day.day)
        )
    actions: list[ActionRecord] = []
    outcomes: dict[int, str] = {}
    sections: list[str] = []
    for theme in plan["themes"]:
        outcomes[theme["number"]] = " ".join(o["text"] for o in theme.get("outcomes") or [])
        for section in theme["sections"]:
            sections.append(section["title"])
            for a in section["actions"]:
                due = interpret_due_text(str(a.get("date") or ""))
                actions.append(
                    ActionRecord(
                        id=len(actions) + 1,
                        plan_key=plan["plan"]["key"],
                        number=str(a["number"]),
                        text=str(a["action"]),
                        success_measure=str(a.get("success_measure") or ""),
                        owner_text=str(a.get("owner") or ""),
                        owners=tuple(by_key[k].ref for k in a.get("owners") or [] if k in by_key)
                        or tuple(BodyRef(k, k) for k in a.get("owners") or []),
                        due_text=str(a.get("date") or ""),
                        deadline=due.deadline,
                        ongoing=due.ongoing,
                        due_readable=due.readable,
                        theme_number=theme["number"],
                        theme_title=theme["title"],
                        section_title=section["title"],
                        latest=latest.get(str(a["number"])),
                    )
                )
    knowledge = knowledge_from_data(partnership)
    search = ActionSearch(actions, outcomes=outcomes, bodies=bodies, terms=knowledge.terms)
    outcome_numbers = tuple(
        o["number"] for theme in plan["themes"] for o in theme.get("outcomes") or []
    )
    vocabulary = Vocabulary(
        bodies=BodyIndex(bodies),
        sections=tuple(sections),
        previous_plan_key="cspp-2018-21",
        knowledge=knowledge,
        plan_words=search.words,
        outcomes=outcome_numbers,
    )
    return World(vocabulary, tuple(actions), search)


def answered_numbers(intent: Any, world: World, today: date, legacy: bool = False) -> list[str]:
    """The action numbers the bot's answer would list, in order.

    ``legacy``: leftover words are a keyword AND (as the bot did before topics were searched).
    """
    name = intent.name
    if name in ("action", "fact") and getattr(intent, "number", None):
        return [intent.number]
    if name not in ("actions", "search", "overdue", "due", "my_actions", "status"):
        return []
    scoped = narrow(
        world.actions,
        body_keys=intent.bodies or None,
        section=intent.section,
        theme=intent.theme,
        numbers=intent.numbers,
    )
    if legacy:
        chosen = tuple(a for a in scoped if _has_every_word(a, intent.words))
    else:
        chosen = rank(scoped, intent.words, world.search).actions
    status = getattr(intent, "status", None)
    if status is not None:  # "which actions are complete?"
        chosen = tuple(a for a in chosen if current_status(a) == status)
    listed = by_deadline(name, chosen, getattr(intent, "as_of", None) or today, intent.window)
    return [a.number for a in listed]


def _has_every_word(action: ActionRecord, words: tuple[str, ...]) -> bool:
    haystack = " ".join(
        (action.text, action.success_measure, action.owner_text, action.section_title)
    ).lower()
    return all(word.lower() in haystack for word in words)


def _value(value: Any) -> Any:
    if isinstance(value, list):
        return tuple(value)
    if isinstance(value, date):
        return value
    return value


def check(
    entry: dict[str, Any], world: World, read: Callable[..., Any], legacy: bool = False
) -> list[str]:
    """What the bot got wrong about one labelled question (empty: understood)."""
    today = entry.get("today") or DEFAULT_TODAY
    intent = read(entry["q"], world.vocabulary, today)
    wrong = []
    if intent.name != entry["intent"]:
        wrong.append(f"intent {intent.name!r} != {entry['intent']!r}")
    for name in ENTITY_FIELDS:
        if name in entry:
            got = getattr(intent, name, None)
            if name == "words":
                got = tuple(got or ())
            if got != _value(entry[name]):
                wrong.append(f"{name} {got!r} != {entry[name]!r}")
    if "window" in entry:
        window = getattr(intent, "window", None)
        got_window = None if window is None else [window.start, window.end]
        if got_window != entry["window"]:
            wrong.append(f"window {got_window} != {entry['window']}")
    if "actions" in entry:
        wrong.extend(_check_actions(entry, intent, world, today, legacy))
    return wrong


def _check_actions(
    entry: dict[str, Any], intent: Any, world: World, today: date, legacy: bool
) -> list[str]:
    expected = [str(n) for n in entry["actions"]]
    got = answered_numbers(intent, world, today, legacy)
    if entry["intent"] == "search":
        top = got[: max(5, len(expected))]
        missing = [n for n in expected if n not in top]
        return [f"actions missing {missing} from top {top}"] if missing else []
    if sorted(got) != sorted(expected):
        return [f"actions {got} != {expected}"]
    return []


def score(
    corpus: list[dict[str, Any]],
    world: World,
    read: Callable[..., Any] = understand,
    legacy: bool = False,
) -> tuple[dict[str, tuple[int, int]], list[tuple[dict[str, Any], list[str]]]]:
    """Per category (understood, total), and the questions not understood with why."""
    totals: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    failures = []
    for entry in corpus:
        try:
            wrong = check(entry, world, read, legacy)
        except Exception as exc:  # the old reader may crash on a question: a failure
            wrong = [f"error {exc!r}"]
        totals[entry["cat"]][1] += 1
        if wrong:
            failures.append((entry, wrong))
        else:
            totals[entry["cat"]][0] += 1
    return {cat: (ok, n) for cat, (ok, n) in sorted(totals.items())}, failures


def load_corpus(path: Path = CORPUS) -> list[dict[str, Any]]:
    """The labelled questions."""
    return list(yaml.safe_load(path.read_text(encoding="utf-8")))


def report(per_category: dict[str, tuple[int, int]]) -> str:
    """A table of rates per category and overall."""
    lines = [f"{'category':<14} {'understood':>10} {'total':>6} {'rate':>7}"]
    ok_all = sum(ok for ok, _ in per_category.values())
    n_all = sum(n for _, n in per_category.values())
    for cat, (ok, n) in per_category.items():
        lines.append(f"{cat:<14} {ok:>10} {n:>6} {ok / n:>7.1%}")
    lines.append(f"{'ALL':<14} {ok_all:>10} {n_all:>6} {ok_all / max(n_all, 1):>7.1%}")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--failures", action="store_true", help="list what was misunderstood")
    parser.add_argument("--corpus", type=Path, default=CORPUS)
    args = parser.parse_args()
    per_category, failures = score(load_corpus(args.corpus), load_world())
    print(report(per_category))
    if args.failures:
        for entry, wrong in failures:
            print(f"- [{entry['cat']}] {entry['q']!r}: {'; '.join(wrong)}")


if __name__ == "__main__":
    main()
