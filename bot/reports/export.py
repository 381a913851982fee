"""One entry point for every way of getting the report: a file's name, type and bytes."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date

from sqlalchemy.orm import Session

from bot.plan.labels import day_label
from bot.reports.csv_file import csv_bytes
from bot.reports.docx_file import docx_bytes
from bot.reports.table import Report, build_report
from bot.reports.xlsx_file import xlsx_bytes

CONTENT_TYPES = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "csv": "text/csv; charset=utf-8",
}
FORMATS: tuple[str, ...] = tuple(CONTENT_TYPES)
_RENDERERS: dict[str, Callable[[Report], bytes]] = {
    "xlsx": xlsx_bytes,
    "docx": docx_bytes,
    "csv": csv_bytes,
}


@dataclass(frozen=True)
class ReportFile:
    """A generated report file."""

    filename: str
    content_type: str
    data: bytes


def file_name(plan_key: str, as_of: date, fmt: str) -> str:
    """e.g. ``safer-norfolk-2021-24-as-of-2022-06-01.xlsx`` (plan keys are [a-z0-9-])."""
    return f"{plan_key}-as-of-{as_of.isoformat()}.{fmt}"


def export_report(
    session: Session,
    fmt: str,
    as_of: date,
    plan_key: str | None = None,
    interval_days: int = 90,
    texts_kept_from: date | None = None,
) -> ReportFile:
    """The report for ``as_of`` (London) in ``fmt`` (xlsx, docx or csv).

    ``texts_kept_from``: the retention rule's date, said in the XLSX and DOCX files (update
    texts posted before it have been removed; the CSV stays one flat table).

    Raises:
        ValueError: for an unknown format.
        PlanNotFound: when there is no such plan.
    """
    if fmt not in _RENDERERS:
        raise ValueError(f"unknown report format {fmt!r} (use {', '.join(FORMATS)})")
    report = build_report(session, as_of, plan_key, interval_days)
    if texts_kept_from is not None:
        report = replace(report, retention_note=retention_note(texts_kept_from))
    return ReportFile(
        filename=file_name(report.plan_key, as_of, fmt),
        content_type=CONTENT_TYPES[fmt],
        data=_RENDERERS[fmt](report),
    )


def retention_note(texts_kept_from: date) -> str:
    """What the retention rule means for this file's update texts."""
    return (
        f"Retention: the text of progress updates posted before {day_label(texts_kept_from)} "
        "has been removed under the partnership's retention rule; their statuses and dates "
        "remain."
    )
