"""View data: what a handler decided to show, ready for a card function to lay out."""

from __future__ import annotations

from collections.abc import Mapping
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
    why: str = ""  # for a topic search: where the words were found
    status_note: str = ""  # "30 Nov 2021" for an inferred status; "stale: ..." for an old one


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
    """One action in full.

    Attributes:
        live: the card is in a shared conversation: it carries a Universal Actions ``refresh``
            so that each person who opens it gets the current figures and their own buttons.
        viewer_known: False for the card everyone first receives (posted, inserted from the
            compose box, unfurled): read-only with a "Refresh" button, since it is not yet
            anybody's own view.
    """

    action: ActionRecord
    status: str
    deadline_label: str
    flag: str = ""
    history_count: int = 0
    can_update: bool = True
    message: str = ""
    live: bool = False
    viewer_known: bool = True


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
    page: int = 1  # a large plan's themes come a page at a time
    pages: int = 1
    themes_per_page: int = 10


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
class PersonalDataView:
    """A submitted update that looks like it holds personal data, before it is saved.

    ``found`` says what was found (kinds and the words); ``values`` are the submitted fields,
    carried by both buttons so that nothing typed is lost; ``token`` confirms this text only.
    """

    action: ActionRecord
    found: str
    values: dict[str, str]
    key: str
    token: str
    inline: bool = False
    origin: dict[str, Any] | None = None


@dataclass(frozen=True)
class PromptItem:
    """An action on a prompt or reminder, with why it is listed."""

    action: ActionRecord
    status: str
    reason: str


@dataclass(frozen=True)
class UpdatePromptView:
    """The digest posted in a body's channel before its meeting (or the follow-up)."""

    body_label: str
    meeting_title: str
    meeting_when: str
    items: tuple[PromptItem, ...]
    follow_up: bool = False
    since_label: str = ""
    more: int = 0
    whole_plan: bool = False
    # Open scrutiny requests due at this meeting (or still outstanding from earlier ones).
    requests: tuple[str, ...] = ()


@dataclass(frozen=True)
class MeetingReminderView:
    """A member's 1:1 reminder of a meeting, with what is due from them."""

    body_label: str
    meeting_title: str
    meeting_when: str
    location: str = ""
    link: str | None = None
    items: tuple[PromptItem, ...] = ()
    more: int = 0


@dataclass(frozen=True)
class MeetingRow:
    """One meeting occurrence in a list."""

    meeting_id: int
    body_label: str
    title: str
    date_label: str
    time_label: str
    location: str = ""
    link: str | None = None
    repeats: str = ""
    can_edit: bool = False


@dataclass(frozen=True)
class MeetingListView:
    """A page of coming meetings; ``query`` is carried by the paging buttons."""

    title: str
    summary: str
    rows: tuple[MeetingRow, ...]
    page: int = 1
    pages: int = 1
    query: dict[str, Any] = field(default_factory=dict)
    add_bodies: tuple[str, ...] = ()
    message: str = ""
    # Bodies meeting on a cadence with no dates on record ("DASVG: monthly; ...").
    cadences: tuple[str, ...] = ()


@dataclass(frozen=True)
class MeetingFormView:
    """The add/edit meeting form: values shown, errors per field, bodies to choose from."""

    values: dict[str, str]
    meeting_id: int | None = None
    body_choices: tuple[tuple[str, str], ...] = ()
    errors: dict[str, str] = field(default_factory=dict)
    message: str = ""


@dataclass(frozen=True)
class RulesView:
    """A body's prompt and reminder timing; editable by its chairs and admins."""

    body_key: str
    body_label: str
    lead_days: int
    follow_up_days: int
    reminder_days: int
    can_edit: bool = False
    editing: bool = False
    values: dict[str, str] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)
    message: str = ""


@dataclass(frozen=True)
class ProblemRow:
    """A scheduled message that did not arrive, for admins."""

    when: str
    body_label: str
    kind: str
    recipient: str
    status: str
    outcome: str


@dataclass(frozen=True)
class ProblemListView:
    """Failed deliveries of the last days."""

    rows: tuple[ProblemRow, ...]
    days: int


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
    # The plan's period ("... 1 April 2021 to 31 March 2024 (ended)"), the scope's next meeting
    # on record (or its cadence), and the open scrutiny requests that meeting should see.
    period: str = ""
    next_meeting: str = ""
    scrutiny: tuple[str, ...] = ()


@dataclass(frozen=True)
class ReportLinksView:
    """Download links for the plan report (shown only to the chair or admin who asked)."""

    plan_title: str
    as_of: str
    links: tuple[tuple[str, str], ...]  # (button title, URL)
    expires: str


@dataclass(frozen=True)
class AuditView:
    """A page of the audit log (for one subject, or everything)."""

    subject: str | None
    entries: tuple[Any, ...]
    page: int = 1
    more: bool = False
    labels: Mapping[str, str] = field(default_factory=dict)  # body keys -> names people know


@dataclass(frozen=True)
class ScrutinyRow:
    """One scrutiny request or recommendation as a card shows it."""

    request_id: int
    ref: str
    kind: str
    text: str
    asked_by: str
    owner: str
    due: str
    status: str
    response: str = ""
    responded: str = ""
    can_respond: bool = False


@dataclass(frozen=True)
class ScrutinyListView:
    """Requests and recommendations; ``query`` lets the card be worked out again after a save."""

    title: str
    summary: str
    rows: tuple[ScrutinyRow, ...]
    query: dict[str, Any] = field(default_factory=dict)
    message: str = ""


@dataclass(frozen=True)
class ScrutinyResponseView:
    """The form a chair or admin records a response with."""

    row: ScrutinyRow
    query: dict[str, Any]
    values: dict[str, str] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)
