"""Plain, immutable views of the plan that rules, cards and dialogs work with.

Storage builds these from the database; nothing here knows about SQLAlchemy or Teams.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any


class PlanNotFound(LookupError):
    """No plan with that key (or no current plan)."""


class StoreUnavailable(RuntimeError):
    """The database failed; a write that was under way kept nothing (the stores' one error)."""


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
class PersonRecord:
    """A person with their memberships.

    Attributes:
        memberships: active memberships as (body key, role) pairs: these grant permissions.
        claimed: bodies the person asked to join, waiting for approval: they scope "me"
            questions and grant nothing.
        vouched: bodies of active memberships from the operator's list or an e-mail domain
            rule (not self-service): only these count for ``ADMIN_BODY``.
    """

    id: int
    aad_object_id: str | None
    name: str
    email: str | None
    memberships: tuple[tuple[str, str], ...] = ()
    claimed: tuple[str, ...] = ()
    vouched: tuple[str, ...] = ()

    @property
    def body_keys(self) -> tuple[str, ...]:
        """Keys of every body the person works for, as far as "me" questions go.

        Active memberships (whatever the role) and pending claims.
        """
        return tuple(dict.fromkeys([*(key for key, _ in self.memberships), *self.claimed]))

    def role_in(self, body_key: str) -> str | None:
        """The person's role in a body, or None."""
        return next((role for key, role in self.memberships if key == body_key), None)


@dataclass(frozen=True)
class Actor:
    """Who made a change: a person (with their id) or a command-line operator."""

    person_id: int | None
    label: str
    conversation_id: str | None = None


@dataclass(frozen=True)
class AuditRecord:
    """One audit entry as plain data."""

    at: datetime
    actor: str
    action: str
    subject_type: str
    subject_key: str
    before: dict[str, Any] | None
    after: dict[str, Any] | None


@dataclass(frozen=True)
class NewUpdate:
    """A validated progress update, ready to store."""

    action_id: int
    status: str
    text: str
    revised_date: date | None
    evidence_url: str | None
    author_person_id: int | None
    author_name: str
    key: str
    source: str = "teams"
    # Kinds of personal data the author was warned about and saved anyway (for the audit log).
    personal_data_confirmed: tuple[str, ...] = ()


@dataclass(frozen=True)
class RecordedUpdate:
    """What storing an update came to: the action as it now stands, and what happened."""

    action: ActionRecord
    created: bool  # False: a repeat of the same submission (nothing new stored)
    notices: int = 0  # update notices planned for linked channels


@dataclass(frozen=True)
class LinkRecord:
    """A channel linked to a body."""

    body_key: str
    body_label: str
    conversation_ref_id: int
    conversation_id: str
    team_id: str | None
    active: bool
    created_at: datetime


@dataclass(frozen=True)
class DeliveryProblem:
    """A scheduled message that did not arrive, with readable names (for "failed deliveries")."""

    due_at: datetime
    rule: str
    status: str
    outcome: str | None
    body_label: str
    recipient_label: str


@dataclass(frozen=True)
class PendingRequest:
    """A request to join a body, as an approver sees it."""

    person_id: int
    name: str
    email: str | None
    body_key: str
    body_name: str
    requested_at: datetime


@dataclass
class ChoiceResult:
    """What saving a person's choice of bodies did."""

    requested: list[str] = field(default_factory=list)
    withdrawn: list[str] = field(default_factory=list)
    left: list[str] = field(default_factory=list)
    already: list[str] = field(default_factory=list)
    kept: list[str] = field(default_factory=list)
    unknown: list[str] = field(default_factory=list)
    notified: int = 0
