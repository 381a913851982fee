"""Run every benchmark in turn (``make bench``), one after another so they do not share CPUs.

Usage: ``.venv/bin/python benchmarks/run_all.py [--quick] [--only NAME ...]``. Each script writes
``benchmarks/results/<name>.json`` and prints a markdown table; ``BENCHMARKS.md`` quotes them.
With ``--quick`` the results go to ``benchmarks/results/quick/`` (not kept in git) instead.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
SCRIPTS = ("conversation", "plan_scale", "fanout")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="tiny runs, to check the scripts")
    parser.add_argument("--only", nargs="*", choices=SCRIPTS, help="run only these")
    args = parser.parse_args()
    env = dict(os.environ)
    if args.quick:  # a check that the scripts run: keep the recorded figures
        env["BENCH_RESULTS_DIR"] = str(HERE / "results" / "quick")
        print(f"--quick: results go to {env['BENCH_RESULTS_DIR']}")
    failed = []
    for name in args.only or SCRIPTS:
        argv = [sys.executable, str(HERE / f"{name}.py")]
        if args.quick:
            argv.append("--quick")
        print(f"\n=== {name}: {' '.join(argv[1:])}", flush=True)
        start = time.perf_counter()
        code = subprocess.call(argv, cwd=HERE.parent, env=env)
        print(f"=== {name}: exit {code} after {time.perf_counter() - start:.0f} s", flush=True)
        if code:
            failed.append(name)
    if failed:
        print(f"failed: {', '.join(failed)}", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
