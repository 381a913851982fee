"""Plan periods, extensions and the next plan with carry-over, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from sqlalchemy import Engine, select

from bot.plan import rules
from bot.plan.period import PlanChangeRefused
from storage import audit
from storage.db import make_sessionmaker, transaction
from storage.models import AuditEntry, Plan
from storage.plan_lifecycle import (
    extend_plan,
    plan_period,
    start_next_plan,
)
from storage.plan_queries import action_by_number, actions, history, plan_record

NOW = datetime(2026, 12, 4, 10, 0, tzinfo=UTC)
ADMIN = audit.Actor(None, "admin@example.org")

NEXT_PLAN = """
plan:
  key: safer-norfolk-2025-28
  title: Safer Norfolk Plan 2025-28
  starts: "2025-04-01"
  ends: "2028-03-31"
themes:
  - number: 1
    title: Building Resilient Cohesive Communities
    sections:
      - title: Prevent
        actions:
          - number: "1.1"
            action: Keep the Counter Terrorism Local Profile current
            owner: CRPSG
            owners: [CRPSG]
            date: March 2026
            carried_from: "1.20"
          - number: "1.2"
            action: A new action
            owner: OPCCN
            owners: [OPCCN]
            date: March 2027
"""


def _write(tmp_path: Path, text: str, name: str = "next.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_seed_plan_period(engine: Engine) -> None:
    with make_sessionmaker(engine)() as session:
        period = plan_period(session)
    assert period is not None
    assert (period.title, period.starts, period.ends) == (
        "Safer Norfolk Plan 2021-24",
        date(2021, 4, 1),
        date(2024, 3, 31),
    )


def test_extension_moves_the_end_revises_deadlines_and_is_audited(engine: Engine) -> None:
    factory = make_sessionmaker(engine)
    with make_sessionmaker(engine)() as session:
        plan_record(session)  # warm the cache: the extension must make it stale
    with transaction(factory) as session:
        done = extend_plan(
            session,
            until=date(2025, 3, 31),
            reason="Scrutiny Sub Panel recommendation; next plan in development",
            actor=ADMIN,
            now=NOW,
            revised_deadlines={"1.10": date(2025, 1, 31)},
        )
    assert done.old_end == date(2024, 3, 31) and done.new_end == date(2025, 3, 31)
    with factory() as session:
        period = plan_period(session)
        assert period is not None and period.ends == date(2025, 3, 31)
        assert period.extended_from == date(2024, 3, 31)
        assert plan_record(session).ends == date(2025, 3, 31)
        action = action_by_number(session, "1.10")
        assert action is not None and rules.effective_deadline(action) == date(2025, 1, 31)
        assert "extension" in history(session, action.id)[0].text
        entry = session.scalar(select(AuditEntry).where(AuditEntry.action == "plan.extended"))
        assert entry is not None and entry.before == {"ends": "2024-03-31"}
        assert entry.after is not None and entry.after["revised_deadlines"] == {
            "1.10": "2025-01-31"
        }


@pytest.mark.parametrize(
    ("until", "reason", "revised", "says"),
    [
        (date(2025, 3, 31), "  ", None, "Say why"),
        (date(2024, 3, 1), "late", None, "already runs to 31 March 2024"),
        (date(2025, 3, 31), "ok", {"9.99": date(2025, 1, 1)}, "No action 9.99"),
    ],
)
def test_extension_refused_changes_nothing(
    engine: Engine,
    until: date,
    reason: str,
    revised: dict[str, date] | None,
    says: str,
) -> None:
    factory = make_sessionmaker(engine)
    with pytest.raises(PlanChangeRefused, match=says), transaction(factory) as session:
        extend_plan(
            session, until=until, reason=reason, actor=ADMIN, now=NOW, revised_deadlines=revised
        )
    with factory() as session:
        period = plan_period(session)
        assert period is not None and period.ends == date(2024, 3, 31)
        assert session.scalar(select(AuditEntry.id)) is None


def test_next_plan_carries_over_with_history_and_keeps_the_previous_plan(
    engine: Engine, tmp_path: Path
) -> None:
    factory = make_sessionmaker(engine)
    report = start_next_plan(factory, _write(tmp_path, NEXT_PLAN), now=NOW, carry_unfinished=True)
    assert report.applied, report.lines()
    carried = dict(report.carried)
    assert carried["1.20"] == "1.1"
    assert "1.18" not in carried  # complete in the old plan: not carried
    assert carried["1.10"].startswith("1.")  # unfinished: the next free number in theme 1
    assert "3.10" not in carried and "3.10" in report.not_carried  # no theme 3 in the new plan
    lines = report.lines()
    assert any(line.startswith("carried over from Safer Norfolk Plan 2021-24") for line in lines)
    with factory() as session:
        current = plan_record(session)
        assert current.key == "safer-norfolk-2025-28" and current.is_current
        new = action_by_number(session, "1.1")
        assert new is not None
        old_texts = [u.text for u in history(session, new.id)]
        assert any(t.startswith("(as 1.20 in the Safer Norfolk Plan 2021-24)") for t in old_texts)
        previous = actions(session, plan_key="safer-norfolk-2021-24")
        assert len(previous) == 55  # the previous plan stays whole and queryable
        assert {a.plan_key for a in actions(session)} == {"safer-norfolk-2025-28"}
        entry = session.scalar(select(AuditEntry).where(AuditEntry.action == "plan.started"))
        assert entry is not None and entry.after is not None
        assert entry.after["carried"]["1.20"] == "1.1"


def test_next_plan_with_a_bad_carried_number_changes_nothing(
    engine: Engine, tmp_path: Path
) -> None:
    factory = make_sessionmaker(engine)
    text = NEXT_PLAN.replace('carried_from: "1.20"', 'carried_from: "1.99"')
    report = start_next_plan(factory, _write(tmp_path, text), now=NOW)
    assert not report.applied
    assert "row 1 (1.1): rejected: carried from 1.99: no such action" in report.lines()[0]
    with factory() as session:
        assert plan_record(session).key == "safer-norfolk-2021-24"
        assert session.scalar(select(Plan.id).where(Plan.key == "safer-norfolk-2025-28")) is None


def test_next_plan_from_csv_needs_its_period(engine: Engine, tmp_path: Path) -> None:
    factory = make_sessionmaker(engine)
    path = _write(
        tmp_path,
        "N,Action,Owner,Date,Carried from\n1.1,Carry on,OPCCN,March 2026,1.10\n",
        "next.csv",
    )
    refused = start_next_plan(factory, path, now=NOW, plan_key="next")
    assert not refused.applied and "needs a key, a title, a start and an end" in refused.lines()[0]
    report = start_next_plan(
        factory,
        path,
        now=NOW,
        plan_key="next",
        title="Next Plan 2025-28",
        starts=date(2025, 4, 1),
        ends=date(2028, 3, 31),
    )
    assert report.applied, report.lines()
    assert report.carried == [("1.10", "1.1")]
    assert "1.20" in report.not_carried
    again = start_next_plan(
        factory,
        path,
        now=NOW,
        plan_key="next",
        title="x",
        starts=date(2025, 4, 1),
        ends=date(2028, 3, 31),
    )
    assert not again.applied and "already the current plan" in again.lines()[0]


def test_commands_extend_and_start_the_next_plan(tmp_path: Path) -> None:
    from tests.cli_support import run_bot_cli

    deadlines = _write(tmp_path, "N,Date\n1.10,2025-01-31\n", "revised.csv")
    bad = _write(tmp_path, "N,Date\n1.10,soon\n", "bad.csv")
    refused = run_bot_cli(
        ["extend-plan", "--until", "2025-03-31", "--reason", "x", "--deadlines", str(bad)],
        tmp_path,
    )
    assert refused.returncode == 1 and "row 2: 'soon' is not a date" in refused.stderr
    done = run_bot_cli(
        [
            "extend-plan",
            "--until",
            "2025-03-31",
            "--reason",
            "Sub Panel recommendation",
            "--deadlines",
            str(deadlines),
        ],
        tmp_path,
    )
    assert done.returncode == 0, done.stderr
    assert "now ends 2025-03-31 (was 2024-03-31)" in done.stdout and "1.10" in done.stdout
    started = run_bot_cli(
        ["next-plan", str(_write(tmp_path, NEXT_PLAN)), "--carry-unfinished"], tmp_path
    )
    assert started.returncode == 0, started.stderr
    assert "carried over from Safer Norfolk Plan 2021-24: 1.20 -> 1.1" in started.stdout
    assert "unfinished in Safer Norfolk Plan 2021-24, not carried over:" in started.stdout
    asked = run_bot_cli(["ask", "priorities of the 2021-24 plan"], tmp_path)
    assert asked.returncode == 0 and "Safer Norfolk Plan 2021-24" in asked.stdout
