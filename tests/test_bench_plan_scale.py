"""The plan-scale benchmark: its synthetic plans, and a quick run (1x and 10x on SQLite)."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest

from benchmarks import common, plan_scale, synthetic
from storage.plan_document import plan_from_data


@pytest.mark.parametrize("scale", [1, 10, 100])
def test_synthetic_plan_has_the_requested_counts(scale: int) -> None:
    made = synthetic.generate(scale)
    assert made.action_count == 55 * scale
    assert len(made.bodies) == synthetic.BODIES == 200
    assert len({b["key"] for b in made.bodies}) == 200
    assert len(made.people) == synthetic.PEOPLE == 2000
    assert len({email for _, _, email in made.people}) == 2000
    assert {email for email, _, _ in made.memberships} == {email for _, _, email in made.people}
    document = plan_from_data(made.plan)
    assert document is not None
    numbers = [row.number for row in document.actions]
    assert len(set(numbers)) == len(numbers) and "1.18" in numbers
    owners = Counter(k for row in document.actions for k in row.owner_keys or ())
    assert set(owners) <= {b["key"] for b in made.bodies}
    if scale > 1:
        # Busy bodies own many actions; most actions have updates; dates make many overdue.
        assert owners.most_common(1)[0][1] > 10 * scale
        assert made.update_count > made.action_count
        statuses = Counter(u["status"] for u in made.plan["updates"])
        assert statuses["Complete"] and statuses["Off track"] and statuses["On track"]


def test_the_real_plan_is_kept_verbatim() -> None:
    real = plan_from_data(synthetic.read_yaml(synthetic.CURRENT_PLAN_FILE))
    made = plan_from_data(synthetic.generate(10).plan)
    assert real is not None and made is not None
    by_number = {row.number: row for row in made.actions}
    for row in real.actions:
        assert by_number[row.number].text == row.text
        assert by_number[row.number].owner_keys == row.owner_keys


def test_quick_run_writes_valid_results(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(common, "RESULTS", tmp_path)
    assert plan_scale.main(["--quick", "--reps", "2", "--cold", "1"]) == 0
    result = json.loads((tmp_path / "plan_scale.json").read_text())
    points = {(p["db"], p["scale"]): p for p in result["points"]}
    assert set(points) == {("sqlite", 1), ("sqlite", 10)}
    assert points["sqlite", 10]["plan"]["actions"] == 550
    for point in points.values():
        asked = {q["question"]: q for q in point["questions"]}
        assert set(asked) == {q.name for q in plan_scale.QUESTIONS}
        for q in asked.values():
            if "skipped" in q:
                continue
            card = q["card"]
            assert card["valid"], (point["scale"], q["question"], card["problems"])
            assert 0 < card["bytes"] <= 28 * 1024
            assert q["warm_median_ms"] > 0 and q["cold_ms"] > 0
        pages = {t["page"]: t for t in point["tab"]}
        assert set(pages) == set(plan_scale.TAB_PAGES)
        assert all(t["warm_median_ms"] > 0 and t["html_bytes"] > 10_000 for t in pages.values())
    ten = {q["question"]: q for q in points["sqlite", 10]["questions"]}
    overdue = ten["overdue for me"]["card"]
    assert overdue["title"].startswith("Overdue: you")
    assert overdue["pages"] > 1 and overdue["items"] == 8
    assert ten["overdue for me, last page"]["card"]["page"] == overdue["pages"]
    assert ten["action 1.18"]["card"]["title"] == "Action 1.18"
    assert "| sqlite | 10x | 550 | overdue for me |" in result["table"]
