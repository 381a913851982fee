"""Synthetic plans for the plan-scale benchmark: the real plan's shape, ``scale`` times over.

The real plan (``storage/seed/plan_2021_24.yaml``: 3 themes, 9 sections, 55 actions) is kept
verbatim, numbers and updates included, so "action 1.18" is still the real action 1.18. A
plan of scale N adds copies until it has 55 x N actions:

- themes: ``round(sqrt(N))`` copies of the three real themes (1x: 3 themes, 10x: 9, 100x: 30),
  each copy named for a Norfolk area, with its outcomes;
- sections: within a theme, the real sections again and again, each later round named for a
  workstream ("Fraud: enforcement"), about six actions a section as in the real plan;
- actions: the real action texts and success measures, each copy naming its area or
  workstream; owners drawn (one to three) from 200 bodies with a Zipf-like weighting, so a few
  bodies own hundreds of actions; due dates spread over the plan period (September 2021 to
  March 2024) with some "Ongoing", "... then ongoing" and "2022-23" dates, so that on the
  benchmark's "today" (:data:`AS_OF`) many are overdue;
- progress updates: none to six per copied action, oldest first, with a realistic mix of
  statuses (a quarter end "Complete"), so each action's latest status is real work to find.

Bodies are the 57 real ones plus made-up local teams, hubs and panels up to 200; people are
2,000 made-up staff with one to three memberships each, the busiest bodies having the most.

Everything is built as the plain data a YAML plan file holds and loaded with the project's own
code (``storage.plan_loader.apply_partnership`` / ``apply_plan``, the memberships CSV importer,
``storage.people.ensure_person``): see :func:`load`.
"""

from __future__ import annotations

import csv
import math
import random
import tempfile
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from storage.db import transaction
from storage.membership_import import import_memberships
from storage.people import ensure_person
from storage.plan_document import partnership_from_data, plan_from_data, read_yaml
from storage.plan_loader import apply_partnership, apply_plan
from storage.seed_data import PARTNERSHIP_FILE, PLAN_FILES

CURRENT_PLAN_FILE = PLAN_FILES[-1]
AS_OF = date(2023, 6, 15)  # "today" for the benchmark: two years into the three-year plan
PLAN_START = date(2021, 9, 1)
PLAN_END = date(2024, 3, 31)
BODIES = 200
PEOPLE = 2000

# The asker of "what's overdue for me?": a member of the two bodies the conversation
# benchmark uses, the busiest and the fifth busiest.
ASKER_EMAIL = "alex.morgan@norfolk-pcc.gov.uk"
ASKER_NAME = "Alex Morgan"
ASKER_AAD = "aad-asker-0000"
ASKER_BODIES = ("CONSTABULARY", "OPCCN")

AREAS = (
    "Norwich",
    "Breckland",
    "Broadland",
    "Great Yarmouth",
    "King's Lynn and West Norfolk",
    "North Norfolk",
    "South Norfolk",
    "the Coast",
    "Rural Norfolk",
    "Thetford",
    "Dereham",
    "Wymondham",
)
WORKSTREAMS = (
    "prevention",
    "enforcement",
    "victim support",
    "education",
    "data and insight",
    "communications",
    "training",
    "commissioning",
    "early intervention",
    "community engagement",
    "evaluation",
    "young people",
)
PLACES = (
    "Norwich",
    "King's Lynn",
    "Great Yarmouth",
    "Thetford",
    "Dereham",
    "Wymondham",
    "Diss",
    "Attleborough",
    "Swaffham",
    "Downham Market",
    "Fakenham",
    "Cromer",
    "North Walsham",
    "Aylsham",
    "Sheringham",
    "Hunstanton",
    "Holt",
    "Watton",
    "Long Stratton",
    "Harleston",
    "Acle",
    "Loddon",
    "Reepham",
    "Stalham",
    "Sprowston",
    "Hellesdon",
    "Costessey",
    "Gorleston",
)
BODY_KINDS = (
    ("Community Safety Hub", "team"),
    ("Early Help Hub", "team"),
    ("Neighbourhood Policing Team", "team"),
    ("Safer Neighbourhood Action Panel", "panel"),
    ("Youth Partnership", "group"),
    ("Tenancy Support Service", "service"),
)


def _words(text: str) -> tuple[str, ...]:
    return tuple(text.split())


FIRST_NAMES = _words(
    "Amelia Olivia Isla Ava Mia Grace Lily Freya Emily Ivy Ella Rosie Evie Florence Poppy "
    "Oliver George Noah Arthur Leo Harry Oscar Archie Henry Theo Jack Charlie Freddie "
    "Alfie Thomas Samuel Joseph Daniel Priya Aisha Fatima Mohammed Ali Zofia Jakub Tomasz "
    "Chloe Ruth"
)
LAST_NAMES = _words(
    "Smith Jones Taylor Brown Williams Wilson Johnson Davies Robinson Wright Thompson "
    "Evans Walker White Roberts Green Hall Wood Jackson Clarke Patel Khan Lewis James "
    "Phillips Mason Mitchell Rose Davis Rodriguez Cox Alexander Garden Campbell Johnston "
    "Moore Smyth Howard"
)
DOMAINS = (
    "norfolk.police.uk",
    "norfolk.gov.uk",
    "norfolk-pcc.gov.uk",
    "nhs.net",
    "norwich.gov.uk",
    "west-norfolk.gov.uk",
    "probation.gov.uk",
)
MONTHS = _words(
    "January February March April May June July August September October November December"
)
UPDATE_TEXTS = (
    "Task and finish group met on {day}; terms of reference agreed and membership confirmed.",
    "Data products shared with the delivery group; {n} referrals recorded this quarter.",
    "Awareness campaign ran across {area} with {n} contacts; evaluation under way.",
    "Training delivered to {n} front-line staff; feedback positive, second cohort booked.",
    "Funding bid submitted; decision expected next quarter. Delay owing to staff vacancies.",
    "Pilot in {area} complete; findings to be presented at the next partnership meeting.",
    "Procurement paused pending the county review; revised timetable to follow.",
    "Multi-agency workshop held with {n} attendees; action plan drafted and circulated.",
    "Process reviewed and published; partners briefed. Monitoring continues quarterly.",
    "Recruitment to the coordinator post complete; work restarted after a gap of {n} weeks.",
)
FINAL_STATUS = (
    ("Complete", 25),
    ("On track", 33),
    ("At risk", 14),
    ("Off track", 10),
    ("Not started", 6),
    ("Ongoing", 12),
)
EARLIER_STATUS = (("On track", 50), ("Not started", 20), ("At risk", 20), ("Off track", 10))


@dataclass
class Synthetic:
    """A synthetic partnership: what a YAML plan file and a memberships CSV would hold."""

    scale: int
    bodies: list[dict[str, Any]]  # partnership.yaml ``bodies`` entries (real ones first)
    meetings: list[dict[str, Any]]  # partnership.yaml ``meetings`` (the real ones)
    plan: dict[str, Any]  # a plan file's mapping: ``plan``, ``themes``, ``updates``
    people: list[tuple[str, str, str]]  # (aad object id, name, e-mail)
    memberships: list[tuple[str, str, str]]  # (e-mail, body key, role)
    owner_counts: Counter[str] = field(default_factory=Counter)

    @property
    def action_count(self) -> int:
        """How many actions the plan has."""
        return sum(len(s.get("actions") or []) for t in self.plan["themes"] for s in t["sections"])

    @property
    def update_count(self) -> int:
        """How many progress updates the plan file gives."""
        return len(self.plan.get("updates") or [])

    @property
    def theme_count(self) -> int:
        """How many themes the plan has."""
        return len(self.plan["themes"])

    @property
    def section_count(self) -> int:
        """How many sections the plan has."""
        return sum(len(t["sections"]) for t in self.plan["themes"])

    def busiest(self, among: tuple[str, ...] | None = None) -> str:
        """The body that owns the most actions (of ``among``, when given)."""
        counts = self.owner_counts
        keys = among or tuple(counts)
        return max(keys, key=lambda k: (counts[k], k))


def _synthetic_bodies(count: int, taken: set[str]) -> list[dict[str, Any]]:
    bodies: list[dict[str, Any]] = []
    for kind_index, (kind_name, kind) in enumerate(BODY_KINDS):
        for place in PLACES:
            if len(bodies) == count:
                return bodies
            letters = "".join(ch for ch in place.upper() if ch.isalpha())[:6]
            key = f"{letters}-{''.join(w[0] for w in kind_name.split())}"
            if key in taken:
                key = f"{key}{kind_index}"
            taken.add(key)
            bodies.append(
                {
                    "key": key,
                    "name": f"{place} {kind_name}",
                    "kind": kind,
                    "note": "Synthetic body for the plan-scale benchmark.",
                }
            )
    if len(bodies) < count:
        raise ValueError(f"only {len(bodies)} synthetic body names; {count} asked for")
    return bodies


def _ranked_keys(real_plan: dict[str, Any], bodies: list[dict[str, Any]]) -> list[str]:
    """Body keys, busiest first: the real plan's owners by how often they own, then the rest."""
    owned: Counter[str] = Counter()
    for theme in real_plan["themes"]:
        for section in theme["sections"]:
            for action in section.get("actions") or []:
                owned.update(k.upper() for k in action.get("owners") or [])
    keys = [b["key"] for b in bodies]
    ranked = sorted(owned, key=lambda k: (-owned[k], k))
    return ranked + [k for k in keys if k not in owned]


class _Sampler:
    """Draws bodies with weight 1/rank (Zipf, s=1)."""

    def __init__(self, rng: random.Random, ranked: list[str]) -> None:
        self.rng = rng
        self.keys = ranked
        self.weights = [1.0 / (rank + 1) for rank in range(len(ranked))]

    def pick(self, count: int) -> list[str]:
        chosen: list[str] = []
        while len(chosen) < count:
            key = self.rng.choices(self.keys, self.weights)[0]
            if key not in chosen:
                chosen.append(key)
        return chosen


def _due_text(rng: random.Random) -> str:
    roll = rng.random()
    months = (PLAN_END.year - PLAN_START.year) * 12 + PLAN_END.month - PLAN_START.month
    offset = rng.randrange(months + 1)
    year = PLAN_START.year + (PLAN_START.month - 1 + offset) // 12
    month = MONTHS[(PLAN_START.month - 1 + offset) % 12]
    if roll < 0.14:
        return "Ongoing"
    if roll < 0.26:
        return f"{month} {year} then ongoing"
    if roll < 0.31:
        return rng.choice(("2021-22", "2022-23", "2023-24"))
    return f"{month} {year}"


def _updates(
    rng: random.Random, number: str, area: str, authors: list[str], ongoing: bool
) -> list[dict[str, Any]]:
    count = rng.choices(range(7), (15, 20, 20, 18, 12, 8, 7))[0]
    if count == 0:
        return []
    span = (AS_OF - timedelta(days=1) - PLAN_START).days
    days = sorted(PLAN_START + timedelta(days=rng.randrange(span)) for _ in range(count))
    out = []
    for index, day in enumerate(days):
        last = index == count - 1
        table = FINAL_STATUS if last else EARLIER_STATUS
        status = rng.choices([s for s, _ in table], [w for _, w in table])[0]
        if status == "Ongoing" and not ongoing:
            status = "On track"
        text = rng.choice(UPDATE_TEXTS).format(
            day=day.strftime("%-d %B"), n=rng.randrange(3, 400), area=area
        )
        update: dict[str, Any] = {
            "action": number,
            "date": day.isoformat(),
            "status": status,
            "text": f"{text} (update {index + 1})",
            "author": rng.choice(authors),
            "source": "synthetic",
        }
        if status in ("At risk", "Off track") and rng.random() < 0.3:
            update["revised_date"] = (day + timedelta(days=rng.randrange(60, 300))).isoformat()
        out.append(update)
    return out


def _people(
    rng: random.Random, sampler: _Sampler, count: int
) -> tuple[list[tuple[str, str, str]], list[tuple[str, str, str]]]:
    people = [(ASKER_AAD, ASKER_NAME, ASKER_EMAIL)]
    memberships = [(ASKER_EMAIL, key, "member") for key in ASKER_BODIES]
    chaired: set[str] = set()
    for index in range(1, count):
        first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
        email = f"{first}.{last}{index}@{rng.choice(DOMAINS)}".lower()
        people.append((f"aad-{index:06d}", f"{first} {last}", email))
        for key in sampler.pick(rng.choices((1, 2, 3), (55, 30, 15))[0]):
            role = "member"
            if key not in chaired:
                chaired.add(key)
                role = "chair"
            memberships.append((email, key, role))
    return people, memberships


def generate(
    scale: int, *, bodies: int = BODIES, people: int = PEOPLE, seed: int = 2024
) -> Synthetic:
    """The partnership with a plan of ``scale`` x 55 actions (deterministic for a seed)."""
    if scale < 1:
        raise ValueError("scale must be at least 1")
    rng = random.Random(seed * 1000 + scale)
    real = read_yaml(CURRENT_PLAN_FILE)
    partnership = read_yaml(PARTNERSHIP_FILE)
    real_bodies = list(partnership["bodies"])
    taken = {str(b["key"]).upper() for b in real_bodies}
    all_bodies = real_bodies + _synthetic_bodies(max(0, bodies - len(real_bodies)), taken)
    names = {str(b["key"]).upper(): str(b["name"]) for b in all_bodies}
    sampler = _Sampler(rng, _ranked_keys(real, all_bodies))
    people_rows, memberships = _people(rng, sampler, people)
    authors = [name for _, name, _ in people_rows[:300]]

    themes: list[dict[str, Any]] = []
    updates: list[dict[str, Any]] = list(real.get("updates") or [])
    owner_counts: Counter[str] = Counter()
    copies = max(1, round(math.sqrt(scale)))
    real_themes = real["themes"]
    outcomes_per_copy = sum(len(t.get("outcomes") or []) for t in real_themes)
    for copy in range(copies):
        for theme in real_themes:
            real_actions = [a for s in theme["sections"] for a in s.get("actions") or []]
            total = len(real_actions) * scale
            quota = total // copies + (1 if copy < total % copies else 0)
            number = len(real_themes) * copy + int(theme["number"])
            area = AREAS[(copy - 1) % len(AREAS)] if copy else ""
            new_theme = {
                key: value for key, value in theme.items() if key not in ("sections", "outcomes")
            }
            new_theme["number"] = number
            if copy:
                new_theme["title"] = f"{theme['title']} ({area})"
            new_theme["outcomes"] = [
                {
                    "number": outcomes_per_copy * copy + int(o["number"]),
                    "text": f"{o['text']} in {area}" if copy else o["text"],
                }
                for o in theme.get("outcomes") or []
            ]
            sections: list[dict[str, Any]] = []
            made = 0
            next_number = 1
            for round_ in range(10**6):
                for section in theme["sections"]:
                    if made >= quota:
                        break
                    real_section = copy == 0 and round_ == 0
                    if round_ == 0:
                        title = section["title"]
                    else:
                        stream = WORKSTREAMS[(round_ - 1) % len(WORKSTREAMS)]
                        lap = (round_ - 1) // len(WORKSTREAMS)
                        title = f"{section['title']}: {stream}" + (f" {lap + 1}" if lap else "")
                    where = area or WORKSTREAMS[(round_ - 1) % len(WORKSTREAMS)]
                    actions = []
                    for item in section.get("actions") or []:
                        if made >= quota:
                            break
                        made += 1
                        if real_section:
                            actions.append(item)
                            owner_counts.update(k.upper() for k in item.get("owners") or [])
                            next_number = int(str(item["number"]).split(".")[1]) + 1
                            continue
                        owners = sampler.pick(rng.choices((1, 2, 3), (60, 30, 10))[0])
                        owner_counts.update(owners)
                        action_number = f"{number}.{next_number}"
                        next_number += 1
                        due = _due_text(rng)
                        actions.append(
                            {
                                "number": action_number,
                                "action": f"{item['action']} ({where})",
                                "success_measure": item.get("success_measure") or "",
                                "owner": " and ".join(names[k] for k in owners),
                                "owners": owners,
                                "date": due,
                            }
                        )
                        updates.extend(
                            _updates(rng, action_number, where, authors, "ngoing" in due)
                        )
                    if actions:
                        sections.append({"title": title, "actions": actions})
                if made >= quota:
                    break
            new_theme["sections"] = sections
            themes.append(new_theme)
    plan = {"plan": dict(real["plan"]), "themes": themes, "updates": updates}
    return Synthetic(
        scale=scale,
        bodies=all_bodies,
        meetings=list(partnership.get("meetings") or []),
        plan=plan,
        people=people_rows,
        memberships=memberships,
        owner_counts=owner_counts,
    )


@dataclass
class LoadTimes:
    """Seconds spent loading each part, for the report."""

    bodies: float = 0.0
    plan: float = 0.0
    people: float = 0.0


def load(factory: sessionmaker[Session], synthetic: Synthetic, now: datetime) -> LoadTimes:
    """Load a synthetic partnership into a database that has the default data.

    Bodies go through ``apply_partnership``, the plan through ``apply_plan`` (what ``python -m
    bot import`` runs; it upserts the current plan, so the real actions stay as they are),
    memberships through the memberships CSV importer (``python -m bot members``), and each
    person is then seen "in Teams" once (``ensure_person`` with an AAD object id), as everyone
    who has used the bot has been.

    Raises:
        ValueError: when the plan import rejects rows.
    """
    import time

    times = LoadTimes()
    start = time.perf_counter()
    with transaction(factory) as session:
        apply_partnership(
            session,
            partnership_from_data({"bodies": synthetic.bodies, "meetings": synthetic.meetings}),
        )
    times.bodies = time.perf_counter() - start

    start = time.perf_counter()
    document = plan_from_data(synthetic.plan)
    if document is None:
        raise ValueError("the synthetic plan has no 'plan' part")
    with transaction(factory) as session:
        report = apply_plan(session, document, now=now)
        if not report.applied:
            raise ValueError("synthetic plan rejected: " + " | ".join(report.lines()[:5]))
    times.plan = time.perf_counter() - start

    start = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="bench-members-") as folder:
        path = Path(folder) / "members.csv"
        with path.open("w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle)
            writer.writerow(["email", "body", "role"])
            writer.writerows(synthetic.memberships)
        members = import_memberships(factory, path)
        if not members.applied:
            raise ValueError("memberships rejected: " + " | ".join(members.lines()[:5]))
    with transaction(factory) as session:
        for aad, name, email in synthetic.people:
            ensure_person(session, aad_object_id=aad, name=name, email=email)
    times.people = time.perf_counter() - start
    return times
