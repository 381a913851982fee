"""The Dockerfile (no Docker engine here to build it): files, user, health check, settings."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DOCKERFILE = (ROOT / "Dockerfile").read_text(encoding="utf-8")


def instructions() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) pairs, continuation lines joined, comments dropped."""
    joined = re.sub(r"\\\n", " ", DOCKERFILE)
    found = []
    for line in joined.splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            word, _, rest = line.partition(" ")
            found.append((word.upper(), rest.strip()))
    return found


def test_copies_only_files_that_exist_and_every_package() -> None:
    copied = []
    for word, args in instructions():
        if word == "COPY":
            *sources, _destination = args.split()
            copied.extend(sources)
    for source in copied:
        assert (ROOT / source).exists(), f"COPY {source}: no such file"
    packages = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"][
        "packages"
    ]["find"]["include"]
    for package in (p.rstrip("*") for p in packages):
        assert package in copied, f"the image would lack the {package} package"


def test_runs_as_a_non_root_user_with_a_health_check() -> None:
    steps = instructions()
    words = [word for word, _ in steps]
    assert steps[0] == ("FROM", "python:3.11-slim")
    users = [args for word, args in steps if word == "USER"]
    assert users and users[-1] not in ("root", "0")
    assert words.index("USER") < words.index("CMD")
    (health,) = [args for word, args in steps if word == "HEALTHCHECK"]
    assert "/healthz" in health
    assert dict(steps)["CMD"] == '["python", "-m", "bot", "serve"]'


def test_listens_everywhere_and_keeps_data_in_a_volume() -> None:
    env = " ".join(args for word, args in instructions() if word == "ENV")
    assert "HOST=0.0.0.0" in env and "DATA_DIR=/data" in env and "PORT=3978" in env
    assert ("VOLUME", '["/data"]') in instructions()


def test_secrets_and_local_state_stay_out_of_the_image() -> None:
    ignored = (ROOT / ".dockerignore").read_text().split()
    for entry in (".env", ".venv", ".cache", "data", ".git"):
        assert entry in ignored


class Recording(dict[str, str]):
    """An environment that remembers which variables were looked up."""

    def __init__(self, values: dict[str, str]) -> None:
        super().__init__(values)
        self.asked: set[str] = set()

    def get(self, key: str, default: str | None = None) -> str | None:  # type: ignore[override]
        self.asked.add(key)
        return super().get(key, default)

    def __getitem__(self, key: str) -> str:
        self.asked.add(key)
        return super().__getitem__(key)


def test_every_variable_is_in_env_example_and_the_readme() -> None:
    from bot.config import Settings
    from manifest.settings import package_settings

    env = Recording(
        {
            "MicrosoftAppId": "5f1c2a9e-0b7d-4c1e-9a43-2e6f8d0c7b11",
            "BOT_DOMAIN": "bot.example.org",
            "APP_WEBSITE_URL": "https://example.org",
            "APP_PRIVACY_URL": "https://example.org/privacy",
            "APP_TERMS_URL": "https://example.org/terms",
        }
    )
    Settings.from_env(env)
    package_settings(env)
    example = (ROOT / ".env.example").read_text(encoding="utf-8")
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    table = readme[readme.index("## Configuration") :]
    assert len(env.asked) > 25
    for name in sorted(env.asked):
        assert re.search(rf"^{name}=", example, re.MULTILINE), f"{name} not in .env.example"
        assert f"`{name}`" in table, f"{name} not in the README's configuration table"
