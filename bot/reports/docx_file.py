"""The report as a Word document: landscape, a heading per theme, a table per section.

The tables have the panel's columns; the header row repeats on every page.
"""

from __future__ import annotations

import io

from docx import Document
from docx.document import Document as WordDocument
from docx.enum.section import WD_ORIENT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt
from docx.table import Table

from bot.plan.labels import day_label
from bot.reports.table import COLUMNS, REQUEST_COLUMNS, Report, ReportSection

WIDTHS_CM = (1.1, 5.4, 4.4, 3.2, 2.4, 5.4, 2.4, 2.4)  # 26.7 cm: A4 landscape less margins
MARGIN = Cm(1.5)


def _landscape(document: WordDocument) -> None:
    section = document.sections[0]
    section.orientation = WD_ORIENT.LANDSCAPE
    section.page_width, section.page_height = Cm(29.7), Cm(21.0)
    for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
        setattr(section, side, MARGIN)


def _repeat_header(table: Table) -> None:
    properties = table.rows[0]._tr.get_or_add_trPr()
    header = OxmlElement("w:tblHeader")
    header.set(qn("w:val"), "true")
    properties.append(header)


def _table(document: WordDocument, section: ReportSection) -> None:
    table = document.add_table(rows=1, cols=len(COLUMNS))
    table.style = "Table Grid"
    table.autofit = False
    for cell, title in zip(table.rows[0].cells, COLUMNS, strict=True):
        cell.text = title
        cell.paragraphs[0].runs[0].bold = True
    _repeat_header(table)
    for row in section.rows:
        cells = table.add_row().cells
        for cell, value in zip(cells, row.cells, strict=True):
            cell.text = value
    for row_cells in table.rows:
        for cell, width in zip(row_cells.cells, WIDTHS_CM, strict=True):
            cell.width = Cm(width)
            for paragraph in cell.paragraphs:
                for run in paragraph.runs:
                    run.font.size = Pt(8)


def _requests(document: WordDocument, report: Report) -> None:
    """The second table: scrutiny requests and recommendations, as they stood that day."""
    document.add_heading("Scrutiny requests and recommendations", level=1)
    if not report.requests:
        document.add_paragraph("None on record.")
        return
    table = document.add_table(rows=1, cols=len(REQUEST_COLUMNS))
    table.style = "Table Grid"
    for cell, title in zip(table.rows[0].cells, REQUEST_COLUMNS, strict=True):
        cell.text = title
        cell.paragraphs[0].runs[0].bold = True
    _repeat_header(table)
    for row in report.requests:
        for cell, value in zip(table.add_row().cells, row, strict=True):
            cell.text = value
    for row_cells in table.rows:
        for cell in row_cells.cells:
            for paragraph in cell.paragraphs:
                for run in paragraph.runs:
                    run.font.size = Pt(8)


def docx_bytes(report: Report) -> bytes:
    """The document as bytes."""
    document = Document()
    _landscape(document)
    document.add_heading(f"{report.plan_title}: delivery plan progress", level=0)
    counts = ", ".join(f"{status} {n}" for status, n in report.counts.items() if n)
    document.add_paragraph(
        f"As of {day_label(report.as_of)}. {len(report.rows)} actions: {counts}. "
        f"Overdue: {report.overdue}."
    )
    if report.retention_note:
        document.add_paragraph(report.retention_note)
    for theme in report.themes:
        document.add_heading(f"Theme {theme.number}: {theme.title}", level=1)
        for section in theme.sections:
            document.add_heading(section.title, level=2)
            _table(document, section)
    _requests(document, report)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()
