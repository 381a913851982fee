"""View data: what a handler decided to show, ready for a card function to lay out."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from bot.plan.types import ActionRecord, BodyInfo, PlanRecord, UpdateRecord


@dataclass(frozen=True)
class ActionItem:
    """One action in a list, with the labels the handler worked out for "today"."""

    action: ActionRecord
    status: str
    deadline_label: str
    flag: str = ""  # e.g. "42 days overdue", "no update for 120 days"
    can_update: bool = True


@dataclass(frozen=True)
class ActionListView:
    """A page of actions.

    ``query`` is the compact form of the question, carried by the paging buttons so that the
    next page is worked out afresh from the database.
    """

    title: str
    summary: str
    items: tuple[ActionItem, ...]
    page: int = 1
    pages: int = 1
    total: int = 0
    query: dict[str, Any] = field(default_factory=dict)
    empty_text: str = "No actions match."
    hint: str = ""
    show_choose_bodies: bool = False


@dataclass(frozen=True)
class ActionDetailView:
    """One action in full."""

    action: ActionRecord
    status: str
    deadline_label: str
    flag: str = ""
    history_count: int = 0
    can_update: bool = True
    message: str = ""


@dataclass(frozen=True)
class HistoryView:
    """Every update of one action, newest first (a page of them)."""

    action: ActionRecord
    updates: tuple[UpdateRecord, ...]
    page: int = 1
    pages: int = 1


@dataclass(frozen=True)
class PlanView:
    """The priorities (themes and outcomes) of a plan, and the other plans one can ask about."""

    plan: PlanRecord
    other_plans: tuple[PlanRecord, ...] = ()


@dataclass(frozen=True)
class BodyChoiceView:
    """The searchable list of bodies a person can say they work for."""

    bodies: tuple[BodyInfo, ...]
    selected: tuple[str, ...] = ()
    search: str = ""
    message: str = ""
    total_matches: int = 0


@dataclass(frozen=True)
class HelpView:
    """Help text for where the person is (personal chat, channel, group chat, meeting)."""

    place: str
    greeting: str = ""
    suggestions: tuple[str, ...] = ()
    not_understood: str = ""


@dataclass(frozen=True)
class UpdateFormView:
    """The progress-update form for one action.

    ``values`` holds what the form shows (prefilled from the latest update, or what the person
    typed when the form comes back with errors); ``errors`` maps an input id to its message.
    """

    action: ActionRecord
    values: dict[str, str]
    key: str
    inline: bool = False
    errors: dict[str, str] = field(default_factory=dict)
    message: str = ""
    origin: dict[str, Any] | None = None


@dataclass(frozen=True)
class PostedUpdate:
    """An update shown on the status card: which action, what was said, who posted it, when."""

    number: str
    status: str
    text: str
    author: str
    posted: str  # London date and time, e.g. "20 May 2022 14:05"


@dataclass(frozen=True)
class StatusView:
    """The status card: counts by status, the overdue actions, the updates since a meeting.

    ``counts`` holds every status with its number (zeros included) and adds up to ``total``;
    ``scope`` is the compact form of the question, carried by the refresh and "Show all"
    actions so that they work it out again from the database.
    """

    title: str
    summary: str
    counts: dict[str, int]
    total: int
    overdue: tuple[ActionItem, ...]
    overdue_total: int
    since_label: str
    updates: tuple[PostedUpdate, ...]
    updates_total: int
    scope: dict[str, Any]
    made_at: str
    hint: str = ""


@dataclass(frozen=True)
class ReportLinksView:
    """Download links for the plan report (shown only to the chair or admin who asked)."""

    plan_title: str
    as_of: str
    links: tuple[tuple[str, str], ...]  # (button title, URL)
    expires: str
