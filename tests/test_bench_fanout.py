"""The fan-out benchmark's smoke run: 20 channels and 50 people, with and without 429s."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from benchmarks import common, fanout


@pytest.mark.timeout(120)
def test_quick_fan_out_delivers_each_message_exactly_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(common, "RESULTS", tmp_path)
    assert fanout.main(["--quick"]) == 0
    result = json.loads((tmp_path / "fanout.json").read_text())
    assert result["benchmark"] == "fanout" and result["channels"] == 20
    runs = result["runs"]
    assert [r["p429"] for r in runs] == [0.0, 0.1]
    for run in runs:
        assert run["targets"] == 70 and run["exactly_once"] == 70
        assert run["missing"] == run["duplicated"] == run["stray"] == 0
        assert run["db_rows"]["by_status"] == {"sent": 70}
        assert run["summary"]["sent"] == 70 and run["summary"]["failed"] == 0
        assert run["second_run"]["idempotent"] and run["second_run"]["requests"] == 0
        assert run["requests"] == 70 + run["answered_429"]
        assert run["retries"] == run["answered_429"]
        assert run["minimum_s"] >= (run["requests"] - 1) / 50
