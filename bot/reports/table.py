"""The report's content: the plan's actions as the panel's table, grouped by theme and section.

The rows come from the same queries and rules as the bot's cards (``storage.plan_queries.actions``
with ``as_of``, ``bot.plan.rules``), so the report and the status card always agree.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import date

from sqlalchemy.orm import Session

from bot.clock import london_today
from bot.plan import rules
from bot.plan.labels import day_label, flag_for
from bot.plan.scrutiny import OPEN, ScrutinyItem, due_label, status_text
from bot.plan.types import ActionRecord
from storage.plan_queries import actions, plan_record, section_titles
from storage.scrutiny import scrutiny_items

# What XML 1.0 (and so XLSX and DOCX) cannot hold: C0 controls other than tab, line feed and
# carriage return, lone surrogates, and U+FFFE/U+FFFF.
_NOT_IN_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def document_text(value: str) -> str:
    """Text as every report format can hold it: characters XML cannot hold are dropped.

    The one place report text is made safe; every cell and title passes through it.
    """
    return _NOT_IN_XML.sub("", value)


COLUMNS = (
    "N",
    "Action",
    "Success measure",
    "Owner",
    "Date",
    "Update",
    "Status",
    "Last updated",
)


REQUEST_COLUMNS = (
    "Ref",
    "Kind",
    "Request or recommendation",
    "Asked by",
    "Owed by",
    "Asked on",
    "Due at",
    "Status",
    "Response",
    "Response date",
)


@dataclass(frozen=True)
class ReportRow:
    """One action as the panel reads it; every cell is text (line breaks kept)."""

    number: str
    action: str
    success_measure: str
    owner: str
    date: str
    update: str
    status: str
    last_updated: str
    overdue: bool = False

    @property
    def cells(self) -> tuple[str, ...]:
        """The cells in :data:`COLUMNS` order."""
        return (
            self.number,
            self.action,
            self.success_measure,
            self.owner,
            self.date,
            self.update,
            self.status,
            self.last_updated,
        )


@dataclass(frozen=True)
class ReportSection:
    """A section of a theme and its rows, in plan order."""

    title: str
    rows: tuple[ReportRow, ...]


@dataclass(frozen=True)
class ReportTheme:
    """A theme (delivery plan) with its sections and its status counts."""

    number: int
    title: str
    sections: tuple[ReportSection, ...]
    counts: dict[str, int]
    overdue: int


@dataclass(frozen=True)
class Report:
    """The whole report: the plan "as of" a London date."""

    plan_key: str
    plan_title: str
    as_of: date
    themes: tuple[ReportTheme, ...]
    counts: dict[str, int]
    overdue: int
    # The scrutiny requests and recommendations as they stood that day, in REQUEST_COLUMNS.
    requests: tuple[tuple[str, ...], ...] = ()
    # What the retention rule has removed, said in the file (empty: not known).
    retention_note: str = ""

    @property
    def rows(self) -> list[ReportRow]:
        """Every row, theme by theme and section by section."""
        return [row for t in self.themes for s in t.sections for row in s.rows]


def status_cell(action: ActionRecord, today: date, interval_days: int) -> str:
    """The status word, and the flag when there is one ("On track; 42 days overdue")."""
    status = rules.current_status(action)
    flag = flag_for(action, today, interval_days)
    return f"{status}; {flag}" if flag and flag != "no update yet" else status


def date_cell(action: ActionRecord) -> str:
    """The plan's date as written, and a revised date from the latest update."""
    latest = action.latest
    if latest is not None and latest.revised_date is not None:
        return f"{action.due_text}\nRevised: {day_label(latest.revised_date)}"
    return action.due_text


def row_for(action: ActionRecord, today: date, interval_days: int) -> ReportRow:
    """One action as a report row, worked out for ``today``."""
    latest = action.latest
    last = ""
    if latest is not None:
        last = day_label(london_today(latest.created_at))
        last += f" by {latest.author_name}" if latest.author_name else ""
    return ReportRow(
        number=document_text(action.number),
        action=document_text(action.text),
        success_measure=document_text(action.success_measure),
        owner=document_text(action.owner_text),
        date=document_text(date_cell(action)),
        update=document_text(latest.text) if latest is not None else "",
        status=status_cell(action, today, interval_days),
        last_updated=document_text(last),
        overdue=rules.is_overdue(action, today),
    )


def build_report(
    session: Session, as_of: date, plan_key: str | None = None, interval_days: int = 90
) -> Report:
    """The plan as it stood at the end of ``as_of`` (London), grouped by theme and section.

    Raises:
        PlanNotFound: when there is no such plan.
    """
    plan = plan_record(session, plan_key)
    records = actions(session, plan.key, as_of=as_of)
    order = {key: i for i, key in enumerate(section_titles(session, plan.key))}
    grouped: dict[tuple[int, str], list[ActionRecord]] = {}
    for record in records:
        grouped.setdefault((record.theme_number, record.section_title), []).append(record)
    themes = []
    for theme in plan.themes:
        keys = sorted((k for k in grouped if k[0] == theme.number), key=lambda k: order.get(k, 0))
        in_theme = [a for k in keys for a in grouped[k]]
        sections = tuple(
            ReportSection(
                document_text(k[1]), tuple(row_for(a, as_of, interval_days) for a in grouped[k])
            )
            for k in keys
        )
        themes.append(
            ReportTheme(
                theme.number,
                document_text(theme.title),
                sections,
                rules.status_counts(in_theme),
                len(rules.overdue_first(in_theme, as_of)),
            )
        )
    return Report(
        plan_key=plan.key,
        plan_title=document_text(plan.title),
        as_of=as_of,
        themes=tuple(themes),
        counts=rules.status_counts(records),
        overdue=len(rules.overdue_first(records, as_of)),
        requests=request_rows(scrutiny_items(session), as_of),
    )


def request_rows(items: list[ScrutinyItem], as_of: date) -> tuple[tuple[str, ...], ...]:
    """The requests asked by ``as_of``, each as it stood that day (a later answer not yet in)."""
    rows = []
    for item in items:
        if item.asked_on is not None and item.asked_on > as_of:
            continue
        if item.responded_on is not None and item.responded_on > as_of:
            item = replace(item, status=OPEN, response="", responded_on=None, responded_by="")
        rows.append(
            tuple(
                document_text(cell)
                for cell in (
                    item.ref,
                    item.kind.capitalize(),
                    item.text,
                    item.asked_by_label,
                    item.owner_label,
                    day_label(item.asked_on) if item.asked_on else "",
                    due_label(item),
                    status_text(item, as_of),
                    item.response,
                    day_label(item.responded_on) if item.responded_on else "",
                )
            )
        )
    return tuple(rows)
