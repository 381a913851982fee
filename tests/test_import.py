"""Importing plans from CSV, XLSX and YAML: per-row reports, all or nothing, nothing lost."""

from __future__ import annotations

import csv
from datetime import UTC, datetime
from pathlib import Path

from openpyxl import Workbook
from sqlalchemy import Engine, func, select

from storage.db import make_sessionmaker
from storage.importing import import_plan_file
from storage.models import Action, ProgressUpdate
from storage.plan_queries import action_by_number, actions
from storage.seed_data import PLAN_FILES

NOW = datetime(2022, 6, 1, 12, 0, tzinfo=UTC)
HEADER = ["N", "Action", "Success measure", "Owner", "Date", "Update"]


def write_csv(path: Path, rows: list[list[str]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as handle:
        csv.writer(handle).writerows([HEADER, *rows])
    return path


def snapshot(engine: Engine) -> tuple[int, int, list[tuple[str, str, str]]]:
    with make_sessionmaker(engine)() as session:
        updates = int(session.scalar(select(func.count()).select_from(ProgressUpdate)) or 0)
        rows = session.execute(select(Action.number, Action.text, Action.due_text)).all()
        return len(rows), updates, sorted((r[0], r[1], r[2]) for r in rows)


GOOD = [
    "3.16",
    "Commission a review of refuge capacity",
    "Review published",
    "OPCCN",
    "March 2023",
    "",
]
CHANGED = [
    "1.1",
    "Co-ordinated approach to fraud data (revised)",
    "Data products",
    "Norfolk Constabulary",
    "December 2022",
    "Data sharing agreed",
]
BAD_ROWS = [
    ["", "An action without a number", "x", "OPCCN", "March 2023", ""],
    ["3.17", "An action with an unknown owner", "x", "Ministry of Magic", "March 2023", ""],
    ["3.18", "An action with an unreadable date", "x", "OPCCN", "when funding allows", ""],
]


def test_bad_rows_are_reported_and_nothing_changes(engine: Engine, tmp_path: Path) -> None:
    before = snapshot(engine)
    path = write_csv(tmp_path / "plan.csv", [GOOD, CHANGED, *BAD_ROWS])
    report = import_plan_file(make_sessionmaker(engine), path, now=NOW)
    assert not report.applied
    rejected = {r.row: r.reasons for r in report.rejected}
    assert set(rejected) == {4, 5, 6}
    assert rejected[4] == ["missing action number"]
    assert rejected[5] == ["unknown owner 'Ministry of Magic'"]
    assert "cannot be read" in rejected[6][0]
    assert "nothing was changed (rows were rejected)" in report.lines()
    assert snapshot(engine) == before


def test_skip_invalid_imports_the_rest(engine: Engine, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "plan.csv", [GOOD, CHANGED, *BAD_ROWS])
    progress: list[tuple[int, int]] = []
    report = import_plan_file(
        make_sessionmaker(engine),
        path,
        now=NOW,
        skip_invalid=True,
        progress=lambda done, total: progress.append((done, total)),
    )
    assert report.applied
    assert [(r.number, r.outcome) for r in report.rows if r.outcome != "rejected"] == [
        ("3.16", "added"),
        ("1.1", "updated"),
    ]
    assert progress[-1] == (2, 2)
    with make_sessionmaker(engine)() as session:
        added = action_by_number(session, "3.16")
        assert added is not None and [o.key for o in added.owners] == ["OPCCN"]
        assert added.section_title == "Serious violence"
        changed = action_by_number(session, "1.1")
        assert changed is not None and changed.due_text == "December 2022"
        assert changed.latest is not None and changed.latest.text == "Data sharing agreed"
        assert action_by_number(session, "3.17") is None
        # Everything else is still there, with its updates.
        assert len(actions(session)) == 56
        seeded = action_by_number(session, "1.18")
        assert (
            seeded is not None and seeded.latest is not None and seeded.latest.status == "Complete"
        )
    assert len(report.kept_not_in_file) == 54


def test_importing_the_same_file_twice_adds_nothing(engine: Engine, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "plan.csv", [GOOD, CHANGED])
    first = import_plan_file(make_sessionmaker(engine), path, now=NOW)
    assert first.applied and first.updates_added == 1
    middle = snapshot(engine)
    second = import_plan_file(make_sessionmaker(engine), path, now=NOW)
    assert second.applied and second.updates_added == 0
    assert [r.outcome for r in second.rows] == ["unchanged", "unchanged"]
    assert snapshot(engine) == middle


def test_owner_cells_as_the_plan_writes_them(engine: Engine, tmp_path: Path) -> None:
    rows = [
        ["3.20", "a", "b", "CRPSG\nIAG\nOPCCN\nResponsible Authorities", "Ongoing", ""],
        ["3.21", "a", "b", "County Lines Strategic Group – NPS\nVARAC", "Ongoing", ""],
        ["3.22", "a", "b", "OPCCN/Norfolk Anti-Slavery Network", "Ongoing", ""],
        [
            "3.23",
            "a",
            "b",
            "Norfolk Constabulary and the National Probation Service",
            "Ongoing",
            "",
        ],
    ]
    report = import_plan_file(
        make_sessionmaker(engine), write_csv(tmp_path / "o.csv", rows), now=NOW
    )
    assert report.applied, report.lines()
    with make_sessionmaker(engine)() as session:
        owners = {
            a.number: {o.key for o in a.owners}
            for a in actions(session, numbers=["3.20", "3.21", "3.22", "3.23"])
        }
    assert owners == {
        "3.20": {"CRPSG", "IAG", "OPCCN", "RESPONSIBLE-AUTHORITIES"},
        "3.21": {"CLSG", "PROBATION", "VARAC"},
        "3.22": {"OPCCN", "NASN"},
        "3.23": {"CONSTABULARY", "PROBATION"},
    }


def test_xlsx(engine: Engine, tmp_path: Path) -> None:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append([*HEADER, "Status"])
    sheet.append([*GOOD[:5], "Scoping started", "On track"])
    sheet.append(["3.19", "x", "y", "Nobody Known", "March 2023", "", ""])
    path = tmp_path / "plan.xlsx"
    book.save(path)
    report = import_plan_file(make_sessionmaker(engine), path, now=NOW)
    assert not report.applied and [r.row for r in report.rejected] == [3]
    report = import_plan_file(make_sessionmaker(engine), path, now=NOW, skip_invalid=True)
    assert report.applied
    with make_sessionmaker(engine)() as session:
        added = action_by_number(session, "3.16")
        assert added is not None and added.latest is not None and added.latest.status == "On track"


def test_unreadable_files_are_reported(engine: Engine, tmp_path: Path) -> None:
    junk = tmp_path / "junk.xlsx"
    junk.write_bytes(b"not a workbook")
    report = import_plan_file(make_sessionmaker(engine), junk, now=NOW)
    assert not report.applied and "not a readable XLSX" in report.rejected[0].reasons[0]
    headless = write_csv(tmp_path / "h.csv", [])
    headless.write_text("a,b,c\n1,2,3\n", encoding="utf-8")
    report = import_plan_file(make_sessionmaker(engine), headless, now=NOW)
    assert not report.applied and "first row must name the columns" in report.rejected[0].reasons[0]
    odd = tmp_path / "plan.txt"
    odd.write_text("x", encoding="utf-8")
    report = import_plan_file(make_sessionmaker(engine), odd, now=NOW)
    assert "unsupported file type" in report.rejected[0].reasons[0]


def test_yaml_dry_run_and_reimport_keep_updates(engine: Engine) -> None:
    before = snapshot(engine)
    report = import_plan_file(make_sessionmaker(engine), PLAN_FILES[1], now=NOW, dry_run=True)
    assert not report.applied and not report.rejected
    report = import_plan_file(make_sessionmaker(engine), PLAN_FILES[1], now=NOW)
    assert report.applied and report.count("unchanged") == 55 and report.updates_added == 0
    assert snapshot(engine) == before
