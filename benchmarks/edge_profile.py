"""Where a turn's CPU goes in the running server, over HTTP, under load (issue 20).

Starts the bot (or the Agents SDK echo, ``--target agents``) pinned to CPU 0 on a copy of the
seeded benchmark database, plays ``harness/load.py messages`` against it from CPU 1 (C users,
closed loop, the fake connector answering at once), and reports the server's CPU per turn.
With ``--profile`` the server's event-loop thread is profiled with cProfile on a CPU clock
(``time.thread_time``: a blocked ``send`` costs what it costs, not the time the process was
descheduled) from the moment the load starts; the top of the profile is printed, grouped by
package. cProfile's own overhead roughly doubles pure-Python costs: compare profiles with
each other, and CPU per turn only from runs without ``--profile``. With ``--py-spy PATH`` a
sampling profile of every thread holding the GIL is written as collapsed stacks instead
(py-spy is not a project dependency: ``pip install --target /tmp/pyspy py-spy``).

Usage (from the repository root)::

    .venv/bin/python benchmarks/edge_profile.py                      # CPU per turn, ~20 s
    .venv/bin/python benchmarks/edge_profile.py --profile            # plus the profile
    .venv/bin/python benchmarks/edge_profile.py --target agents --profile
    .venv/bin/python benchmarks/edge_profile.py --py-spy /tmp/pyspy/bin/py-spy
"""

from __future__ import annotations

import argparse
import json
import pstats
import shutil
import signal
import subprocess
import sys
import tempfile
from collections import Counter
from pathlib import Path

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks import conversation as conv
from benchmarks.common import HARNESS, PYTHON, ROOT, bench_env, free_port, wait_http_ok

# Runs the server under cProfile (CPU clock), enabled by SIGUSR1, dumped at exit.
PROFILED = """
import atexit, cProfile, runpy, signal, sys, time
out, target = sys.argv[1], sys.argv[2]
profile = cProfile.Profile(time.thread_time)
signal.signal(signal.SIGUSR1, lambda *_: profile.enable())
atexit.register(lambda: (profile.disable(), profile.dump_stats(out)))
sys.argv = sys.argv[3:] if target == "-m" else sys.argv[2:]
if target == "-m":
    runpy.run_module(sys.argv[0], run_name="__main__", alter_sys=True)
else:
    runpy.run_path(target, run_name="__main__")
"""
GROUPS = (
    ("microsoft_agents", "Agents SDK"),
    ("aiohttp", "aiohttp"),
    ("multidict", "aiohttp"),
    ("yarl", "aiohttp"),
    ("pydantic", "pydantic"),
    ("opentelemetry", "OpenTelemetry"),
    ("asyncio", "asyncio"),
    ("sqlalchemy", "SQLAlchemy"),
    ("/bot/", "the bot"),
    ("/cards/", "the bot"),
    ("/storage/", "the bot"),
)


def group_of(filename: str, name: str) -> str:
    """The package a profiled function belongs to (built-ins by name)."""
    if filename == "~":
        return name
    for fragment, group in GROUPS:
        if fragment in filename:
            return group
    return "stdlib and other"


def report(path: Path, turns: int) -> None:
    """Print the profile grouped by package, then its top functions, in ms per turn."""
    stats = pstats.Stats(str(path))
    groups: Counter[str] = Counter()
    for (filename, _line, name), (_cc, _nc, tottime, _ct, _callers) in stats.stats.items():  # type: ignore[attr-defined]
        groups[group_of(filename, name)] += tottime
    print(f"event-loop thread, profiled, ms per turn ({turns} turns):")
    for group, seconds in groups.most_common(15):
        print(f"  {group[:70]:70s} {seconds * 1000 / turns:6.3f}")
    stats.sort_stats("tottime").print_stats(30)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--target", choices=("ours", "agents"), default="ours")
    ap.add_argument("-c", "--concurrency", type=int, default=32)
    ap.add_argument("--duration", type=float, default=8.0)
    ap.add_argument("--delay-ms", type=int, default=0, help="the fake connector's delay")
    ap.add_argument("--profile", action="store_true", help="cProfile the event-loop thread")
    ap.add_argument("--py-spy", help="py-spy executable: sample every thread holding the GIL")
    ap.add_argument("--out", type=Path, default=Path(tempfile.gettempdir()) / "edge_profile")
    args = ap.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix="edge-profile-"))
    port = free_port()
    env = bench_env({"ALLOWED_TENANT_IDS": conv.TENANT_ID})
    profile = args.out / f"{args.target}.prof"
    wrapper = ["-c", PROFILED, str(profile)] if args.profile else []
    if args.target == "ours":
        conv.seed(f"sqlite:///{work / 'bot.db'}", conv.MAX_USERS)
        env["DATABASE_URL"] = f"sqlite:///{work / 'bot.db'}"
        server = [PYTHON, *wrapper, "-m", "bot", "serve", "--host", "127.0.0.1", "--port"]
        ready, text, expect = "/readyz", "what's overdue for me?", "Overdue: you"
    else:
        server = [PYTHON, *wrapper, str(HARNESS / "agents_echo.py"), "--port"]
        ready, text, expect = "/healthz", "what's overdue for me?", "Echo: "
    log = (args.out / "server.log").open("w")
    process = subprocess.Popen(
        ["taskset", "-c", "0", *server, str(port)], cwd=ROOT, env=env, stdout=log, stderr=log
    )
    try:
        wait_http_ok(f"http://127.0.0.1:{port}{ready}")
        if args.profile:
            process.send_signal(signal.SIGUSR1)
        spy = None
        if args.py_spy:
            spy = subprocess.Popen(
                [
                    *(args.py_spy, "record", "--pid", str(process.pid), "--format", "raw"),
                    *("--rate", "1000", "--nonblocking", "--gil", "--threads"),
                    *("--output", str(args.out / f"{args.target}.spy.txt")),
                    *("--duration", str(int(args.duration))),
                ],
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
        texts = work / "texts.txt"
        texts.write_text(text + "\n")
        load = work / "load.json"
        subprocess.run(
            [
                *("taskset", "-c", "1", PYTHON, str(HARNESS / "load.py"), "messages"),
                *("--bot", f"http://127.0.0.1:{port}/api/messages", "-c", str(args.concurrency)),
                *("--duration", str(args.duration), "--warmup", "2", "--texts", str(texts)),
                *("--pid", str(process.pid), "--run-id", conv.RUN_ID, "--expect-replies", "1"),
                *("--reply-contains", expect, "--connector-delay-ms", str(args.delay_ms)),
                *("--out", str(load)),
            ],
            cwd=ROOT,
            check=True,
            capture_output=True,
        )
        if spy is not None:
            spy.wait(60)
        raw = json.loads(load.read_text())
    finally:
        process.send_signal(signal.SIGINT)
        process.wait(30)
        log.close()
        shutil.rmtree(work, ignore_errors=True)
    cpu = raw["cpu"][f"pid_{process.pid}"]["mean_pct"]
    print(
        f"{args.target}: C={args.concurrency} {raw['ok_rps']:.1f} req/s, errors {raw['errors']}, "
        f"server CPU {cpu}% = {cpu * 10 / raw['ok_rps']:.2f} ms per turn "
        f"(other CPU {raw['cpu'].get('other_pct')}%)"
        + (" [profiled: inflated]" if args.profile else "")
    )
    if args.profile:
        report(profile, max(1, int(raw["issued_total"])))  # profiled from the load's start
    return 0


if __name__ == "__main__":
    sys.exit(main())
