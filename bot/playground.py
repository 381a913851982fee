"""``make playground``: the bot and Microsoft 365 Agents Playground, side by side, on loopback.

The Playground (npm ``@microsoft/m365agentsplayground``, installed into ``.cache/npm`` by
``tests/fetch_assets.py``) is a Teams-like web client with a mock Bot Connector; no Microsoft 365
tenant is needed. It sends no Authorization header, so the bot runs here in development mode
(MicrosoftAppId blanked, whatever ``.env`` says) on 127.0.0.1, with its own SQLite database
under ``data/playground/`` so that trying things out never touches a real plan database.
"""

from __future__ import annotations

import argparse
import os
import re
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path

from bot.config import PROJECT_ROOT

PLAYGROUND_CLI = PROJECT_ROOT / ".cache/npm/node_modules/@microsoft/m365agentsplayground/cli.js"
PLAYGROUND_DATA = PROJECT_ROOT / "data" / "playground"
START_TIMEOUT = 90.0
# Keep the Playground on loopback: no browser launch, no telemetry, no Application Insights
# "statsbeat" (which otherwise probes Azure hosts even with --disable-telemetry).
PLAYGROUND_ENV = {"TEAMSAPPTESTER_BROWSER": "none", "APPLICATION_INSIGHTS_NO_STATSBEAT": "true"}
# The Playground's users have example.com addresses; memberships are earned, not claimed, so
# `make playground` makes them OPCCN members through an e-mail domain rule (unless
# MEMBERSHIP_DOMAINS is set) and "what's overdue for me?" and Quick update work at once.
PLAYGROUND_MEMBERSHIP = "example.com=OPCCN"


class PlaygroundError(RuntimeError):
    """The bot or the Playground could not be started; the message says why."""


@dataclass(frozen=True)
class Session:
    """A running pair: where the bot listens and where the Playground's web UI is."""

    bot_url: str
    ui_url: str
    logs: Path


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def answers(url: str) -> bool:
    """True when ``url`` answers a GET with 200."""
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return bool(response.status == 200)
    except OSError:
        return False


def _wait(ready: Callable[[], str | None], process: subprocess.Popen[bytes], log: Path) -> str:
    """Poll ``ready`` until it gives a value; fail early if the process exits."""
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        value = ready()
        if value:
            return value
        if process.poll() is not None:
            tail = log.read_text(errors="replace")[-2000:]
            raise PlaygroundError(f"{process.args!r} exited with {process.returncode}:\n{tail}")
        time.sleep(0.2)  # polling a child process for readiness; nothing to wait on instead
    raise PlaygroundError(f"{process.args!r} was not ready after {START_TIMEOUT:.0f} s; see {log}")


@contextmanager
def _process(
    command: list[str], env: dict[str, str], cwd: Path, log: Path
) -> Iterator[subprocess.Popen[bytes]]:
    """A child process in its own process group, stopped (with its children) on exit."""
    with log.open("wb") as out:
        process = subprocess.Popen(
            command,
            cwd=cwd,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
    try:
        yield process
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()


def _bot_env(data_dir: Path, extra: Mapping[str, str]) -> dict[str, str]:
    env = {**os.environ, **extra}
    # The real environment wins over .env: blank values force development mode and SQLite.
    env.update({"MicrosoftAppId": "", "MicrosoftAppPassword": "", "DATABASE_URL": ""})
    env["DATA_DIR"] = str(data_dir)
    return env


@contextmanager
def running(
    data_dir: Path = PLAYGROUND_DATA,
    *,
    playground_port: int = 0,
    logs: Path | None = None,
    bot_env: Mapping[str, str] | None = None,
) -> Iterator[Session]:
    """Start the bot, then the Playground pointed at it; stop both on exit.

    Args:
        data_dir: the bot's DATA_DIR (its SQLite database; the default plan loads when empty).
        playground_port: the Playground's port; 0 for any free one.
        logs: where both write their logs (default: a new temporary directory).
        bot_env: extra environment for the bot, e.g. ``MEMBERSHIP_DOMAINS``.

    Raises:
        PlaygroundError: when Node.js or the Playground is missing, or either fails to start.
    """
    node = _require_tools()
    data_dir.mkdir(parents=True, exist_ok=True)
    logs = logs or Path(tempfile.mkdtemp(prefix="playground-"))
    logs.mkdir(parents=True, exist_ok=True)
    bot_port = free_port()
    bot_url = f"http://127.0.0.1:{bot_port}"
    with ExitStack() as stack:
        bot_log = logs / "bot.log"
        serve = [sys.executable, *f"-m bot serve --host 127.0.0.1 --port {bot_port}".split()]
        env = _bot_env(data_dir, bot_env or {})
        bot = stack.enter_context(_process(serve, env, PROJECT_ROOT, bot_log))
        _wait(lambda: "ok" if answers(f"{bot_url}/healthz") else None, bot, bot_log)
        pg_log = logs / "playground.out"
        port_asked = playground_port or free_port()
        command = [node, str(PLAYGROUND_CLI), "start", "-e", f"{bot_url}/api/messages"]
        command += f"-c msteams --disable-telemetry -p {port_asked}".split()
        env = {
            **os.environ,
            **PLAYGROUND_ENV,
            "M365_AGENTS_PLAYGROUND_LOGFILE": str(logs / "playground.log"),
        }
        playground = stack.enter_context(_process(command, env, logs, pg_log))
        port = _wait(lambda: _listening(pg_log), playground, pg_log)
        ui_url = f"http://127.0.0.1:{port}/"
        _wait(lambda: "ok" if answers(f"{ui_url}_debug/ping") else None, playground, pg_log)
        yield Session(bot_url=f"{bot_url}/api/messages", ui_url=ui_url, logs=logs)


def _listening(log: Path) -> str | None:
    """The port the Playground reports (it picks another one when the asked-for port is busy)."""
    found = re.search(r"Listening on (\d+)", log.read_text(errors="replace"))
    return found[1] if found else None


def _require_tools() -> str:
    """The path of ``node``, once Node.js and the Playground are known to be there."""
    from shutil import which

    node = which("node")
    if node is None:
        raise PlaygroundError("Node.js is needed for the Playground: install Node.js 18 or newer")
    if not PLAYGROUND_CLI.is_file():
        raise PlaygroundError(
            f"the Playground is not installed at {PLAYGROUND_CLI}: run `make playground` "
            "(or `python tests/fetch_assets.py`)"
        )
    return node


def main(argv: Sequence[str] | None = None) -> int:
    """Start both, print the URL, and keep running until Ctrl+C."""
    args = argparse.ArgumentParser(prog="python -m bot.playground", description=__doc__)
    args.add_argument("--port", type=int, default=56150, help="Playground port (default 56150)")
    args.add_argument("--data-dir", type=Path, default=PLAYGROUND_DATA)
    options = args.parse_args(argv)
    try:
        domains = os.environ.get("MEMBERSHIP_DOMAINS") or PLAYGROUND_MEMBERSHIP
        bot_env = {"MEMBERSHIP_DOMAINS": domains}
        with running(options.data_dir, playground_port=options.port, bot_env=bot_env) as session:
            print(f"bot:        {session.bot_url} (development mode, data in {options.data_dir})")
            print(f"logs:       {session.logs}")
            print(f"Playground: {session.ui_url}  <- open this in a browser; Ctrl+C stops both")
            print(f"members:    by e-mail domain, MEMBERSHIP_DOMAINS={domains}", flush=True)
            # SIGTERM ends like Ctrl+C, so the bot and the Playground are stopped too.
            signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
            signal.pause()
    except KeyboardInterrupt:
        pass
    except PlaygroundError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
