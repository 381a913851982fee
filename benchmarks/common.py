"""Shared plumbing for the benchmark scripts: ports, server processes, machine facts, results.

Every script runs from the repository root with the project's virtualenv
(``.venv/bin/python benchmarks/<script>.py``) and writes its figures to
``benchmarks/results/<name>.json``; ``BENCHMARKS.md`` quotes them.
"""

from __future__ import annotations

import contextlib
import json
import os
import platform
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
HARNESS = ROOT / "benchmarks" / "harness"
# ``BENCH_RESULTS_DIR`` moves the results (``run_all.py --quick`` does, so that a check run
# never overwrites the recorded figures).
RESULTS = Path(os.environ.get("BENCH_RESULTS_DIR") or ROOT / "benchmarks" / "results")
PYTHON = sys.executable


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def bench_env(extra: Mapping[str, str] | None = None) -> dict[str, str]:
    """The environment for a bot process: development mode (no app id), quiet logs."""
    env = dict(os.environ)
    for name in ("MicrosoftAppId", "MicrosoftAppPassword", "MicrosoftAppTenantId"):
        env[name] = ""
    env.setdefault("LOG_LEVEL", "WARNING")
    env["PYTHONPATH"] = str(ROOT)
    env.update(extra or {})
    return env


def wait_listening(port: int, timeout: float = 60.0) -> None:
    """Wait until something accepts TCP connections on ``127.0.0.1:port``."""
    deadline = time.perf_counter() + timeout
    while True:
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 1):
            return
        if time.perf_counter() > deadline:
            raise TimeoutError(f"nothing listens on port {port} after {timeout:.0f} s")
        time.sleep(0.02)


def wait_http_ok(url: str, timeout: float = 60.0) -> float:
    """Poll ``url`` until it answers 200; returns the seconds it took."""
    start = time.perf_counter()
    deadline = start + timeout
    while True:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return time.perf_counter() - start
        except OSError:
            pass
        if time.perf_counter() > deadline:
            raise TimeoutError(f"{url} did not answer 200 within {timeout:.0f} s")
        time.sleep(0.02)


@dataclass
class Server:
    """A server process started for a benchmark."""

    process: subprocess.Popen[bytes]
    port: int
    startup_seconds: float

    @property
    def pid(self) -> int:
        """The process id."""
        return self.process.pid

    @property
    def messages_url(self) -> str:
        """Where the channel POSTs activities."""
        return f"http://127.0.0.1:{self.port}/api/messages"


def rss_kib(pid: int) -> int:
    """Resident memory of a process in KiB (Linux ``/proc``)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


@contextlib.contextmanager
def running(
    argv: list[str],
    port: int,
    ready_path: str | None,
    env: Mapping[str, str],
    log_name: str,
    cwd: Path = ROOT,
) -> Iterator[Server]:
    """Start ``argv``, wait until it is ready, and stop it (SIGINT) afterwards.

    Ready means ``ready_path`` answers 200, or (``None``) that the port accepts connections.
    """
    with tempfile.NamedTemporaryFile(
        prefix=f"bench-{log_name}-", suffix=".log", delete=False
    ) as log:
        start = time.perf_counter()
        process = subprocess.Popen(argv, cwd=cwd, env=dict(env), stdout=log, stderr=log)
        try:
            try:
                if ready_path is None:
                    wait_listening(port)
                else:
                    wait_http_ok(f"http://127.0.0.1:{port}{ready_path}")
            except TimeoutError:
                raise RuntimeError(f"{log_name} did not start; see {log.name}") from None
            yield Server(process, port, time.perf_counter() - start)
        finally:
            stop(process)


def stop(process: subprocess.Popen[bytes]) -> None:
    """Stop a server as Ctrl+C would, killing it if it does not exit within 15 s."""
    process.send_signal(signal.SIGINT)
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def pin_prefix(cpu: str | None) -> list[str]:
    """``taskset -c CPU`` to pin a process to one CPU; nothing when ``cpu`` is None."""
    return ["taskset", "-c", cpu] if cpu is not None else []


@contextlib.contextmanager
def our_bot(
    database_url: str, extra_env: Mapping[str, str] | None = None, cpu: str | None = None
) -> Iterator[Server]:
    """The Safer Partnership bot (``python -m bot serve``) on a free loopback port."""
    port = free_port()
    env = bench_env({"DATABASE_URL": database_url, **(extra_env or {})})
    argv = [PYTHON, "-m", "bot", "serve", "--host", "127.0.0.1", "--port", str(port)]
    with running(pin_prefix(cpu) + argv, port, "/readyz", env, "bot") as server:
        yield server


BOTBUILDER_VENV = ROOT / ".cache" / "bench-botbuilder"


def botbuilder_python() -> str:
    """A Python with botbuilder 4.17.1 for the echo sample (its own virtualenv, made once).

    ``BOTBUILDER_PYTHON`` names another one. botbuilder is not a dependency of the project, so
    the sample cannot run in the project's virtualenv.
    """
    given = os.environ.get("BOTBUILDER_PYTHON")
    if given:
        return given
    python = BOTBUILDER_VENV / "bin" / "python"
    stamp = BOTBUILDER_VENV / ".installed"
    requirements = HARNESS / "requirements-botbuilder.txt"
    if not stamp.exists() or stamp.read_text() != requirements.read_text():
        subprocess.run([sys.executable, "-m", "venv", str(BOTBUILDER_VENV)], check=True)
        subprocess.run(
            [
                str(python),
                "-m",
                "pip",
                "install",
                "--quiet",
                "--disable-pip-version-check",
                "-r",
                str(requirements),
            ],
            check=True,
        )
        stamp.write_text(requirements.read_text())
    return str(python)


@contextlib.contextmanager
def echo_bot(cpu: str | None = None) -> Iterator[Server]:
    """Microsoft's botbuilder echo-bot sample shape (``harness/echo_bot.py``), loopback port."""
    port = free_port()
    argv = [botbuilder_python(), str(HARNESS / "echo_bot.py"), "--port", str(port)]
    with running(pin_prefix(cpu) + argv, port, None, bench_env(), "echo") as server:
        yield server


@contextlib.contextmanager
def agents_echo_bot(cpu: str | None = None) -> Iterator[Server]:
    """The Agents SDK echo bot, its quickstart's shape (``harness/agents_echo.py``): the anchor."""
    port = free_port()
    argv = [PYTHON, str(HARNESS / "agents_echo.py"), "--port", str(port)]
    with running(pin_prefix(cpu) + argv, port, "/healthz", bench_env(), "agents") as server:
        yield server


@contextlib.contextmanager
def raw_echo_bot(cpu: str | None = None) -> Iterator[Server]:
    """The SDK-free aiohttp echo (``harness/raw_echo.py``): the floor of CPU per turn."""
    port = free_port()
    argv = [PYTHON, str(HARNESS / "raw_echo.py"), "--port", str(port)]
    with running(pin_prefix(cpu) + argv, port, None, bench_env(), "raw") as server:
        yield server


def calibration_ms(rounds: int = 5) -> float:
    """How long this machine takes, now, for a fixed piece of pure-Python work (best of rounds).

    The machines are virtual and share their hosts: a busy host slows every process alike
    without showing as CPU used by others in the guest. Comparing this figure between two
    results files tells a slower machine from a slower bot (about 20 ms on a quiet one).
    """
    data = [{"n": n, "text": f"action {n}", "owners": ["OPCCN", "NCC"] * 3} for n in range(400)]
    best = float("inf")
    for _ in range(rounds):
        started = time.perf_counter()
        for _ in range(20):
            json.loads(json.dumps(data))
            sorted(data, key=lambda row: row["text"])
        best = min(best, time.perf_counter() - started)
    return round(best * 1000, 2)


def machine() -> dict[str, Any]:
    """Facts about this machine, recorded beside every result."""
    cpu = "unknown"
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "python": platform.python_version(),
        "platform": platform.platform(),
        "calibration_ms": calibration_ms(),
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
    }


def write_result(name: str, data: Mapping[str, Any]) -> Path:
    """Write ``benchmarks/results/<name>.json`` with the machine facts; returns the path."""
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / f"{name}.json"
    payload = {"benchmark": name, "machine": machine(), **data}
    path.write_text(json.dumps(payload, indent=2, default=str) + "\n")
    return path


def percentile(values: list[float], fraction: float) -> float:
    """The ``fraction`` (0-1) percentile of ``values`` by nearest rank; 0.0 when empty."""
    if not values:
        return 0.0
    ordered = sorted(values)
    rank = max(0, min(len(ordered) - 1, round(fraction * len(ordered) + 0.5) - 1))
    return ordered[rank]
