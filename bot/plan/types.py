"""Plain, immutable views of the plan that rules, cards and dialogs work with.

Storage builds these from the database; nothing here knows about SQLAlchemy or Teams.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

STATUSES: tuple[str, ...] = (
    "Not started",
    "On track",
    "At risk",
    "Off track",
    "Complete",
    "Ongoing",
)
NO_UPDATE = "No update yet"
ROLES: tuple[str, ...] = ("member", "chair", "admin")


@dataclass(frozen=True)
class BodyRef:
    """A body as shown to people: its key, name and abbreviation."""

    key: str
    name: str
    abbreviation: str | None = None

    @property
    def label(self) -> str:
        """The short form people know it by (abbreviation, else name)."""
        return self.abbreviation or self.name


@dataclass(frozen=True)
class BodyInfo:
    """A body with everything the bot uses to recognise it in text."""

    key: str
    name: str
    abbreviation: str | None
    kind: str
    aliases: tuple[str, ...] = ()
    reports_to: str | None = None

    @property
    def ref(self) -> BodyRef:
        """This body as a :class:`BodyRef`."""
        return BodyRef(self.key, self.name, self.abbreviation)


@dataclass(frozen=True)
class UpdateRecord:
    """One progress update as stored (updates are append-only)."""

    status: str
    text: str
    created_at: datetime
    author_name: str = ""
    revised_date: date | None = None
    evidence_url: str | None = None
    source: str = "teams"
    id: int = 0


@dataclass(frozen=True)
class ActionRecord:
    """One action of a plan with its owners and latest progress update."""

    id: int
    plan_key: str
    number: str
    text: str
    success_measure: str
    owner_text: str
    owners: tuple[BodyRef, ...]
    due_text: str
    deadline: date | None
    ongoing: bool
    due_readable: bool
    theme_number: int
    theme_title: str
    section_title: str
    latest: UpdateRecord | None = None

    @property
    def owner_labels(self) -> str:
        """Owners' short names joined for display."""
        return ", ".join(owner.label for owner in self.owners)


@dataclass(frozen=True)
class OutcomeRecord:
    """A long-term outcome."""

    number: int
    text: str


@dataclass(frozen=True)
class ThemeRecord:
    """A theme (delivery plan) or a priority of an earlier plan, with its outcomes."""

    number: int
    title: str
    outcomes: tuple[OutcomeRecord, ...] = ()
    sections: tuple[str, ...] = ()
    action_count: int = 0
    sponsor_text: str = ""
    lead_officer: str = ""
    why: str = ""
    achieved: str = ""
    objectives: str = ""
    targets: str = ""


@dataclass(frozen=True)
class PlanRecord:
    """A plan and its themes."""

    key: str
    title: str
    is_current: bool
    starts: date | None
    ends: date | None
    themes: tuple[ThemeRecord, ...] = field(default_factory=tuple)
    description: str = ""


@dataclass(frozen=True)
class PendingRequest:
    """A request to join a body, as an approver sees it."""

    person_id: int
    name: str
    email: str | None
    body_key: str
    body_name: str
    requested_at: datetime
