"""Plan files (YAML, CSV, XLSX) read into one plain form before anything touches the database.

The YAML format is described at the top of ``storage/seed/plan_2021_24.yaml`` and
``storage/seed/partnership.yaml``. CSV and XLSX files hold one row per action with the
columns of the plan's own table: N (or Number), Action, Success measure, Owner, Date, Update;
optionally Status, Theme, Section and Owner keys.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

import yaml


class PlanFileError(ValueError):
    """The file cannot be read as a plan at all (as opposed to individual bad rows)."""


@dataclass
class ActionRow:
    """One action as the file gives it; ``row`` is where it is in the file, for the report."""

    row: int
    number: str
    text: str
    success_measure: str = ""
    owner_text: str = ""
    owner_keys: tuple[str, ...] | None = None
    due_text: str = ""
    theme_number: int | None = None
    section_title: str | None = None
    update_text: str = ""
    update_status: str | None = None
    # The number of the same action in the previous plan, when it is carried over.
    carried_from: str = ""


@dataclass
class UpdateRow:
    """An initial progress update given by the file."""

    action_number: str
    day: date
    status: str
    text: str
    author: str = ""
    source: str = ""
    revised_date: date | None = None


@dataclass
class ThemeSpec:
    """A theme (or an earlier plan's priority) with its outcomes and section order."""

    number: int
    title: str
    outcomes: list[tuple[int, str]] = field(default_factory=list)
    sections: list[str] = field(default_factory=list)
    sponsor_key: str | None = None
    details: dict[str, str] = field(default_factory=dict)


@dataclass
class PlanDocument:
    """Everything a plan file says. Empty metadata means "keep what the database has"."""

    key: str | None = None
    title: str | None = None
    kind: str = "delivery-plan"
    starts: date | None = None
    ends: date | None = None
    current: bool | None = None
    source: str = ""
    description: str = ""
    themes: list[ThemeSpec] = field(default_factory=list)
    actions: list[ActionRow] = field(default_factory=list)
    updates: list[UpdateRow] = field(default_factory=list)
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass
class BodySpec:
    """A body from partnership.yaml."""

    key: str
    name: str
    abbreviation: str | None = None
    kind: str = "organisation"
    aliases: list[str] = field(default_factory=list)
    reports_to: str | None = None
    meets: str | None = None
    note: str = ""
    email_domains: list[str] = field(default_factory=list)


@dataclass
class MeetingSpec:
    """A meeting (or a recurring series) from partnership.yaml, in local London time."""

    body: str
    title: str
    start: datetime
    duration_minutes: int = 60
    location: str = ""
    link: str | None = None
    rrule: str | None = None
    until: date | None = None
    source: str = ""
    time_stated: bool = True


@dataclass
class PartnershipDocument:
    """The bodies and meetings of the partnership."""

    bodies: list[BodySpec] = field(default_factory=list)
    meetings: list[MeetingSpec] = field(default_factory=list)


def _text(value: Any) -> str:
    if value is None:
        return ""
    return str(value).strip()


def _date(value: Any, what: str) -> date | None:
    if value in (None, ""):
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value).strip())
    except ValueError as exc:
        raise PlanFileError(f"{what}: {value!r} is not a date (YYYY-MM-DD)") from exc


def _local_datetime(value: Any, what: str) -> datetime:
    if isinstance(value, datetime):
        return value.replace(tzinfo=None)
    try:
        return datetime.strptime(str(value).strip(), "%Y-%m-%d %H:%M")
    except ValueError as exc:
        raise PlanFileError(f"{what}: {value!r} is not a local time (YYYY-MM-DD HH:MM)") from exc


def read_yaml(path: Path) -> dict[str, Any]:
    """Parse a YAML data file into a mapping.

    Raises:
        PlanFileError: when the file is not valid YAML or not a mapping.
    """
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise PlanFileError(f"{path.name} is not valid YAML: {exc}") from exc
    if not isinstance(data, dict):
        raise PlanFileError(f"{path.name} must be a YAML mapping with 'plan' and/or 'bodies'")
    return data


def partnership_from_data(data: dict[str, Any]) -> PartnershipDocument:
    """Read the ``bodies`` and ``meetings`` parts of a YAML mapping."""
    bodies = [
        BodySpec(
            key=_text(item.get("key")).upper(),
            name=_text(item.get("name")),
            abbreviation=_text(item.get("abbreviation")) or None,
            kind=_text(item.get("kind")) or "organisation",
            aliases=[_text(a) for a in item.get("aliases") or [] if _text(a)],
            reports_to=_text(item.get("reports_to")).upper() or None,
            meets=_text(item.get("meets")) or None,
            note=_text(item.get("note")),
            email_domains=[
                _text(d).lower().lstrip("@") for d in item.get("email_domains") or [] if _text(d)
            ],
        )
        for item in data.get("bodies") or []
    ]
    meetings = [
        MeetingSpec(
            body=_text(item.get("body")).upper(),
            title=_text(item.get("title")),
            start=_local_datetime(item.get("start"), f"meeting {item.get('title')!r}"),
            duration_minutes=int(item.get("duration_minutes") or 60),
            location=_text(item.get("location")),
            link=_text(item.get("link")) or None,
            rrule=_text(item.get("rrule")) or None,
            until=_date(item.get("until"), f"meeting {item.get('title')!r} until"),
            source=_text(item.get("source")),
            time_stated=item.get("time_stated", True) is not False,
        )
        for item in data.get("meetings") or []
    ]
    return PartnershipDocument(bodies=bodies, meetings=meetings)


_THEME_DETAILS = ("why", "achieved", "objectives", "targets", "sponsor_text", "lead_officer")


def _theme_from_data(item: dict[str, Any]) -> ThemeSpec:
    return ThemeSpec(
        number=int(item["number"]),
        title=_text(item.get("title")),
        outcomes=[(int(o["number"]), _text(o.get("text"))) for o in item.get("outcomes") or []],
        sections=[_text(s.get("title")) for s in item.get("sections") or []],
        sponsor_key=_text(item.get("sponsor")).upper() or None,
        details={name: _text(item.get(name)) for name in _THEME_DETAILS if item.get(name)},
    )


def _actions_from_data(themes: list[dict[str, Any]]) -> list[ActionRow]:
    rows: list[ActionRow] = []
    for theme in themes:
        for section in theme.get("sections") or []:
            for item in section.get("actions") or []:
                owners = item.get("owners")
                rows.append(
                    ActionRow(
                        row=len(rows) + 1,
                        number=_text(item.get("number")),
                        text=_text(item.get("action")),
                        success_measure=_text(item.get("success_measure")),
                        owner_text=_text(item.get("owner")),
                        owner_keys=tuple(_text(k).upper() for k in owners)
                        if owners is not None
                        else None,
                        due_text=_text(item.get("date")),
                        theme_number=int(theme["number"]),
                        section_title=_text(section.get("title")),
                        carried_from=_text(item.get("carried_from")),
                    )
                )
    return rows


def plan_from_data(data: dict[str, Any]) -> PlanDocument | None:
    """Read the ``plan``, ``themes`` and ``updates`` parts of a YAML mapping (None if absent).

    Raises:
        PlanFileError: when a required part is missing or malformed.
    """
    meta = data.get("plan")
    if meta is None:
        return None
    if not isinstance(meta, dict) or not _text(meta.get("key")):
        raise PlanFileError("'plan' must be a mapping with at least a 'key'")
    themes = data.get("themes") or []
    try:
        theme_specs = [_theme_from_data(item) for item in themes]
        actions = _actions_from_data(themes)
    except (KeyError, TypeError, ValueError) as exc:
        raise PlanFileError(f"themes are malformed: {exc}") from exc
    updates = [
        UpdateRow(
            action_number=_text(item.get("action")),
            day=_date(item.get("date"), f"update for {item.get('action')}") or date.min,
            status=_text(item.get("status")),
            text=_text(item.get("text")),
            author=_text(item.get("author")),
            source=_text(item.get("source")),
            revised_date=_date(item.get("revised_date"), "revised_date"),
        )
        for item in data.get("updates") or []
    ]
    known = {"key", "title", "kind", "starts", "ends", "current", "source", "description"}
    extra = {k: v for k, v in data.items() if k not in {"plan", "themes", "updates", "bodies"}}
    extra.update({k: v for k, v in meta.items() if k not in known})
    return PlanDocument(
        key=_text(meta.get("key")),
        title=_text(meta.get("title")) or None,
        kind=_text(meta.get("kind")) or "delivery-plan",
        starts=_date(meta.get("starts"), "plan starts"),
        ends=_date(meta.get("ends"), "plan ends"),
        current=bool(meta["current"]) if "current" in meta else None,
        source=_text(meta.get("source")),
        description=_text(meta.get("description")),
        themes=theme_specs,
        actions=actions,
        updates=updates,
        extra=extra,
    )


# Column headings people write, mapped to our field names.
_COLUMNS = {
    "n": "number",
    "no": "number",
    "number": "number",
    "action number": "number",
    "ref": "number",
    "action": "text",
    "success measure": "success_measure",
    "success measures": "success_measure",
    "owner": "owner_text",
    "owners": "owner_text",
    "owner keys": "owner_keys",
    "date": "due_text",
    "due": "due_text",
    "due date": "due_text",
    "update": "update_text",
    "progress update": "update_text",
    "status": "update_status",
    "theme": "theme_number",
    "section": "section_title",
    "carried from": "carried_from",
    "previous number": "carried_from",
    "previous plan number": "carried_from",
}


def _heading(value: Any) -> str:
    return re.sub(r"[^a-z ]+", "", _text(value).lower()).strip()


def _rows_from_table(table: list[list[Any]], source_name: str) -> list[ActionRow]:
    if not table:
        raise PlanFileError(f"{source_name} is empty")
    headings = [_COLUMNS.get(_heading(cell)) for cell in table[0]]
    if "number" not in headings or "text" not in headings:
        raise PlanFileError(
            f"{source_name}: the first row must name the columns; it needs at least "
            "'N' (or 'Number') and 'Action', and may have 'Success measure', 'Owner', 'Date', "
            "'Update', 'Status', 'Theme', 'Section', 'Owner keys'"
        )
    rows: list[ActionRow] = []
    for index, cells in enumerate(table[1:], start=2):
        values = {
            name: _text(cell)
            for name, cell in zip(headings, cells, strict=False)
            if name is not None
        }
        if not any(values.values()):
            continue  # blank line
        keys = values.get("owner_keys", "")
        theme = values.get("theme_number", "")
        rows.append(
            ActionRow(
                row=index,
                number=values.get("number", ""),
                text=values.get("text", ""),
                success_measure=values.get("success_measure", ""),
                owner_text=values.get("owner_text", ""),
                owner_keys=tuple(k.strip().upper() for k in re.split(r"[;,\s]+", keys) if k)
                if keys
                else None,
                due_text=values.get("due_text", ""),
                theme_number=int(theme) if theme.isdigit() else None,
                section_title=values.get("section_title") or None,
                update_text=values.get("update_text", ""),
                update_status=values.get("update_status") or None,
                carried_from=values.get("carried_from", ""),
            )
        )
    return rows


def read_csv(path: Path) -> list[ActionRow]:
    """Read a CSV plan table (UTF-8, with or without a byte-order mark)."""
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise PlanFileError(f"{path.name} is not UTF-8 text: {exc}") from exc
    try:
        table = list(csv.reader(io.StringIO(text)))
    except csv.Error as exc:
        raise PlanFileError(f"{path.name} is not valid CSV: {exc}") from exc
    return _rows_from_table(table, path.name)


def read_xlsx(path: Path) -> list[ActionRow]:
    """Read the first worksheet of an XLSX workbook as a plan table."""
    from openpyxl import load_workbook  # heavy import, only for this file type

    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types for a bad file; all mean "unreadable"
        raise PlanFileError(f"{path.name} is not a readable XLSX workbook: {exc}") from exc
    try:
        sheet = workbook.worksheets[0]
        table = [list(row) for row in sheet.iter_rows(values_only=True)]
    finally:
        workbook.close()
    return _rows_from_table(table, path.name)


def read_plan_file(path: Path, plan_key: str | None = None) -> PlanDocument:
    """Read any supported plan file into a :class:`PlanDocument`.

    Args:
        path: a .yaml/.yml, .csv or .xlsx file.
        plan_key: for CSV/XLSX, the plan the rows belong to (None: the current plan).

    Raises:
        PlanFileError: for an unknown file type or an unreadable file.
    """
    suffix = path.suffix.lower()
    if suffix in (".yaml", ".yml"):
        document = plan_from_data(read_yaml(path))
        if document is None:
            raise PlanFileError(f"{path.name} has no 'plan' section")
        return document
    if suffix == ".csv":
        return PlanDocument(key=plan_key, actions=read_csv(path))
    if suffix == ".xlsx":
        return PlanDocument(key=plan_key, actions=read_xlsx(path))
    raise PlanFileError(f"{path.name}: unsupported file type {suffix!r} (use .yaml, .csv or .xlsx)")
