"""The report as an Excel workbook: a summary sheet, one sheet per theme, the scrutiny requests.

Each theme sheet has the panel's columns once at the top (frozen), then for each section a
heading row (the section title in column A, bold, on a shaded row) followed by its actions.
"""

from __future__ import annotations

import io

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.worksheet.worksheet import Worksheet

from bot.plan.labels import day_label
from bot.reports.table import COLUMNS, REQUEST_COLUMNS, Report, ReportTheme

WIDTHS = (7, 50, 40, 24, 16, 50, 20, 20)
SECTION_FILL = PatternFill("solid", fgColor="DDEBF7")
OVERDUE_FILL = PatternFill("solid", fgColor="FCE4D6")  # the Status cell also says "overdue"
WRAP = Alignment(wrap_text=True, vertical="top")
BOLD = Font(bold=True)


def _append(sheet: Worksheet, values: list[object]) -> None:
    """Append a row; text starting with "=" stays text (openpyxl would store a formula)."""
    sheet.append(values)
    for cell in sheet[sheet.max_row]:
        if cell.data_type == "f":
            cell.data_type = "s"


def _summary(sheet: Worksheet, report: Report) -> None:
    sheet.title = "Summary"
    sheet.append([f"{report.plan_title}: progress as of {day_label(report.as_of)}"])
    sheet["A1"].font = Font(bold=True, size=14)
    sheet.append([])
    sheet.append(["Status", "Whole plan", *(f"Theme {t.number}" for t in report.themes)])
    for status, count in report.counts.items():
        sheet.append([status, count, *(t.counts.get(status, 0) for t in report.themes)])
    totals = (sum(t.counts.values()) for t in report.themes)
    sheet.append(["Total", sum(report.counts.values()), *totals])
    sheet.append(["Overdue (any status)", report.overdue, *(t.overdue for t in report.themes)])
    for cell in (*sheet[3], *sheet[sheet.max_row - 1]):
        cell.font = BOLD
    sheet.column_dimensions["A"].width = 24
    if report.retention_note:
        sheet.append([])
        sheet.append([report.retention_note])


def _theme(sheet: Worksheet, report: Report, theme: ReportTheme) -> None:
    _append(sheet, [f"Theme {theme.number}: {theme.title}"])
    sheet["A1"].font = Font(bold=True, size=14)
    sheet.append([f"{report.plan_title} · as of {day_label(report.as_of)}"])
    sheet.append([])
    sheet.append(list(COLUMNS))
    for cell in sheet[4]:
        cell.font = BOLD
    sheet.freeze_panes = "A5"
    for section in theme.sections:
        _append(sheet, [section.title])
        for cell in sheet[sheet.max_row]:
            cell.font = BOLD
            cell.fill = SECTION_FILL
        for row in section.rows:
            _append(sheet, list(row.cells))
            for cell in sheet[sheet.max_row]:
                cell.alignment = WRAP
                if row.overdue:
                    cell.fill = OVERDUE_FILL
    for index, width in enumerate(WIDTHS):
        sheet.column_dimensions[chr(ord("A") + index)].width = width


REQUEST_WIDTHS = (22, 14, 60, 24, 24, 14, 30, 30, 60, 14)


def _requests(sheet: Worksheet, report: Report) -> None:
    """Who owes the panel what, by which meeting, and the answers given (as of the day)."""
    _append(sheet, [f"Scrutiny requests and recommendations · as of {day_label(report.as_of)}"])
    sheet["A1"].font = Font(bold=True, size=14)
    sheet.append([])
    sheet.append(list(REQUEST_COLUMNS))
    for cell in sheet[3]:
        cell.font = BOLD
    sheet.freeze_panes = "A4"
    for row in report.requests:
        _append(sheet, list(row))
        for cell in sheet[sheet.max_row]:
            cell.alignment = WRAP
    for index, width in enumerate(REQUEST_WIDTHS):
        sheet.column_dimensions[chr(ord("A") + index)].width = width


def xlsx_bytes(report: Report) -> bytes:
    """The workbook as bytes."""
    workbook = Workbook()
    assert workbook.active is not None
    _summary(workbook.active, report)
    for theme in report.themes:
        _theme(workbook.create_sheet(f"Theme {theme.number}"), report, theme)
    _requests(workbook.create_sheet("Scrutiny requests"), report)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
