"""The plan report's contents: XLSX, DOCX and CSV checked row by row against the seed plan."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime
from pathlib import Path

from docx import Document
from openpyxl import load_workbook
from sqlalchemy import Engine

from bot.clock import LONDON
from bot.reports.csv_file import safe_cell
from bot.reports.export import export_report
from bot.reports.table import COLUMNS, REQUEST_COLUMNS, build_report
from storage.db import make_sessionmaker
from storage.plan_queries import actions, updates_since
from tests.cli_support import run_bot_cli
from tests.posting import post_update
from tests.seedplan import (
    SeedAction,
    expected_counts,
    numbers_where,
    seed_actions,
    seed_updates,
    status_on,
)

JUNE_1 = date(2022, 6, 1)
UPDATE_1_18 = "Group established - Terms of Reference developed, agreed and implemented"


def expected_row(action: SeedAction) -> tuple[str, ...]:
    """The row the panel should read for a seed action as of 1 June 2022 (no flags beyond)."""
    said = [u.text for u in seed_updates() if u.number == action.number and u.day <= JUNE_1]
    return (
        action.number,
        action.action,
        action.success_measure,
        action.owner,
        action.date,
        said[-1] if said else "",
        status_on(action.number, JUNE_1),
    )


def check_rows(rows: list[tuple[str, ...]]) -> None:
    """Rows in plan order, each matching the seed plan (Status may carry a flag after ';')."""
    plan = seed_actions()
    assert len(rows) == 55 == len(plan)
    for row, action in zip(rows, plan, strict=True):
        wanted = expected_row(action)
        assert row[:6] == wanted[:6], action.number
        assert row[6].split(";")[0] == wanted[6], action.number
    by_number = {row[0]: row for row in rows}
    assert by_number["1.18"][5] == UPDATE_1_18 and by_number["1.18"][6] == "Complete"
    assert by_number["1.18"][7] == "30 Nov 2021 by NCCSP Team"
    assert by_number["1.4"][6] == "No update yet; 244 days overdue"
    assert by_number["1.1"][7] == ""


def test_cli_writes_xlsx(tmp_path: Path) -> None:
    out = tmp_path / "plan.xlsx"
    done = run_bot_cli(
        ["report", "--format", "xlsx", "--as-of", "2022-06-01", "--output", str(out)], tmp_path
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == str(out)
    workbook = load_workbook(out)
    assert workbook.sheetnames == ["Summary", "Theme 1", "Theme 2", "Theme 3", "Scrutiny requests"]
    requests = [
        tuple("" if v is None else str(v) for v in r)
        for r in workbook["Scrutiny requests"].iter_rows(min_row=3, values_only=True)
    ]
    assert requests[0] == REQUEST_COLUMNS
    by_ref = {r[0]: r for r in requests[1:]}
    assert len(by_ref) == 8  # all asked by 1 June 2022
    extension = by_ref["SSP-2021-09-16-REC1"]
    assert extension[1] == "Recommendation" and extension[4] == "NCCSP"
    assert extension[7] == "Open, response awaited since 24 Feb 2022"
    assert by_ref["SSP-2021-09-16-REQ1"][7] == "Answered 24 Feb 2022"
    rows: list[tuple[str, ...]] = []
    for theme in (1, 2, 3):
        sheet = workbook[f"Theme {theme}"]
        values = [
            tuple("" if v is None else str(v) for v in r) for r in sheet.iter_rows(values_only=True)
        ]
        assert values[0][0].startswith(f"Theme {theme}: ")
        assert values[3] == COLUMNS
        sections = []
        for row in values[4:]:
            if not any(row[1:]):
                sections.append(row[0])  # a section heading row
            else:
                rows.append(row)
                assert row[0] in numbers_where(theme=theme)
        wanted = list(dict.fromkeys(a.section for a in seed_actions() if a.theme == theme))
        assert sections == wanted
    check_rows(rows)
    summary = {r[0]: r[1] for r in workbook["Summary"].iter_rows(min_row=4, values_only=True)}
    assert {k: summary[k] for k in expected_counts(numbers_where(), JUNE_1)} == expected_counts(
        numbers_where(), JUNE_1
    )
    assert summary["Total"] == 55 and summary["Overdue (any status)"] == 6
    notes = [k for k in summary if isinstance(k, str) and k.startswith("Retention: ")]
    assert len(notes) == 1 and "posted before" in notes[0]


def test_cli_writes_docx(tmp_path: Path) -> None:
    out = tmp_path / "plan.docx"
    done = run_bot_cli(
        ["report", "--format", "docx", "--as-of", "2022-06-01", "--output", str(out)], tmp_path
    )
    assert done.returncode == 0, done.stderr
    document = Document(str(out))
    section = document.sections[0]
    assert section.page_width > section.page_height  # landscape
    retention = [p.text for p in document.paragraphs if p.text.startswith("Retention: ")]
    assert len(retention) == 1 and "retention rule" in retention[0]
    headings = [
        (p.style.name, p.text) for p in document.paragraphs if p.style.name.startswith("Heading")
    ]
    seeds = seed_actions()
    wanted: list[tuple[str, str]] = []
    for theme in dict.fromkeys((a.theme, a.theme_title) for a in seeds):
        wanted.append(("Heading 1", f"Theme {theme[0]}: {theme[1]}"))
        sections = dict.fromkeys(a.section for a in seeds if a.theme == theme[0])
        wanted.extend(("Heading 2", title) for title in sections)
    wanted.append(("Heading 1", "Scrutiny requests and recommendations"))
    assert headings == wanted
    assert len(document.tables) == sum(1 for h in wanted if h[0] == "Heading 2") + 1
    *plan_tables, requests = document.tables
    assert tuple(c.text for c in requests.rows[0].cells) == REQUEST_COLUMNS
    assert len(requests.rows) == 9
    rows: list[tuple[str, ...]] = []
    for table in plan_tables:
        assert tuple(c.text for c in table.rows[0].cells) == COLUMNS
        rows.extend(tuple(c.text for c in row.cells) for row in table.rows[1:])
    check_rows(rows)
    owners = {r[0]: r[3] for r in rows}
    assert owners["1.23"] == "Prevent Delivery Group\nCSP Comms Lead\nDistricts"  # lines kept


def test_cli_writes_csv(tmp_path: Path) -> None:
    out = tmp_path / "plan.csv"
    done = run_bot_cli(
        ["report", "--format", "csv", "--as-of", "2022-06-01", "--output", str(out)], tmp_path
    )
    assert done.returncode == 0, done.stderr
    table = list(csv.reader(io.StringIO(out.read_bytes().decode("utf-8-sig"))))
    assert tuple(table[0]) == ("Theme", "Section", *COLUMNS)
    seeds = seed_actions()
    for line, action in zip(table[1:], seeds, strict=True):
        assert (line[0], line[1]) == (str(action.theme), action.section)
    # Cells that a spreadsheet would run as a formula start with an apostrophe; undo that here.
    rows = [tuple(c[1:] if c.startswith("'") else c for c in line[2:]) for line in table[1:]]
    check_rows(rows)
    guarded = [c for line in table[1:] for c in line if c.startswith("'-")]
    assert guarded, "the seed has cells that start with '- ' (bullet lists)"


def test_cli_refuses_an_unknown_plan(tmp_path: Path) -> None:
    done = run_bot_cli(
        ["report", "--plan", "nope", "--output", str(tmp_path / "x.csv"), "--format", "csv"],
        tmp_path,
    )
    assert done.returncode == 1 and "no plan 'nope'" in done.stderr
    assert not (tmp_path / "x.csv").exists()


def test_formula_guard() -> None:
    assert safe_cell("=HYPERLINK(1)") == "'=HYPERLINK(1)"
    assert safe_cell("@SUM(A1)") == "'@SUM(A1)"
    assert safe_cell("Plain text - with a dash") == "Plain text - with a dash"


def test_as_of_takes_the_latest_update_on_or_before_the_day(engine: Engine) -> None:
    factory = make_sessionmaker(engine)
    # 23:30 on 1 June in London is 22:30 UTC: still 1 June. 00:30 on 2 June is 23:30 UTC on 1 June.
    post_update(
        factory, "1.4", "On track", "Late on the first", datetime(2022, 6, 1, 23, 30, tzinfo=LONDON)
    )
    post_update(
        factory,
        "1.4",
        "Complete",
        "Just after midnight",
        datetime(2022, 6, 2, 0, 30, tzinfo=LONDON),
    )
    with factory() as session:
        (on_first,) = actions(session, numbers=["1.4"], as_of=JUNE_1)
        (on_second,) = actions(session, numbers=["1.4"], as_of=date(2022, 6, 2))
        (before,) = actions(session, numbers=["1.4"], as_of=date(2022, 5, 31))
        june_1 = {r.number: r for r in build_report(session, JUNE_1).rows}
        june_2 = {r.number: r for r in build_report(session, date(2022, 6, 2)).rows}
        data = export_report(session, "csv", JUNE_1).data.decode("utf-8-sig")
    assert on_first.latest is not None and on_first.latest.text == "Late on the first"
    assert on_second.latest is not None and on_second.latest.text == "Just after midnight"
    assert before.latest is None
    assert june_1["1.4"].update == "Late on the first"
    assert june_1["1.4"].status == "On track; 244 days overdue"
    assert june_1["1.4"].last_updated == "1 Jun 2022 by Jane Doe"
    assert june_2["1.4"].status == "Complete" and not june_2["1.4"].overdue
    assert "Just after midnight" not in data and "Late on the first" in data


def test_updates_since_is_bounded(engine: Engine) -> None:
    factory = make_sessionmaker(engine)
    post_update(factory, "3.7", "At risk", "in", datetime(2022, 5, 20, 9, 0, tzinfo=UTC))
    post_update(factory, "3.7", "On track", "later", datetime(2022, 6, 5, 9, 0, tzinfo=UTC))
    with factory() as session:
        ids = [a.id for a in actions(session, numbers=["3.7", "1.18"])]
        found = updates_since(
            session,
            ids,
            datetime(2022, 5, 11, 9, 0, tzinfo=UTC),
            datetime(2022, 6, 1, 23, 0, tzinfo=UTC),
        )
        everything = updates_since(session, ids, datetime(2021, 1, 1, tzinfo=UTC))
    assert [u.text for _, u in found] == ["in"]
    assert [u.text for _, u in everything] == ["later", "in", UPDATE_1_18]
