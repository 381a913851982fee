"""Running ``python -m bot ...`` as a subprocess on a test's own data directory."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def run_bot_cli(
    args: list[str], data_dir: Path, database_url: str | None = None
) -> subprocess.CompletedProcess[str]:
    """Run the bot's command line with DATA_DIR set (and DATABASE_URL only when given)."""
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "LOG_LEVEL")}
    env["DATA_DIR"] = str(data_dir)
    if database_url:
        env["DATABASE_URL"] = database_url
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
