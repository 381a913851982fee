"""The report as one flat CSV table (UTF-8 with a byte-order mark, so Excel reads it right)."""

from __future__ import annotations

import csv
import io

from bot.reports.table import COLUMNS, Report

CSV_COLUMNS = ("Theme", "Section", *COLUMNS)
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: str) -> str:
    """Text a spreadsheet program will not run as a formula.

    Update text is typed by anyone, so a cell starting with ``= + - @`` gets a leading
    apostrophe (the usual guard against formula injection); other text is left exactly as is.
    """
    return "'" + value if value.startswith(FORMULA_START) else value


def csv_bytes(report: Report) -> bytes:
    """One row per action with its theme number and section title, in plan order."""
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for theme in report.themes:
        for section in theme.sections:
            for row in section.rows:
                cells = (str(theme.number), section.title, *row.cells)
                writer.writerow([safe_cell(c) for c in cells])
    return out.getvalue().encode("utf-8-sig")
