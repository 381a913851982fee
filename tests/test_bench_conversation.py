"""The conversation benchmark still runs: a few seconds per point, C=1, instant connector."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_conversation_benchmark_smoke(tmp_path: Path) -> None:
    argv = [
        sys.executable,
        str(ROOT / "benchmarks" / "conversation.py"),
        "--quick",
        "--conc",
        "1",
        "--modes",
        "0",
        "--duration",
        "2",
        "--warmup",
        "0.5",
        "--targets",
        "overdue,action,agents,raw",
        "--name",
        "smoke",
        "--results-dir",
        str(tmp_path),
    ]
    done = subprocess.run(argv, cwd=ROOT, capture_output=True, text=True, timeout=110)
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-3000:]
    result = json.loads((tmp_path / "smoke.json").read_text())
    points = {p["target"]: p for p in result["points"]}
    # The botbuilder echo sample needs a virtualenv of its own (not built in the tests).
    assert set(points) == {"overdue", "action", "agents", "raw"}
    for point in points.values():
        assert point["rps"] > 0, point
        assert point["errors"] == 0, point
        assert point["replies_unmatched"] == 0, point
        assert point["replies_matched"] == point["requests"] > 0, point
        assert point["e2e_p99_ms"] is not None and point["e2e_p99_ms"] > 0, point
        assert point["startup_s"] > 0 and point["rss_after_kib"] > 0, point
    for ours in ("overdue", "action"):
        assert points[ours]["throughput_vs_agents"] is not None
        assert points[ours]["cpu_vs_raw"] is not None
    assert (tmp_path / "raw" / "smoke" / "overdue_c1_d0.json").exists()
    assert "| +0 ms | 1 | overdue |" in done.stdout
